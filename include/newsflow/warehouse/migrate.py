"""Versioned schema migrations from include/sql/migrations/NNNN_name.sql.

Applied in order, each in its own transaction, recorded with a checksum; an advisory lock makes concurrent runs safe.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import psycopg2.extensions

from newsflow.warehouse.db import SQL_DIR

MIGRATIONS_DIR = SQL_DIR / "migrations"
#: Any constant works; all newsflow processes agree on it so only one migrates at a time.
ADVISORY_LOCK_KEY = 0x6E657773  # "news"
_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path

    @property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


def discover(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    found: list[Migration] = []
    for path in sorted(directory.glob("*.sql")):
        m = _NAME.match(path.name)
        if not m:
            raise ValueError(f"{path}: migration files must be named NNNN_name.sql")
        found.append(Migration(int(m.group(1)), m.group(2), path))
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise ValueError(f"{directory}: two migrations share a version number")
    return found


def migrate(conn: psycopg2.extensions.connection, directory: Path = MIGRATIONS_DIR) -> list[str]:
    """Apply pending migrations; returns the names applied (empty when up to date)."""
    applied: list[str] = []
    migrations = discover(directory)
    conn.rollback()
    conn.autocommit = True
    with conn.cursor() as cur:
        # Session-level lock, held across the per-migration transactions below.
        cur.execute("SELECT pg_advisory_lock(%s)", (ADVISORY_LOCK_KEY,))
    try:
        conn.autocommit = False
        with conn.cursor() as cur:
            cur.execute("CREATE SCHEMA IF NOT EXISTS newsflow")
            cur.execute(
                """CREATE TABLE IF NOT EXISTS newsflow.schema_migrations (
                       version int PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
                       applied_at timestamptz NOT NULL DEFAULT now())"""
            )
            cur.execute("SELECT version, name, checksum FROM newsflow.schema_migrations")
            done = {v: (n, c) for v, n, c in cur.fetchall()}
        conn.commit()
        for mig in migrations:
            if mig.version in done:
                name, checksum = done[mig.version]
                if checksum != mig.checksum:
                    raise RuntimeError(
                        f"migration {mig.path.name} changed after it was applied (checksum differs). "
                        "Never edit an applied migration: add a new NNNN_*.sql file instead."
                    )
                continue
            try:
                with conn.cursor() as cur:
                    cur.execute(mig.text)
                    cur.execute(
                        "INSERT INTO newsflow.schema_migrations (version, name, checksum) VALUES (%s, %s, %s)",
                        (mig.version, mig.name, mig.checksum),
                    )
                conn.commit()
            except Exception as exc:
                conn.rollback()
                raise RuntimeError(f"migration {mig.path.name} failed and was rolled back: {exc}") from exc
            applied.append(mig.path.name)
    finally:
        conn.rollback()
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_unlock(%s)", (ADVISORY_LOCK_KEY,))
        conn.autocommit = False
    return applied
