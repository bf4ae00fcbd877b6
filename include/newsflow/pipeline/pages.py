"""Stage: plan which article pages to fetch (new or edited entries only), then fetch one batch of them.

The plan lives in newsflow.article_queue, so mapped tasks receive only a batch number through XCom.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import NamedTuple

import psycopg2.extensions

from newsflow.http import HttpClient
from newsflow.models import FetchResult, Politeness
from newsflow.pipeline.feeds import audit_params, raw_row, store_raw
from newsflow.pipeline.runs import run_clock, run_feed_ids
from newsflow.politeness import HostBusy, HostLimiter, RobotsCache
from newsflow.warehouse.db import load_sql, transaction

log = logging.getLogger(__name__)

#: Entries not seen in a feed for this long are not fetched any more (their page fetch kept failing).
PAGE_RETRY_HOURS = 72
#: Page outcomes a later retry cannot change: the entry is marked done.
FINAL_PAGE_STATUSES = frozenset({"ok", "gone", "unsupported_content", "robots_disallowed", "forbidden_address",
                                 "invalid_url", "too_large", "redirect_loop"})


class QueueItem(NamedTuple):
    """One row of include/sql/dml/article_queue_batch.sql (also produced by replay_articles.sql)."""

    url_key: str
    link: str
    feed_id: int
    entry_key: str
    entry_hash: str
    fetch_status: str | None
    final_url: str | None
    raw_sha256: str | None
    title: str | None
    published_at: datetime | None
    authors: list[str] | None
    summary: str | None
    language: str | None
    outlet_id: int
    min_delay_s: float
    max_concurrency: int


def read_queue_batch(conn: psycopg2.extensions.connection, run_id: str, batch_no: int) -> list[QueueItem]:
    with conn.cursor() as cur:
        cur.execute(load_sql("article_queue_batch"), {"run_id": run_id, "batch_no": batch_no})
        items = [QueueItem(*row) for row in cur.fetchall()]
    conn.commit()
    return items


def plan_pages(conn: psycopg2.extensions.connection, run_id: str, *, batch_size: int) -> list[int]:
    """Queue the run's pages in batches; returns the batch numbers (idempotent for a run)."""
    feed_ids = run_feed_ids(conn, run_id)
    with transaction(conn) as cur:
        cur.execute(load_sql("mark_known_entries"))
        cur.execute(
            load_sql("plan_article_queue"),
            {"run_id": run_id, "batch_size": batch_size, "max_age_hours": PAGE_RETRY_HOURS, "feed_ids": feed_ids},
        )
        cur.execute(
            "SELECT DISTINCT batch_no FROM newsflow.article_queue WHERE run_id = %s ORDER BY batch_no", (run_id,)
        )
        return [r[0] for r in cur.fetchall()]


def _fetch_page(http: HttpClient, limiter: HostLimiter, robots: RobotsCache | None, link: str,
                politeness: Politeness) -> FetchResult:
    if robots is not None and not robots.allowed(link):
        return FetchResult(url=link, status="robots_disallowed",
                           error=f"robots.txt of {link.split('/')[2]} disallows {link}; not fetched")
    try:
        with limiter.slot(link, politeness):
            return http.fetch(link, kind="article")
    except HostBusy:
        return FetchResult(url=link, status="deferred",
                           error=f"{link.split('/')[2]} stayed busy for the whole politeness wait; retried next run")


def fetch_page_batch(
    conn: psycopg2.extensions.connection,
    run_id: str,
    batch_no: int,
    *,
    http: HttpClient,
    limiter: HostLimiter,
    robots: RobotsCache | None,
    workers: int = 8,
    now: datetime | None = None,
) -> dict[str, int]:
    """Fetch the pages of one queued batch; stores raw bytes and marks the queue. Returns counts."""
    now = now or run_clock(conn, run_id)
    items = read_queue_batch(conn, run_id, batch_no)
    # A retried task skips what its first attempt already fetched.
    todo = [it for it in items if it.fetch_status is None]
    counts = {"queued": len(items), "fetched": 0, "failed": 0, "skipped": len(items) - len(todo)}
    if not todo:
        return counts
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(todo)))) as pool:
        futures = [
            pool.submit(_fetch_page, http, limiter, robots, it.link,
                        Politeness(float(it.min_delay_s), int(it.max_concurrency)))
            for it in todo
        ]
        for it, fut in zip(todo, futures):
            url_key, link, feed_id, ehash = it.url_key, it.link, it.feed_id, it.entry_hash
            result = fut.result()
            with transaction(conn) as cur:
                raw_sha = None
                if result.status == "ok" and result.body:
                    raw = raw_row(result, "article", now)
                    raw_sha = raw[0]
                    store_raw(cur, [raw])
                elif result.status == "ok":
                    result.status, result.error = "http_error", f"{link} answered 200 with an empty body"
                cur.execute(load_sql("insert_fetch_log"), audit_params(run_id, feed_id, "article", result, raw_sha))
                cur.execute(
                    load_sql("update_queue_fetch"),
                    {"run_id": run_id, "url_key": url_key, "status": result.status,
                     "http_status": result.http_status, "final_url": result.final_url or link, "raw_sha256": raw_sha},
                )
                if result.status in FINAL_PAGE_STATUSES:
                    cur.execute(load_sql("mark_entry_fetched"), {"url_key": url_key, "entry_hash": ehash})
            if result.status == "ok":
                counts["fetched"] += 1
            else:
                counts["failed"] += 1
                log.info("page %s: %s (%s)", link, result.status, result.error)
    if robots is not None:
        # robots.txt fetches are fetches too: each leaves its audit row.
        robots_fetches = robots.drain_results()
        if robots_fetches:
            with transaction(conn) as cur:
                for res in robots_fetches:
                    cur.execute(load_sql("insert_fetch_log"), audit_params(run_id, None, "robots", res, None))
    return counts
