"""DAG integrity: every DAG file imports cleanly, has no warnings, and follows the ops policy."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

DAGS = Path(__file__).resolve().parents[1] / "dags"


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    from newsflow.airflow_env import POOLS

    # known_pools: the pools our setup creates; a task in any other pool would never be scheduled.
    return DagBag(dag_folder=str(DAGS), known_pools={"default_pool", *POOLS})


def test_no_import_errors(dagbag):
    assert dagbag.import_errors == {}, dagbag.import_errors


def test_news_ingest_present(dagbag):
    assert "news_ingest" in dagbag.dag_ids


def test_no_dag_warnings(dagbag):
    assert not dagbag.dag_warnings, [w.message for w in dagbag.dag_warnings]


def test_unknown_pool_would_be_reported():
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAGS), known_pools={"default_pool"})
    assert any("newsflow_fetch" in w.message for w in bag.dag_warnings), "the warning check is live"


def test_every_dag_follows_policy(dagbag):
    for dag_id, dag in dagbag.dags.items():
        assert dag.catchup is False, f"{dag_id}: catchup must be set (False): RSS cannot be backfilled from the web"
        assert dag.tags, f"{dag_id}: no tags"
        assert dag.doc_md, f"{dag_id}: no doc_md"
        assert dag.max_active_runs == 1, f"{dag_id}: concurrent runs would race on feed state"
        for t in dag.tasks:
            assert t.retries >= 1, f"{dag_id}.{t.task_id}: no retries"
            assert t.execution_timeout and t.execution_timeout <= timedelta(hours=2), f"{dag_id}.{t.task_id}"


def test_fetch_tasks_use_the_pool(dagbag):
    dag = dagbag.dags["news_ingest"]
    assert dag.get_task("fetch_feeds").pool == "newsflow_fetch"
    assert dag.get_task("fetch_articles").pool == "newsflow_fetch"


def test_shape_of_news_ingest(dagbag):
    dag = dagbag.dags["news_ingest"]
    order = ["validate_feeds", "fetch_feeds", "plan_pages", "fetch_articles", "group_stories", "data_checks",
             "finish_run"]
    for up, down in zip(order, order[1:]):
        assert down in dag.get_task(up).downstream_task_ids, f"{up} -> {down}"
    outlets = dag.get_task("finish_run").outlets
    assert [a.name for a in outlets] == ["newsflow_warehouse"]
