"""
### newsflow operations DAGs

- **news_fast_fetch**: feeds with `tier: fast` in the feeds file, polled often (`NEWSFLOW_FAST_SCHEDULE`, default
  every 15 minutes). It only fetches the feeds and stores their entries and raw bytes; the daily `news_ingest`
  run fetches and cleans the pages of everything the fast polls found, so no item slips out of a short feed window.
- **news_digest**: runs whenever `news_ingest` updates the `newsflow_warehouse` Asset; lists silent feeds (nothing
  new for 3x their usual gap, at least a day) and failing feeds, logs the digest and sends it to the configured
  alert channels (connections `newsflow_alerts_webhook`, `newsflow_alerts_smtp`).
- **news_replay**: rebuilds articles, copies and stories of a past day from the stored raw documents, offline.
  Paused at creation; run it for past dates with
  `airflow backfill create --dag-id news_replay --from-date 2026-11-01 --to-date 2026-11-03`.
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
    notify,
    run_context,
    warehouse,
)


@dag(
    dag_id="news_fast_fetch",
    schedule=os.environ.get("NEWSFLOW_FAST_SCHEDULE", "*/15 * * * *"),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(minutes=30),
    default_args=default_args(),
    tags=["newsflow", "news", "fast"],
    doc_md=__doc__,
    params={"feeds_file": Param(None, type=["null", "string"], description="feeds file; default NEWSFLOW_FEEDS")},
)
def news_fast_fetch():
    @task(execution_timeout=timedelta(minutes=5))
    def validate_fast_feeds() -> list[list[int]]:
        from newsflow.feeds_config import load_feeds
        from newsflow.pipeline import prepare_run

        ctx = run_context()
        with warehouse() as conn:
            return prepare_run(conn, load_feeds(ctx.feeds_file), ctx.run_id, dag_id=ctx.dag_id,
                               batch_size=ctx.settings.feed_batch_size, tier="fast")

    @task(pool=FETCH_POOL, map_index_template="{{ feeds_label }}", execution_timeout=timedelta(minutes=10))
    def fetch_fast_feeds(feed_ids: list[int]) -> dict[str, int]:
        return fetch_feeds_of_batch(feed_ids)

    @task(trigger_rule="none_failed", execution_timeout=timedelta(minutes=5))
    def close_fast_run() -> dict[str, int]:
        from newsflow.pipeline import finish_run

        ctx = run_context()
        with warehouse() as conn:
            return finish_run(conn, ctx.run_id)

    fetch_fast_feeds.expand(feed_ids=validate_fast_feeds()) >> close_fast_run()


@dag(
    dag_id="news_digest",
    schedule=[WAREHOUSE_ASSET],
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    tags=["newsflow", "news", "alerts"],
    doc_md=__doc__,
)
def news_digest():
    @task(execution_timeout=timedelta(minutes=10))
    def send_digest() -> dict[str, int]:
        from datetime import timezone

        from newsflow.alerts import digest_alert, silent_and_failing_feeds
        from newsflow.report import counts, format_summary

        with warehouse() as conn:
            silent, failing = silent_and_failing_feeds(conn, datetime.now(timezone.utc))
            summary = format_summary(counts(conn), [])
        notify(digest_alert(silent, failing, summary))
        return {"silent": len(silent), "failing": len(failing)}

    send_digest()


@dag(
    dag_id="news_replay",
    schedule="@daily",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    is_paused_upon_creation=True,
    max_active_runs=1,
    default_args=default_args(),
    tags=["newsflow", "news", "replay"],
    doc_md=__doc__,
)
def news_replay():
    @task(execution_timeout=timedelta(hours=2))
    def replay_day() -> dict[str, int]:
        """Replay the ingest runs that started inside this run's data interval."""
        from airflow.sdk import get_current_context

        from newsflow.pipeline.replay import replay

        ctx = run_context()
        airflow_ctx = get_current_context()
        since = airflow_ctx.get("data_interval_start") or airflow_ctx["logical_date"]
        until = airflow_ctx.get("data_interval_end") or since + timedelta(days=1)
        with warehouse() as conn:
            return replay(conn, since, until=until, story_window_hours=ctx.settings.story_window_hours,
                          dedup_window_hours=ctx.settings.dedup_window_hours)

    replay_day()


news_fast_fetch()
news_digest()
news_replay()
