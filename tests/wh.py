"""Small read helpers for tests that look into the warehouse."""

from __future__ import annotations


def rows(conn, query: str, params=()) -> list[tuple]:
    with conn.cursor() as cur:
        cur.execute(query, params)
        out = cur.fetchall()
    conn.commit()
    return out


def count(conn, query: str, params=()) -> int:
    return rows(conn, query, params)[0][0]
