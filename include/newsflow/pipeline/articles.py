"""Extraction of fetched pages into article rows, and their load (fetch_articles and replay call these).

One transaction per batch: COPY into a staging table, archive changed versions, then INSERT ... ON CONFLICT.
"""

from __future__ import annotations

import gzip
import logging
from datetime import datetime

import psycopg2.extensions

from newsflow.dedup import normalized_text_hash, text_signature
from newsflow.extract import extract_article
from newsflow.features import FEATURE_COLUMNS, feature_row
from newsflow.models import (
    MAX_FIELD_CHARS,
    MAX_TEXT_CHARS,
    MAX_TITLE_CHARS,
    EntryHints,
    ExtractedArticle,
)
from newsflow.pipeline.pages import QueueItem, read_queue_batch
from newsflow.pipeline.runs import versions
from newsflow.provenance import PROVENANCE_VERSION, write_provenance
from newsflow.urlnorm import canonicalize_url
from newsflow.warehouse.db import copy_rows, create_stage, load_sql, transaction

log = logging.getLogger(__name__)

ARTICLE_COLUMNS = (
    "url_key", "url", "final_url", "canonical_url", "outlet_id", "feed_id", "title", "text", "description",
    "authors", "published_at", "updated_at", "language", "section", "tags", "image_url", "site_name",
    "word_count", "extraction_status", "extraction_method", "extractor_version", "content_hash", "signature",
    "raw_sha256", "first_seen_at", "last_changed_at", "first_run_id",
)
_TITLE, _TEXT = ARTICLE_COLUMNS.index("title"), ARTICLE_COLUMNS.index("text")
#: Per-page budget; a pathological page fails alone with a status.
EXTRACT_DEADLINE_S = 10.0
MAX_LIST_ITEMS = 50
#: canonical_url is B-tree indexed (rows up to ~2700 bytes): a longer one is dropped, not cut (a cut URL lies).
MAX_INDEXED_URL_BYTES = 2_000


def _cut(value: str | None, limit: int) -> str | None:
    if value is None or len(value) <= limit:
        return value
    return value[: limit - 1] + "…"


def _cut_list(values: list[str]) -> list[str]:
    return [_cut(v, MAX_FIELD_CHARS) for v in values[:MAX_LIST_ITEMS]]


def raw_bodies(cur: psycopg2.extensions.cursor, shas: list[str]) -> dict[str, bytes]:
    cur.execute("SELECT sha256, body_gz FROM newsflow.raw_documents WHERE sha256 = ANY(%s)", (shas,))
    return {sha: gzip.decompress(bytes(body)) for sha, body in cur.fetchall()}


def article_row(
    item: QueueItem, art: ExtractedArticle, *, run_id: str, now: datetime, extractor_version: str
) -> tuple:
    ok = art.status == "ok"
    canonical = canonicalize_url(art.canonical_url) if art.canonical_url else None
    if canonical and len(canonical.encode("utf-8", "replace")) > MAX_INDEXED_URL_BYTES:
        canonical = None
    text = (_cut(art.text, MAX_TEXT_CHARS) or "") if ok else ""
    return (
        item.url_key, item.link, item.final_url, canonical, item.outlet_id, item.feed_id,
        _cut(art.title, MAX_TITLE_CHARS), text, _cut(art.description, MAX_FIELD_CHARS), _cut_list(art.authors),
        art.published_at, art.updated_at, _cut(art.language, 16), _cut(art.section, MAX_FIELD_CHARS),
        _cut_list(art.tags), _cut(art.image_url, MAX_FIELD_CHARS), _cut(art.site_name, MAX_FIELD_CHARS),
        art.word_count, art.status, art.method, extractor_version, normalized_text_hash(text) if ok else None,
        text_signature(text) if ok else None, item.raw_sha256, now, now, run_id,
    )


def extract_item(item: QueueItem, body: bytes | None, *, run_id: str, now: datetime,
                 extractor_version: str) -> tuple[tuple, str, tuple | None]:
    """One fetched page as a staging row, its extraction status (a failure is a status, never an exception) and,
    for a good article, the staging row of its story features (newsflow.features)."""
    it = item
    hints = EntryHints(title=it.title, published_at=it.published_at, authors=list(it.authors or []),
                       language=it.language, summary=it.summary)
    if body is None:
        art = ExtractedArticle(status="failed", error=f"raw document {it.raw_sha256} is missing: was it pruned?")
    else:
        art = extract_article(body, it.final_url or it.link, hints=hints, deadline_s=EXTRACT_DEADLINE_S)
    row = article_row(it, art, run_id=run_id, now=now, extractor_version=extractor_version)
    # Features of the title and text as stored (cut to the warehouse bounds), i.e. what the grouping will read.
    features = feature_row(it.url_key, row[_TITLE], row[_TEXT], it.link) if art.status == "ok" else None
    return row, art.status, features


def extract_items(
    items: list[QueueItem], bodies: dict[str, bytes], *, run_id: str, now: datetime
) -> tuple[list[tuple], dict[str, int], list[tuple]]:
    """Extract every fetched page; returns staging rows, a count per extraction status, and feature rows."""
    extractor_version = versions()["extractor"]
    rows, statuses, features = [], {}, []
    for it in items:
        row, status, feats = extract_item(it, bodies.get(it.raw_sha256 or ""), run_id=run_id, now=now,
                                          extractor_version=extractor_version)
        statuses[status] = statuses.get(status, 0) + 1
        rows.append(row)
        if feats is not None:
            features.append(feats)
    return rows, statuses, features


def upsert_article_rows(cur: psycopg2.extensions.cursor, rows: list[tuple], *,
                        analyse_provenance: bool = True) -> tuple[int, int]:
    """Stage, archive what changes, upsert, analyse provenance of the changed; returns (new, changed).

    Leaves stage_articles for the caller. Runs inside the caller's transaction: all of it lands or none.
    """
    create_stage(cur, "stage_articles", "articles", ARTICLE_COLUMNS)
    copy_rows(cur, "stage_articles", ARTICLE_COLUMNS, rows)
    cur.execute(load_sql("archive_article_revisions"))
    cur.execute(load_sql("upsert_articles"))
    inserted = [r[0] for r in cur.fetchall()]
    if analyse_provenance:
        cur.execute(load_sql("provenance_inputs"), {"provenance_version": PROVENANCE_VERSION})
        write_provenance(cur, cur.fetchall())
    return sum(inserted), len(inserted) - sum(inserted)


def stored_pages(conn: psycopg2.extensions.connection, run_id: str, batch_no: int) -> tuple[list[QueueItem], dict]:
    """The batch's pages fetched ok (by this run or an earlier attempt) and their decoded bodies by sha256."""
    items = [it for it in read_queue_batch(conn, run_id, batch_no) if it.fetch_status == "ok" and it.raw_sha256]
    with conn.cursor() as cur:
        bodies = raw_bodies(cur, sorted({it.raw_sha256 for it in items}))
    conn.commit()
    return items, bodies


def upsert_features(cur: psycopg2.extensions.cursor, features: list[tuple]) -> None:
    """Store the feature rows of extract_item (keyed by url_key) for articles already upserted in this
    transaction."""
    if not features:
        return
    create_stage(cur, "stage_features", "article_features", FEATURE_COLUMNS[1:])
    cur.execute("ALTER TABLE stage_features ADD COLUMN url_key text")
    copy_rows(cur, "stage_features", FEATURE_COLUMNS, features)
    cur.execute(load_sql("upsert_article_features"))


def store_articles(conn: psycopg2.extensions.connection, run_id: str, rows: list[tuple],
                   features: list[tuple] = ()) -> tuple[int, int]:
    """Upsert a batch's article rows and their story features, mark their queue rows, in one transaction;
    returns (new, changed)."""
    if not rows:
        return 0, 0
    with transaction(conn) as cur:
        new, changed = upsert_article_rows(cur, rows)
        upsert_features(cur, features)
        cur.execute(
            """UPDATE newsflow.article_queue q SET extract_status = s.extraction_status
               FROM stage_articles s WHERE q.run_id = %s AND q.url_key = s.url_key""",
            (run_id,),
        )
    return new, changed
