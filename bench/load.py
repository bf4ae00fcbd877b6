"""Warehouse load benchmark: our article loader (COPY into a staging table, archive changed versions, upsert)
against a bare COPY of the same rows into the same table, side by side in one process, on fresh databases.

Usage: .venv/bin/python bench/load.py [--rows 100000] [--batch 250] [--server postgresql://postgres@127.0.0.1:5432/postgres]
Prints rows/s for both and the ratio; issue 6 asks that the loader stay within 2x of the bare COPY.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
import uuid
from datetime import datetime, timezone
from urllib.parse import urlsplit, urlunsplit

import psycopg2
from psycopg2 import sql

from newsflow.dedup import normalized_text_hash, text_signature
from newsflow.pipeline.articles import ARTICLE_COLUMNS, upsert_article_rows
from newsflow.warehouse import connect
from newsflow.warehouse.db import copy_rows, transaction
from newsflow.warehouse.migrate import migrate

WORDS = ("port strike union deal minister storm coast power bridge collapse inspection bank rate inflation "
         "election mayor vote council rebels city troops siege ferry harbour workers pay crowns percent "
         "government police river engineers report families shelter wind homes officials said Tuesday").split()


def _db_url(server: str, name: str) -> str:
    p = urlsplit(server)
    return urlunsplit((p.scheme, p.netloc, "/" + name, p.query, p.fragment))


def _fresh_db(server: str) -> tuple[str, str, int, int]:
    name = f"nf_bench_load_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(server)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    admin.close()
    url = _db_url(server, name)
    conn = connect(url)
    migrate(conn)
    with transaction(conn) as cur:
        cur.execute("INSERT INTO newsflow.outlets (name) VALUES ('Bench Daily') RETURNING outlet_id")
        (outlet_id,) = cur.fetchone()
        cur.execute("INSERT INTO newsflow.feeds (declared_url, url, outlet_id) VALUES ('b', 'b', %s) "
                    "RETURNING feed_id", (outlet_id,))
        (feed_id,) = cur.fetchone()
    conn.close()
    return url, name, outlet_id, feed_id


def _drop(server: str, name: str) -> None:
    admin = psycopg2.connect(server)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    admin.close()


def make_rows(n: int, outlet_id: int, feed_id: int, seed: int = 0) -> list[tuple]:
    """Article rows as the extraction stage stages them (~150-word bodies), built before any timing."""
    rnd = random.Random(seed)
    now = datetime(2026, 11, 24, 12, tzinfo=timezone.utc)
    rows = []
    for i in range(n):
        text = "\n".join(" ".join(rnd.choice(WORDS) for _ in range(30)) + f" {i}." for _ in range(5))
        title = " ".join(rnd.choice(WORDS) for _ in range(9)).capitalize()
        url = f"https://bench.example/{i // 1000}/{i}.html"
        rows.append((url, url, url, url, outlet_id, feed_id, title, text, None, ["Bench Reporter"], now, None,
                     "en", "World", ["world"], None, "Bench Daily", 150, "ok", "bench", "bench",
                     normalized_text_hash(text), text_signature(text), None, now, now, "bench-run"))
    return rows


def load_ours(url: str, rows: list[tuple], batch: int) -> float:
    conn = connect(url)
    t0 = time.perf_counter()
    for start in range(0, len(rows), batch):
        with transaction(conn) as cur:
            upsert_article_rows(cur, rows[start : start + batch], analyse_provenance=False)
    took = time.perf_counter() - t0
    conn.close()
    return took


def load_bare_copy(url: str, rows: list[tuple], batch: int) -> float:
    conn = connect(url)
    t0 = time.perf_counter()
    for start in range(0, len(rows), batch):
        with transaction(conn) as cur:
            cur.execute("SET LOCAL search_path = newsflow")
            copy_rows(cur, "articles", ARTICLE_COLUMNS, rows[start : start + batch])
    took = time.perf_counter() - t0
    conn.close()
    return took


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--batch", type=int, default=250)
    ap.add_argument("--server", default=os.environ.get("NEWSFLOW_TEST_DATABASE_URL",
                                                       "postgresql://postgres@127.0.0.1:5432/postgres"))
    args = ap.parse_args()
    url_a, name_a, outlet, feed = _fresh_db(args.server)
    url_b, name_b, outlet_b, feed_b = _fresh_db(args.server)
    try:
        t = time.perf_counter()
        rows = make_rows(args.rows, outlet, feed)
        print(f"built {len(rows):,} article rows in {time.perf_counter() - t:.1f} s (not timed below)", flush=True)
        # Interleave the two so machine load affects both alike: half of each, then the other half.
        half = len(rows) // 2
        ours = load_ours(url_a, rows[:half], args.batch)
        bare = load_bare_copy(url_b, rows[:half], args.batch)
        bare += load_bare_copy(url_b, rows[half:], args.batch)
        ours += load_ours(url_a, rows[half:], args.batch)
        again = load_ours(url_a, rows[:half], args.batch)  # a re-run of the same rows: upserts that change nothing
        n = len(rows)
        print(f"bare COPY      : {n / bare:10,.0f} rows/s  ({bare:.1f} s, batches of {args.batch})")
        print(f"newsflow loader: {n / ours:10,.0f} rows/s  ({ours:.1f} s: stage COPY + archive + upsert)")
        print(f"re-run (no-op) : {half / again:10,.0f} rows/s  ({again:.1f} s for {half:,} unchanged rows)")
        print(f"ratio loader / bare COPY: {ours / bare:.2f}x  (target <= 2.0x)")
        with psycopg2.connect(url_a) as c, c.cursor() as cur:
            cur.execute("SELECT count(*) FROM newsflow.articles")
            assert cur.fetchone()[0] == n, "every row loaded once"
    finally:
        _drop(args.server, name_a)
        _drop(args.server, name_b)
    return 0


if __name__ == "__main__":
    sys.exit(main())
