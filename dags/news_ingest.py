"""
### news_ingest: feeds in, stories out

Fetches every feed of the feeds file, fetches and cleans the pages of new or edited items, marks copies,
groups reports of one event into stories across outlets, and loads it all into the `newsflow` PostgreSQL
warehouse (connection `newsflow_warehouse`). Then it runs data checks and updates the
`newsflow_warehouse` Asset, which downstream DAGs can be scheduled on.

**Wiring only**: every task calls a function of the `newsflow` package (`include/newsflow/pipeline`).
XComs carry feed ids, batch numbers and counts; bodies and rows go to PostgreSQL.

**Ops**
- A failing feed does not fail the run: its status is in `newsflow.feed_health` and the run row
  (`newsflow.ingest_runs`). A failed task means the warehouse or the code is wrong: read its log.
- Schedule: `NEWSFLOW_SCHEDULE` (cron or preset; default `@daily`). Feeds file: `NEWSFLOW_FEEDS`, or
  trigger with conf `{"feeds_file": "/path/feeds.yaml"}`.
- Page fetching (with extraction, in `fetch_articles`) runs in the `newsflow_fetch` pool (created by `make airflow` / the compose init).
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta

from airflow.sdk import Param, dag, task

from newsflow_dag_support import (
    FETCH_POOL,
    WAREHOUSE_ASSET,
    default_args,
    fetch_feeds_of_batch,
    http_tools,
    notify,
    run_context,
    warehouse,
)


@dag(
    dag_id="news_ingest",
    schedule=os.environ.get("NEWSFLOW_SCHEDULE", "@daily"),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(hours=6),
    default_args=default_args(),
    tags=["newsflow", "news", "ingest"],
    doc_md=__doc__,
    params={
        "feeds_file": Param(None, type=["null", "string"], description="feeds file; default NEWSFLOW_FEEDS"),
    },
)
def news_ingest():
    @task(execution_timeout=timedelta(minutes=10))
    def validate_feeds() -> list[list[int]]:
        """Validate the feeds file, migrate the warehouse, sync feeds; returns feed ids in batches."""
        from newsflow.feeds_config import load_feeds
        from newsflow.pipeline import prepare_run

        ctx = run_context()
        config = load_feeds(ctx.feeds_file)
        with warehouse() as conn:
            return prepare_run(conn, config, ctx.run_id, dag_id=ctx.dag_id, batch_size=ctx.settings.feed_batch_size)

    @task(pool=FETCH_POOL, map_index_template="{{ feeds_label }}", execution_timeout=timedelta(minutes=30))
    def fetch_feeds(feed_ids: list[int]) -> dict[str, int]:
        return fetch_feeds_of_batch(feed_ids)

    @task(execution_timeout=timedelta(minutes=10))
    def plan_pages() -> list[int]:
        """Queue the pages of new or edited entries; returns batch numbers."""
        from newsflow.pipeline import plan_pages as plan

        ctx = run_context()
        with warehouse() as conn:
            return plan(conn, ctx.run_id, batch_size=ctx.settings.article_batch_size)

    @task(pool=FETCH_POOL, map_index_template="pages batch {{ batch_label }}", execution_timeout=timedelta(minutes=60))
    def fetch_articles(batch_no: int) -> dict[str, int]:
        """Fetch one batch of pages and extract each as soon as it is stored (fetch and extraction overlap)."""
        from newsflow.pipeline import fetch_extract_batch, record_stage

        ctx = run_context(batch_label=str(batch_no))
        with warehouse() as conn, http_tools() as (http, limiter, robots):
            with record_stage(conn, ctx.run_id, "fetch_articles", ctx.map_index) as info:
                counts = fetch_extract_batch(conn, ctx.run_id, batch_no, http=http, limiter=limiter, robots=robots,
                                             workers=ctx.settings.fetch_workers)
                info.update(counts)
        return counts

    @task(trigger_rule="none_failed", execution_timeout=timedelta(minutes=30))
    def group_stories() -> dict[str, int]:
        """Mark copies and group articles into stories; one transaction."""
        from newsflow.pipeline import group_stories as group
        from newsflow.pipeline import record_stage

        ctx = run_context()
        with warehouse() as conn:
            with record_stage(conn, ctx.run_id, "group_stories") as info:
                counts = group(conn, ctx.run_id, story_window_hours=ctx.settings.story_window_hours,
                               dedup_window_hours=ctx.settings.dedup_window_hours)
                info.update(counts)
        return counts

    @task(trigger_rule="none_failed", execution_timeout=timedelta(minutes=10))
    def data_checks() -> list[str]:
        """Hard checks fail the task (no retry); soft ones are returned as warnings for the run row."""
        from airflow.exceptions import AirflowFailException

        from newsflow.alerts import check_alert
        from newsflow.pipeline import run_data_checks

        ctx = run_context()
        with warehouse() as conn:
            result = run_data_checks(conn, ctx.run_id)
        notify(check_alert(ctx.run_id, result.hard_failures, result.warnings))
        if result.hard_failures:
            with warehouse() as conn:
                from newsflow.pipeline import finish_run

                finish_run(conn, ctx.run_id, warnings=result.hard_failures + result.warnings, status="failed")
            raise AirflowFailException("; ".join(result.hard_failures))
        return result.warnings

    @task(outlets=[WAREHOUSE_ASSET], execution_timeout=timedelta(minutes=10))
    def finish_run(warnings: list[str]) -> dict[str, int]:
        """Close the run row with its counts and announce the new warehouse state."""
        from newsflow.pipeline import finish_run as finish

        ctx = run_context()
        with warehouse() as conn:
            return finish(conn, ctx.run_id, warnings=warnings)

    batches = validate_feeds()
    fetched = fetch_feeds.expand(feed_ids=batches)
    pages = plan_pages()
    fetched >> pages
    extracted = fetch_articles.expand(batch_no=pages)
    grouped = group_stories()
    extracted >> grouped
    checks = data_checks()
    grouped >> checks
    finish_run(checks)


news_ingest()
