"""The embedded PostgreSQL server (pgserver) used when no warehouse URL is configured.

Data lives under <home>/pgdata; the server keeps running after we exit so later commands reuse it.
"""

from __future__ import annotations

import os
from pathlib import Path

import psycopg2
from psycopg2 import sql

WAREHOUSE_DB = "newsflow"


def ensure_embedded(home: Path, database: str = WAREHOUSE_DB) -> str:
    """Start (or reuse) the embedded server and make sure `database` exists; returns its URL."""
    os.environ.setdefault("XDG_RUNTIME_DIR", str(home / "run"))
    Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        import pgserver
    except ImportError as exc:  # pragma: no cover - pgserver is pinned in requirements
        raise RuntimeError("the embedded server needs the pgserver package: run `make install`") from exc
    pgdata = home / "pgdata"
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None: leave the server running for the next command (the demo, the UI, psql).
    server = pgserver.get_server(pgdata, cleanup_mode=None)
    admin_url = server.get_uri()
    conn = psycopg2.connect(admin_url)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,))
            if cur.fetchone() is None:
                cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    finally:
        conn.close()
    return server.get_uri(database)


def stop_embedded(home: Path) -> bool:
    """Stop the embedded server if it runs; True when one was stopped."""
    pgdata = home / "pgdata"
    if not (pgdata / "postmaster.pid").exists():
        return False
    import pgserver

    server = pgserver.get_server(pgdata, cleanup_mode="stop")
    server.cleanup()
    return True
