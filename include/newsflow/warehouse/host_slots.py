"""Per-host politeness shared across processes through PostgreSQL (a backend for politeness.HostLimiter).

A host's schedule row is locked for an instant per request; in-flight requests are leases that expire on a crash.
"""

from __future__ import annotations

import threading
import time
import uuid

from newsflow.models import Politeness
from newsflow.warehouse.db import connect, load_sql

#: A lease outlives any request (deadlines are 25-30 s): a worker killed mid-fetch frees its slot after this.
LEASE_S = 120.0
#: How often a caller waiting for a full host looks again.
POLL_S = 0.1
#: Old leases are deleted now and then, not on every request.
CLEANUP_EVERY = 200


class PostgresBackend:
    """LimiterBackend whose state lives in newsflow.host_schedule / host_leases; one connection per process."""

    def __init__(self, dsn: str, *, lease_s: float = LEASE_S, poll_s: float = POLL_S):
        self._dsn = dsn
        self._lease_s = lease_s
        self._poll_s = poll_s
        self._lock = threading.Lock()  # psycopg2 connections are shared between threads one statement at a time
        self._conn = None
        self._calls = 0

    def _connection(self):
        if self._conn is None or self._conn.closed:
            self._conn = connect(self._dsn, application_name="newsflow-politeness")
        return self._conn

    def _try(self, host: str, politeness: Politeness, token: str) -> float | None:
        with self._lock:
            conn = self._connection()
            try:
                with conn.cursor() as cur:
                    cur.execute("INSERT INTO newsflow.host_schedule (host) VALUES (%s) ON CONFLICT DO NOTHING",
                                (host,))
                    cur.execute(load_sql("host_slot_lock"), {"host": host})
                    cur.execute(load_sql("host_slot_acquire"), {
                        "host": host, "cap": max(1, int(politeness.max_concurrency_per_host)),
                        "delay": max(0.0, float(politeness.min_delay_s)), "token": token, "lease_s": self._lease_s,
                    })
                    row = cur.fetchone()
                    self._calls += 1
                    if self._calls % CLEANUP_EVERY == 0:
                        cur.execute("DELETE FROM newsflow.host_leases WHERE expires_at < now()")
                conn.commit()
            except Exception:
                conn.rollback()
                raise
        return None if row is None else max(0.0, float(row[1]))

    def acquire(self, host: str, politeness: Politeness, deadline: float) -> object | None:
        token = str(uuid.uuid4())
        while True:
            wait = self._try(host, politeness, token)
            if wait is not None:
                if time.monotonic() + wait > deadline:
                    self.release(host, token)
                    return None
                if wait > 0:
                    time.sleep(wait)
                return token
            if time.monotonic() + self._poll_s > deadline:
                return None
            time.sleep(self._poll_s)

    def release(self, host: str, token: object) -> None:
        with self._lock:
            conn = self._connection()
            try:
                with conn.cursor() as cur:
                    cur.execute("DELETE FROM newsflow.host_leases WHERE token = %s::uuid", (str(token),))
                conn.commit()
            except Exception:
                conn.rollback()
                raise

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
