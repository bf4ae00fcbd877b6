"""Run every stage of news_ingest in one process, in DAG order, without Airflow.

For tests of the stages, the benchmark's floor, and embedding newsflow in other schedulers; the DAG is the product.
"""

from __future__ import annotations

from newsflow.feeds_config import FeedsConfig
from newsflow.http import HttpClient, HttpSettings
from newsflow.pipeline.checks import run_data_checks
from newsflow.pipeline.feeds import fetch_feed_batch
from newsflow.pipeline.fetch_extract import fetch_extract_batch
from newsflow.pipeline.grouping import group_stories
from newsflow.pipeline.pages import plan_pages
from newsflow.pipeline.runs import finish_run, prepare_run
from newsflow.politeness import HostLimiter, RobotsCache
from newsflow.settings import Settings
from newsflow.warehouse import connect


def run_inline(
    url: str, config: FeedsConfig, run_id: str, *, settings: Settings | None = None,
    http_settings: HttpSettings | None = None,
) -> dict[str, int]:
    """One full run; returns the run's counts as `finish_run` derives them."""
    settings = settings or Settings.from_env()
    conn = connect(url)
    try:
        with HttpClient(http_settings or HttpSettings.from_env()) as http:
            limiter, robots = HostLimiter(), RobotsCache(http)
            batches = prepare_run(conn, config, run_id, dag_id="inline", batch_size=settings.feed_batch_size)
            for feed_ids in batches:
                fetch_feed_batch(conn, run_id, feed_ids, http=http, limiter=limiter, workers=settings.fetch_workers,
                                 max_entries=settings.max_entries_per_feed)
            for batch_no in plan_pages(conn, run_id, batch_size=settings.article_batch_size):
                fetch_extract_batch(conn, run_id, batch_no, http=http, limiter=limiter, robots=robots,
                                    workers=settings.fetch_workers)
        group_stories(conn, run_id, story_window_hours=settings.story_window_hours,
                      dedup_window_hours=settings.dedup_window_hours)
        checks = run_data_checks(conn, run_id)
        status = "failed" if checks.hard_failures else "success"
        return finish_run(conn, run_id, warnings=checks.hard_failures + checks.warnings, status=status)
    finally:
        conn.close()
