"""Stage: fetch a batch of feeds, parse them, and store entries, raw bytes, feed state and audit rows.

Each feed is written in its own transaction, so one bad feed never loses what the good ones delivered.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

import psycopg2.extensions

from newsflow.feed_state import FeedState, is_due, next_state, wants_full_fetch
from newsflow.http import HttpClient, body_hash
from newsflow.models import FeedEntry, FetchResult, ParsedFeed, Politeness, Validators
from newsflow.parse import parse_feed
from newsflow.pipeline.runs import run_clock
from newsflow.politeness import HostBusy, HostLimiter
from newsflow.urlnorm import canonicalize_url
from newsflow.warehouse.db import copy_rows, create_stage, load_sql, transaction

log = logging.getLogger(__name__)

ENTRY_COLUMNS = (
    "feed_id", "entry_key", "guid", "link", "url_key", "title", "summary", "authors", "published_at",
    "updated_at", "entry_hash", "first_seen_at", "last_seen_at", "first_run_id", "last_run_id",
)
RAW_COLUMNS = ("sha256", "kind", "url", "content_type", "http_headers", "size", "body_gz", "fetched_at")
#: Summaries are a preview; the page is the article. Keep rows small.
MAX_SUMMARY_CHARS = 2000
#: url_key is B-tree indexed (rows up to ~2700 bytes): an entry with a longer URL is kept but never fetched.
MAX_URL_KEY_BYTES = 2_000
#: HTTP headers worth keeping next to a raw document.
KEPT_HEADERS = ("content-type", "etag", "last-modified", "date", "cache-control", "content-language")


@dataclass
class FeedRow:
    feed_id: int
    outlet: str
    state: FeedState
    politeness: Politeness
    previous_keys: dict[str, str]  # GUID -> link of the last fetch, to spot GUIDs that change every time


@dataclass
class FeedOutcome:
    row: FeedRow
    result: FetchResult | None  # None: deferred (backoff / Retry-After)
    parsed: ParsedFeed | None
    full_fetch: bool


def read_feed_rows(conn: psycopg2.extensions.connection, feed_ids: list[int]) -> list[FeedRow]:
    with conn.cursor() as cur:
        cur.execute(load_sql("feed_states"), {"feed_ids": feed_ids})
        rows = cur.fetchall()
        cur.execute(load_sql("feed_previous_keys"), {"feed_ids": feed_ids})
        previous: dict[int, dict[str, str]] = {}
        for feed_id, guid, link in cur.fetchall():
            previous.setdefault(feed_id, {})[guid] = link
    conn.commit()
    out = []
    for (feed_id, url, outlet, _lang, etag, last_mod, bhash, identity, failures, next_at, last_full,
         redirect_url, redirect_count, min_delay, max_conc) in rows:
        state = FeedState(
            url=url, etag=etag, last_modified=last_mod, body_hash=bhash, consecutive_failures=failures,
            next_attempt_at=next_at, last_full_fetch_at=last_full, redirect_url=redirect_url,
            redirect_count=redirect_count, identity=identity,
        )
        out.append(FeedRow(feed_id, outlet, state, Politeness(float(min_delay), int(max_conc)),
                           previous.get(feed_id, {})))
    return out


def entry_hash(entry: FeedEntry) -> str:
    """Changes when the publisher edits the item (title, link or update time), which re-fetches its page."""
    basis = "\x1f".join([entry.title or "", entry.link or "", entry.updated_at.isoformat() if entry.updated_at else ""])
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()


def _url_key(link: str | None) -> str | None:
    key = canonicalize_url(link) if link else None
    return key if key and len(key.encode("utf-8", "replace")) <= MAX_URL_KEY_BYTES else None


def raw_row(result: FetchResult, kind: str, now: datetime) -> tuple:
    body = result.body or b""
    sha = hashlib.sha256(body).hexdigest()
    headers = {k: v for k, v in result.headers.items() if k.lower() in KEPT_HEADERS}
    return (sha, kind, result.final_url or result.url, result.content_type, json.dumps(headers), len(body),
            gzip.compress(body, compresslevel=6, mtime=0), now)


def store_raw(cur: psycopg2.extensions.cursor, rows: list[tuple]) -> None:
    if not rows:
        return
    create_stage(cur, "stage_raw", "raw_documents", RAW_COLUMNS)
    copy_rows(cur, "stage_raw", RAW_COLUMNS, rows)
    cur.execute(load_sql("upsert_raw_documents"))


def audit_params(run_id: str, feed_id: int | None, kind: str, result: FetchResult, raw_sha: str | None,
                 entries: int | None = None, new_entries: int | None = None) -> dict:
    return {
        "entries": entries, "new_entries": new_entries,
        "run_id": run_id, "feed_id": feed_id, "kind": kind, "url": result.url, "final_url": result.final_url,
        "status": result.status, "http_status": result.http_status, "bytes": result.bytes_read,
        "duration_ms": int(result.duration_s * 1000), "etag": result.etag, "last_modified": result.last_modified,
        "raw_sha256": raw_sha, "error": result.error,
    }


def _fetch_one(http: HttpClient, limiter: HostLimiter, row: FeedRow, now: datetime, max_entries: int) -> FeedOutcome:
    state = row.state
    if not is_due(state, now):
        return FeedOutcome(row, None, None, False)
    full = wants_full_fetch(state, now)
    validators = None if full else Validators(state.etag, state.last_modified, state.body_hash)
    try:
        with limiter.slot(state.url, row.politeness):
            result = http.fetch(state.url, kind="feed", validators=validators)
    except HostBusy:
        # The host stayed saturated by other fetches for the whole wait: try again next run, no failure counted.
        return FeedOutcome(row, None, None, False)
    parsed = None
    if result.status == "ok" and result.body is not None:
        parsed = parse_feed(
            result.body, url=result.final_url or state.url, content_type=result.content_type,
            charset=result.charset, max_entries=max_entries,
            previous_keys=row.previous_keys or None, previous_identity=state.identity,
        )
        if parsed.status != "ok":
            result.status = parsed.status
            result.error = parsed.error
    return FeedOutcome(row, result, parsed, full)


def _store_outcome(conn, run_id: str, out: FeedOutcome, now: datetime) -> dict[str, int]:
    row, result, parsed = out.row, out.result, out.parsed
    counts = {"fetched": 0, "not_modified": 0, "failed": 0, "deferred": 0, "entries": 0, "entries_new": 0}
    if result is None:
        counts["deferred"] = 1
        return counts
    with transaction(conn) as cur:
        raw_sha = None
        if result.status == "ok" and result.body is not None:
            raw = raw_row(result, "feed", now)
            raw_sha = raw[0]
            store_raw(cur, [raw])
        if parsed is not None and parsed.status == "ok":
            rows = [
                (row.feed_id, e.entry_key[:MAX_URL_KEY_BYTES // 4], e.guid, e.link, _url_key(e.link),
                 e.title, (e.summary or "")[:MAX_SUMMARY_CHARS] or None, e.authors, e.published_at, e.updated_at,
                 entry_hash(e), now, now, run_id, run_id)
                for e in parsed.entries
            ]
            create_stage(cur, "stage_entries", "feed_entries", ENTRY_COLUMNS)
            copy_rows(cur, "stage_entries", ENTRY_COLUMNS, rows)
            cur.execute(load_sql("upsert_feed_entries"))
            inserted = [r[0] for r in cur.fetchall()]
            counts["entries"] = len(inserted)
            counts["entries_new"] = sum(1 for r in inserted if r)
        update = next_state(
            row.state, result.status, now,
            etag=result.etag, last_modified=result.last_modified,
            body_hash=body_hash(result.body) if result.body is not None else None,
            retry_after=result.retry_after, permanent_redirect=result.permanent_redirect,
        )
        cur.execute(
            load_sql("update_feed_state"),
            {
                "feed_id": row.feed_id, "status": update.status, "http_status": result.http_status,
                "error": result.error, "etag": update.etag, "last_modified": update.last_modified,
                "body_hash": update.body_hash,
                "identity": parsed.identity if parsed is not None and parsed.status == "ok" else row.state.identity,
                "consecutive_failures": update.consecutive_failures, "attempted_at": now,
                "success": update.success, "full_fetch": out.full_fetch and result.status == "ok",
                "next_attempt_at": update.next_attempt_at, "redirect_url": update.redirect_url,
                "redirect_count": update.redirect_count, "new_url": update.new_url,
            },
        )
        listed = parsed is not None and parsed.status == "ok"
        cur.execute(load_sql("insert_fetch_log"), audit_params(
            run_id, row.feed_id, "feed", result, raw_sha,
            entries=counts["entries"] if listed else None, new_entries=counts["entries_new"] if listed else None))
    if result.status == "ok":
        counts["fetched"] = 1
    elif result.status == "not_modified":
        counts["not_modified"] = 1
    else:
        counts["failed"] = 1
        log.warning("feed %s (%s): %s: %s", row.state.url, row.outlet, result.status, result.error)
    return counts


def fetch_feed_batch(
    conn: psycopg2.extensions.connection,
    run_id: str,
    feed_ids: list[int],
    *,
    http: HttpClient,
    limiter: HostLimiter,
    workers: int = 8,
    max_entries: int = 500,
    now: datetime | None = None,
) -> dict[str, int]:
    """Fetch, parse and store one batch of feeds; returns counts for the run's XCom."""
    now = now or run_clock(conn, run_id)
    rows = read_feed_rows(conn, feed_ids)
    totals = {"feeds": len(rows), "fetched": 0, "not_modified": 0, "failed": 0, "deferred": 0,
              "entries": 0, "entries_new": 0}
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(rows) or 1))) as pool:
        futures = [pool.submit(_fetch_one, http, limiter, row, now, max_entries) for row in rows]
        # Stored in feed order as each completes in turn: memory holds at most one batch of feed bodies.
        for fut in futures:
            outcome = fut.result()
            for k, v in _store_outcome(conn, run_id, outcome, now).items():
                totals[k] += v
    return totals
