"""Hostile content from the web round-trips into the warehouse, or is bounded, never killing the batch:
quotes, backslashes, NUL bytes, broken surrogates, SQL fragments, 1 MB titles, huge texts."""

from __future__ import annotations

from newsflow.models import ExtractedArticle
from newsflow.pipeline.articles import MAX_TEXT_CHARS, MAX_TITLE_CHARS, article_row, upsert_article_rows
from newsflow.pipeline.pages import QueueItem
from newsflow.warehouse.db import transaction

SQL = "'); DROP TABLE newsflow.articles; -- \\\\ \" $$ E'\\x00' COPY"


def _item(conn, url_key: str) -> QueueItem:
    with transaction(conn) as cur:
        cur.execute("INSERT INTO newsflow.outlets (name) VALUES (%s) ON CONFLICT (name) DO UPDATE SET name = "
                    "EXCLUDED.name RETURNING outlet_id", ("O'Brien \"Daily\" \\ News",))
        (outlet_id,) = cur.fetchone()
        cur.execute("INSERT INTO newsflow.feeds (declared_url, url, outlet_id) VALUES ('u', 'u', %s) "
                    "ON CONFLICT (declared_url) DO UPDATE SET url = 'u' RETURNING feed_id", (outlet_id,))
        (feed_id,) = cur.fetchone()
    return QueueItem(url_key, url_key, feed_id, "k", "h", "ok", url_key, None, None, None, None, None, "en",
                     outlet_id, 0.0, 1)


def _load(conn, item: QueueItem, art: ExtractedArticle) -> None:
    from datetime import datetime, timezone

    row = article_row(item, art, run_id="r", now=datetime.now(timezone.utc), extractor_version="t")
    with transaction(conn) as cur:
        upsert_article_rows(cur, [row])


def test_hostile_text_round_trips(warehouse):
    text = "\n".join([
        "Tab\tand backslash \\ and \\n literal and \"quotes\" and 'single' and <script>alert(1)</script>.",
        SQL,
        "NUL here:\x00 gone; broken surrogate: \ud800 replaced; emoji \U0001F600 kept; RTL \u202e text.",
    ])
    art = ExtractedArticle(status="ok", title=f"Title {SQL}", text=text, authors=["A \"B\" \\ C", SQL],
                           tags=["x,y", "{z}"], language="en", word_count=20, method="test")
    _load(warehouse, _item(warehouse, "https://h.example/1"), art)
    with warehouse.cursor() as cur:
        cur.execute("SELECT title, text, authors, tags FROM newsflow.articles")
        title, stored, authors, tags = cur.fetchone()
        cur.execute("SELECT count(*) FROM newsflow.articles")  # the table is still there
    warehouse.commit()
    assert title == f"Title {SQL}"
    assert stored == text.replace("\x00", "").replace("\ud800", "\ufffd")
    assert authors == ["A \"B\" \\ C", SQL] and tags == ["x,y", "{z}"]


def test_huge_title_and_text_are_bounded_not_fatal(warehouse):
    big_title = "T" * 1_000_000
    words = " ".join(f"w{i}" for i in range(150_000))  # ~1 MB of distinct words: would overflow a tsvector
    art = ExtractedArticle(status="ok", title=big_title, text=words, language="en", word_count=150_000, method="t")
    _load(warehouse, _item(warehouse, "https://h.example/big"), art)
    with warehouse.cursor() as cur:
        cur.execute("SELECT length(title), length(text), search @@ to_tsquery('simple', 'w10') "
                    "FROM newsflow.articles")
        title_len, text_len, found = cur.fetchone()
    warehouse.commit()
    assert title_len == MAX_TITLE_CHARS and text_len == MAX_TEXT_CHARS and found


def test_failed_extraction_is_recorded_with_its_status(warehouse):
    art = ExtractedArticle(status="failed", error="page over 5 MB")
    _load(warehouse, _item(warehouse, "https://h.example/fail"), art)
    with warehouse.cursor() as cur:
        cur.execute("SELECT extraction_status, text FROM newsflow.articles")
        assert cur.fetchone() == ("failed", "")
    warehouse.commit()
