"""Start and finish an ingest run: sync the feeds file into the warehouse, batch the feeds, sum up the run.

The run row (newsflow.ingest_runs) is what ops and the UI read about a run; counts are derived from the tables.
"""

from __future__ import annotations

import json
import time
from datetime import datetime
from contextlib import contextmanager
from collections.abc import Iterator

import psycopg2.extensions

from newsflow import __version__
from newsflow.feeds_config import FeedsConfig
from newsflow.warehouse.db import load_sql, transaction
from newsflow.warehouse.migrate import migrate


def versions() -> dict[str, str]:
    """Versions of the code that produced a run's rows, so replays can be compared."""
    out = {"newsflow": __version__}
    for mod, key in (("newsflow.extract", "extractor"), ("newsflow.stories", "stories"), ("newsflow.dedup", "dedup")):
        try:
            m = __import__(mod, fromlist=["VERSION"])
            out[key] = str(getattr(m, "VERSION", __version__))
        except Exception:  # noqa: BLE001 - a version lookup must never fail a run
            out[key] = "unknown"
    return out


def prepare_run(
    conn: psycopg2.extensions.connection, config: FeedsConfig, run_id: str, *, dag_id: str, batch_size: int,
    tier: str | None = None,
) -> list[list[int]]:
    """Migrate, sync outlets and feeds, open the run row; returns the feed ids in batches."""
    migrate(conn)
    feeds = [f for f in config.feeds if tier is None or f.tier == tier]
    feed_ids: list[int] = []
    with transaction(conn) as cur:
        for spec in feeds:
            cur.execute(load_sql("sync_outlet"), {"name": spec.outlet})
            outlet_id = cur.fetchone()[0]
            pol = config.politeness_for(spec)
            cur.execute(
                load_sql("sync_feed"),
                {
                    "url": spec.url,
                    "outlet_id": outlet_id,
                    "language": spec.language,
                    "tags": list(spec.tags),
                    "tier": spec.tier,
                    "min_delay_s": pol.min_delay_s,
                    "max_concurrency": pol.max_concurrency_per_host,
                },
            )
            feed_ids.append(cur.fetchone()[0])
        cur.execute(
            """INSERT INTO newsflow.ingest_runs (run_id, dag_id, feeds_file, feed_ids, feeds_total, versions)
               VALUES (%s, %s, %s, %s, %s, %s)
               ON CONFLICT (run_id) DO UPDATE SET feeds_file = EXCLUDED.feeds_file, feed_ids = EXCLUDED.feed_ids,
                   feeds_total = EXCLUDED.feeds_total, versions = EXCLUDED.versions, status = 'running',
                   finished_at = NULL""",
            (run_id, dag_id, config.path, feed_ids, len(feed_ids), json.dumps(versions())),
        )
    return [feed_ids[i : i + batch_size] for i in range(0, len(feed_ids), batch_size)]


def _run_row(conn: psycopg2.extensions.connection, run_id: str) -> tuple[datetime, list[int]]:
    with conn.cursor() as cur:
        cur.execute("SELECT started_at, feed_ids FROM newsflow.ingest_runs WHERE run_id = %s", (run_id,))
        row = cur.fetchone()
    conn.commit()
    if row is None:
        raise LookupError(f"run {run_id} has no row in newsflow.ingest_runs: was prepare_run skipped?")
    return row[0], list(row[1])


def run_clock(conn: psycopg2.extensions.connection, run_id: str) -> datetime:
    """The run's start time: the one "now" of every stage, so a run's rows do not depend on task timing."""
    return _run_row(conn, run_id)[0]


def run_feed_ids(conn: psycopg2.extensions.connection, run_id: str) -> list[int]:
    return _run_row(conn, run_id)[1]


@contextmanager
def record_stage(
    conn: psycopg2.extensions.connection, run_id: str, stage: str, map_index: int = -1
) -> Iterator[dict[str, object]]:
    """Time a stage and store its wall and CPU seconds in the run row (idempotent per task)."""
    t0, c0 = time.perf_counter(), time.process_time()
    info: dict[str, object] = {}
    yield info
    entry = {
        "wall_s": round(time.perf_counter() - t0, 3),
        "cpu_s": round(time.process_time() - c0, 3),
        **info,
    }
    key = stage if map_index < 0 else f"{stage}[{map_index}]"
    with transaction(conn) as cur:
        cur.execute(
            "UPDATE newsflow.ingest_runs SET durations = durations || jsonb_build_object(%s::text, %s::jsonb)"
            " WHERE run_id = %s",
            (key, json.dumps(entry), run_id),
        )


def finish_run(conn: psycopg2.extensions.connection, run_id: str, *, warnings: list[str] | None = None,
               status: str = "success") -> dict[str, int]:
    """Derive the run's counts from the tables, close the run row and return the counts."""
    with transaction(conn) as cur:
        cur.execute(load_sql("run_counts"), {"run_id": run_id})
        cols = [d[0] for d in cur.description]
        counts = dict(zip(cols, cur.fetchone()))
        cur.execute(
            load_sql("finish_run"),
            {**counts, "run_id": run_id, "status": status, "warnings": json.dumps(warnings or [])},
        )
    return {k: int(v or 0) for k, v in counts.items()}
