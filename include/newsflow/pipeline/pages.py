"""Stage: plan which article pages to fetch (new or edited entries only), then fetch one batch of them.

The plan lives in newsflow.article_queue, so mapped tasks receive only a batch number through XCom.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import datetime
from typing import NamedTuple

import psycopg2.extensions
from psycopg2.extras import execute_batch

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
#: Pages stored per transaction. Per page, a commit (WAL flush), a stage table and a one-row COPY cost more than
#: the fetch itself; 50 pages share them. Larger chunks gain little more, while a killed or failed task redoes up
#: to one chunk of fetches, and memory holds one chunk of gzipped bodies (an article may be 20 MB decoded).
PAGE_WRITE_CHUNK = 50
#: Fetches submitted but not yet collected, per worker: every worker stays busy while a chunk is written, and
#: bodies never pile up beyond workers * this (a batch is submitted lazily, not all at once).
IN_FLIGHT_PER_WORKER = 2


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


class PageOutcome(NamedTuple):
    """One fetched page, ready to store: `raw` is its raw_documents row (ok pages only), `result` has no body;
    `body` is the decoded body of an ok page when a consumer extracts it right away, else None."""

    item: QueueItem
    result: FetchResult
    raw: tuple | None
    body: bytes | None = None


def _fetch_and_pack(http: HttpClient, limiter: HostLimiter, robots: RobotsCache | None, item: QueueItem,
                    now: datetime, keep_body: bool = False) -> PageOutcome:
    result = _fetch_page(http, limiter, robots, item.link,
                         Politeness(float(item.min_delay_s), int(item.max_concurrency)))
    raw = None
    if result.status == "ok" and result.body:
        # In the worker: zlib and sha256 release the GIL, so this overlaps other fetches and the writer.
        raw = raw_row(result, "article", now)
    elif result.status == "ok":
        result.status, result.error = "http_error", f"{item.link} answered 200 with an empty body"
    # Only the gzipped copy is stored: dropping the decoded body keeps waiting outcomes small.
    body, result.body = (result.body if raw is not None and keep_body else None), None
    return PageOutcome(item, result, raw, body)


def fetched_item(outcome: PageOutcome) -> QueueItem:
    """The queue item as the queue row reads once `outcome` is stored (see update_queue_fetch.sql)."""
    o = outcome
    return o.item._replace(fetch_status=o.result.status, final_url=o.result.final_url or o.item.link,
                           raw_sha256=o.raw[0] if o.raw else None)


def _store_chunk(conn: psycopg2.extensions.connection, run_id: str, chunk: list[PageOutcome],
                 robots_fetches: list[FetchResult]) -> None:
    """One transaction for the chunk: all of its pages are recorded, or none (a retry fetches them again)."""
    # One row order for every writer: two tasks storing the same raw bytes or entries cannot deadlock.
    chunk = sorted(chunk, key=lambda o: o.item.url_key)
    audits = [audit_params(run_id, o.item.feed_id, "article", o.result, o.raw[0] if o.raw else None)
              for o in chunk]
    # robots.txt fetches are fetches too: each leaves its audit row, with the pages that needed it.
    audits += [audit_params(run_id, None, "robots", res, None) for res in robots_fetches]
    queue = [{"run_id": run_id, "url_key": o.item.url_key, "status": o.result.status,
              "http_status": o.result.http_status, "final_url": o.result.final_url or o.item.link,
              "raw_sha256": o.raw[0] if o.raw else None} for o in chunk]
    done = [{"url_key": o.item.url_key, "entry_hash": o.item.entry_hash}
            for o in chunk if o.result.status in FINAL_PAGE_STATUSES]
    with transaction(conn) as cur:
        store_raw(cur, [o.raw for o in chunk if o.raw is not None])
        _execute_all(cur, "insert_fetch_log", audits)
        _execute_all(cur, "update_queue_fetch", queue)
        _execute_all(cur, "mark_entry_fetched", done)


def _execute_all(cur: psycopg2.extensions.cursor, name: str, params: list[dict]) -> None:
    """The named statement once per parameter set, sent in one round trip."""
    if params:
        execute_batch(cur, load_sql(name), params, page_size=len(params))


def _completed_chunks(submit: Callable[[QueueItem], Future], todo: list[QueueItem],
                      max_in_flight: int) -> Iterator[list[PageOutcome]]:
    """Outcomes in completion order, PAGE_WRITE_CHUNK at a time (the last chunk may be shorter).

    At most `max_in_flight` fetches are submitted and not yet collected, so memory holds one chunk plus what is in
    flight however large the batch, and a slow host holds up no other page.
    """
    pending = iter(todo)
    in_flight = {submit(it) for it in itertools.islice(pending, max_in_flight)}
    chunk: list[PageOutcome] = []
    while in_flight:
        done, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
        failures = [fut.exception() for fut in done if fut.exception() is not None]
        chunk += [fut.result() for fut in done if fut.exception() is None]
        if failures:
            # What completed is still stored, as it was when pages were stored one by one; then the task fails.
            if chunk:
                yield chunk
            raise failures[0]
        # Refilled before the chunk is written, so the workers fetch while the writer waits on the database.
        in_flight |= {submit(it) for it in itertools.islice(pending, max_in_flight - len(in_flight))}
        while len(chunk) >= PAGE_WRITE_CHUNK:
            yield chunk[:PAGE_WRITE_CHUNK]
            chunk = chunk[PAGE_WRITE_CHUNK:]
    if chunk:
        yield chunk


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
    on_stored: Callable[[list[tuple[QueueItem, bytes]]], None] | None = None,
) -> dict[str, int]:
    """Fetch the pages of one queued batch; stores raw bytes and marks the queue. Returns counts.

    Pages are stored as they complete, PAGE_WRITE_CHUNK to a transaction. `on_stored`, if given, receives the ok
    pages of every chunk once it is committed, as (queue item updated with the fetch, decoded body); it may block
    to slow the fetch down, and what it raises fails the batch like a storage error.
    """
    now = now or run_clock(conn, run_id)
    items = read_queue_batch(conn, run_id, batch_no)
    # A retried task skips what its first attempt already stored (whole chunks: see _store_chunk).
    todo = [it for it in items if it.fetch_status is None]
    counts = {"queued": len(items), "fetched": 0, "failed": 0, "skipped": len(items) - len(todo)}
    if not todo:
        return counts
    workers = max(1, min(workers, len(todo)))
    pool = ThreadPoolExecutor(max_workers=workers)
    try:
        keep = on_stored is not None
        chunks = _completed_chunks(lambda it: pool.submit(_fetch_and_pack, http, limiter, robots, it, now, keep),
                                   todo, workers * IN_FLIGHT_PER_WORKER)
        for chunk in chunks:
            _store_chunk(conn, run_id, chunk, robots.drain_results() if robots is not None else [])
            if on_stored is not None:
                on_stored([(fetched_item(o), o.body) for o in chunk if o.raw is not None and o.body is not None])
            for o in chunk:
                if o.result.status == "ok":
                    counts["fetched"] += 1
                else:
                    counts["failed"] += 1
                    log.info("page %s: %s (%s)", o.item.link, o.result.status, o.result.error)
    finally:
        # After an error, pages not yet started are dropped; running fetches end within their own deadlines.
        pool.shutdown(wait=True, cancel_futures=True)
    if robots is not None and (robots_fetches := robots.drain_results()):
        _store_chunk(conn, run_id, [], robots_fetches)
    return counts
