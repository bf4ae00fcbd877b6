"""Stage: fetch a batch of feeds, parse them, and store entries, raw bytes, feed state and audit rows.

Feeds are written FEED_WRITE_CHUNK to a transaction; one bad feed never loses what the good ones delivered.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

import psycopg2
import psycopg2.extensions
from psycopg2.extras import execute_batch

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
#: Feeds stored per transaction: per feed, two stage tables, their COPYs and a commit cost more than the rows
#: themselves. A feed batch (NEWSFLOW_FEED_BATCH_SIZE, 25 by default) is then one transaction; its bodies are
#: in memory anyway, as the whole batch is fetched at once.
FEED_WRITE_CHUNK = 25


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
    raw: tuple | None = None  # raw_documents row of an ok feed (the result keeps no body)
    body_hash: str | None = None


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
    raw = bhash = None
    if result.body is not None:
        # In the worker: zlib and sha256 release the GIL, so this overlaps other fetches and the writer.
        raw = raw_row(result, "feed", now) if result.status == "ok" else None
        bhash = raw[0] if raw else body_hash(result.body)
    # Parsed entries and the gzipped copy are all that is stored: the decoded body can go.
    result.body = None
    return FeedOutcome(row, result, parsed, full, raw, bhash)


def _store_outcomes(conn: psycopg2.extensions.connection, run_id: str, outs: list[FeedOutcome],
                    now: datetime) -> dict[str, int]:
    """One transaction for these feeds: raw bytes, entries, feed state and an audit row each."""
    counts = {"fetched": 0, "not_modified": 0, "failed": 0, "deferred": 0, "entries": 0, "entries_new": 0}
    fetched = [o for o in outs if o.result is not None]
    counts["deferred"] = len(outs) - len(fetched)
    if not fetched:
        return counts
    listed = {o.row.feed_id: o for o in fetched if o.parsed is not None and o.parsed.status == "ok"}
    inserted: dict[int, list[bool]] = {feed_id: [] for feed_id in listed}  # per upserted entry: was it new
    with transaction(conn) as cur:
        store_raw(cur, [o.raw for o in fetched if o.raw is not None])
        if listed:
            rows = [
                (o.row.feed_id, e.entry_key[:MAX_URL_KEY_BYTES // 4], e.guid, e.link, _url_key(e.link),
                 e.title, (e.summary or "")[:MAX_SUMMARY_CHARS] or None, e.authors, e.published_at, e.updated_at,
                 entry_hash(e), now, now, run_id, run_id)
                for o in listed.values() for e in o.parsed.entries
            ]
            create_stage(cur, "stage_entries", "feed_entries", ENTRY_COLUMNS)
            copy_rows(cur, "stage_entries", ENTRY_COLUMNS, rows)
            cur.execute(load_sql("upsert_feed_entries"))
            for feed_id, new in cur.fetchall():
                inserted[feed_id].append(new)
        states, audits = [], []
        for o in fetched:
            row, result = o.row, o.result
            update = next_state(
                row.state, result.status, now,
                etag=result.etag, last_modified=result.last_modified, body_hash=o.body_hash,
                retry_after=result.retry_after, permanent_redirect=result.permanent_redirect,
            )
            states.append({
                "feed_id": row.feed_id, "status": update.status, "http_status": result.http_status,
                "error": result.error, "etag": update.etag, "last_modified": update.last_modified,
                "body_hash": update.body_hash,
                "identity": o.parsed.identity if row.feed_id in listed else row.state.identity,
                "consecutive_failures": update.consecutive_failures, "attempted_at": now,
                "success": update.success, "full_fetch": o.full_fetch and result.status == "ok",
                "next_attempt_at": update.next_attempt_at, "redirect_url": update.redirect_url,
                "redirect_count": update.redirect_count, "new_url": update.new_url,
            })
            new = inserted.get(row.feed_id)
            audits.append(audit_params(
                run_id, row.feed_id, "feed", result, o.raw[0] if o.raw else None,
                entries=len(new) if new is not None else None, new_entries=sum(new) if new is not None else None))
        # page_size covers the whole list: each execute_batch is one round trip.
        execute_batch(cur, load_sql("update_feed_state"), states, page_size=len(states))
        execute_batch(cur, load_sql("insert_fetch_log"), audits, page_size=len(audits))
    for o in fetched:
        if o.result.status == "ok":
            counts["fetched"] += 1
        elif o.result.status == "not_modified":
            counts["not_modified"] += 1
        else:
            counts["failed"] += 1
            log.warning("feed %s (%s): %s: %s", o.row.state.url, o.row.outlet, o.result.status, o.result.error)
    counts["entries"] = sum(len(new) for new in inserted.values())
    counts["entries_new"] = sum(sum(new) for new in inserted.values())
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
        # Stored in feed order, a chunk as soon as all of its feeds are fetched.
        for start in range(0, len(futures), FEED_WRITE_CHUNK):
            chunk = [fut.result() for fut in futures[start:start + FEED_WRITE_CHUNK]]
            for k, v in _store_chunk(conn, run_id, chunk, now).items():
                totals[k] += v
    return totals


def _store_chunk(conn: psycopg2.extensions.connection, run_id: str, chunk: list[FeedOutcome],
                 now: datetime) -> dict[str, int]:
    try:
        return _store_outcomes(conn, run_id, chunk, now)
    except (psycopg2.Error, ValueError):
        if len(chunk) == 1:
            raise
        # The database refused something in the chunk: one transaction per feed keeps the good feeds, and the
        # bad one raises as it would have alone.
        log.warning("storing %d feeds in one transaction failed; storing them one by one", len(chunk))
    counts: dict[str, int] = {}
    for outcome in chunk:
        for k, v in _store_outcomes(conn, run_id, [outcome], now).items():
            counts[k] = counts.get(k, 0) + v
    return counts
