"""Read-side summaries of the warehouse: the counts and top stories that `newsflow run/stats` print, and export.

Plain queries from include/sql/dml; nothing here writes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import TextIO

import psycopg2.extensions

from newsflow.warehouse.db import load_sql

COUNT_KEYS = ("feeds", "articles", "stories", "duplicates")


def counts(conn: psycopg2.extensions.connection) -> dict[str, int]:
    with conn.cursor() as cur:
        cur.execute(load_sql("summary_counts"))
        row = cur.fetchone()
    conn.commit()
    return dict(zip(COUNT_KEYS, (int(v) for v in row)))


def top_stories(conn: psycopg2.extensions.connection, limit: int = 5) -> list[dict]:
    with conn.cursor() as cur:
        cur.execute(load_sql("top_stories"), {"limit": limit})
        cols = [d[0] for d in cur.description]
        rows = [dict(zip(cols, r)) for r in cur.fetchall()]
    conn.commit()
    return rows


def format_summary(c: dict[str, int], stories: list[dict]) -> str:
    lines = [f"{k}: {c[k]}" for k in COUNT_KEYS]
    if stories:
        lines.append(f"largest {len(stories)} stories:")
        for s in stories:
            outlets = ", ".join(s["outlets"] or [])
            lines.append(f"  [{s['story_id']}] {s['headline']!s} ({s['n_outlets']} outlets, "
                         f"{s['n_articles']} articles): {outlets}")
    return "\n".join(lines)


def iter_export(conn: psycopg2.extensions.connection) -> Iterator[dict]:
    # A named cursor streams rows: an export of millions of articles stays in constant memory.
    with conn.cursor(name="newsflow_export") as cur:
        cur.itersize = 500
        cur.execute(load_sql("export_articles"))
        cols = None
        for row in cur:
            if cols is None:
                cols = [d[0] for d in cur.description]
            yield dict(zip(cols, row))
    conn.commit()


def write_jsonl(rows: Iterator[dict], out: TextIO) -> int:
    n = 0
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False, default=_json_default))
        out.write("\n")
        n += 1
    return n


def _json_default(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot serialize {type(value).__name__}")
