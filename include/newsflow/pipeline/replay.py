"""Rebuild articles, duplicates and stories from stored raw documents, run by run, with no network access.

With the same extractor and rules the rows come out identical; with new ones, history is re-derived consistently.
"""

from __future__ import annotations

from datetime import datetime

import psycopg2.extensions

from newsflow.pipeline.articles import extract_items, raw_bodies, upsert_article_rows, upsert_features
from newsflow.pipeline.grouping import group_stories
from newsflow.pipeline.pages import QueueItem
from newsflow.warehouse.db import load_sql, transaction

#: Articles re-extracted per transaction: bounds memory like the DAG's batches.
REPLAY_BATCH = 250


def replay(
    conn: psycopg2.extensions.connection, since: datetime, *, until: datetime | None = None,
    story_window_hours: float, dedup_window_hours: float,
) -> dict[str, int]:
    """Replay every run that started in [since, until), oldest first; returns counts.

    Articles first seen by later runs keep their grouping: replaying one day does not disturb the next.
    """
    with conn.cursor() as cur:
        cur.execute(load_sql("replay_runs"), {"since": since, "until": until})
        runs = cur.fetchall()
    conn.commit()
    counts = {"runs": len(runs), "articles": 0, "changed": 0, "duplicates": 0, "stories_new": 0}
    if not runs:
        return counts
    run_ids = [r[0] for r in runs]
    with transaction(conn) as cur:
        # One replay at a time, and never beside a live grouping.
        cur.execute("SELECT pg_advisory_xact_lock(hashtext('newsflow.group_stories'))")
        cur.execute(load_sql("replay_ungroup"), {"run_ids": run_ids})
        cur.execute(load_sql("replay_drop_stories"))
    for run_id, started_at in runs:
        with conn.cursor() as cur:
            cur.execute(load_sql("replay_articles"), {"run_id": run_id})
            items = [QueueItem(*row) for row in cur.fetchall()]
        conn.commit()
        for start in range(0, len(items), REPLAY_BATCH):
            batch = items[start : start + REPLAY_BATCH]
            with transaction(conn) as cur:
                bodies = raw_bodies(cur, sorted({it.raw_sha256 for it in batch if it.raw_sha256}))
                rows, _, features = extract_items(batch, bodies, run_id=run_id, now=started_at)
                _new, changed = upsert_article_rows(cur, rows)
                upsert_features(cur, features)
            counts["articles"] += len(batch)
            counts["changed"] += changed
        grouped = group_stories(conn, run_id, story_window_hours=story_window_hours,
                                dedup_window_hours=dedup_window_hours, only_run_articles=True)
        counts["duplicates"] += grouped["duplicates"]
        counts["stories_new"] += grouped["stories_new"]
    return counts
