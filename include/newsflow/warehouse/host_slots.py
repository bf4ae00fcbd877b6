"""Per-host politeness shared across processes through PostgreSQL (a backend for politeness.HostLimiter).

One round trip per slot: the host's schedule row is locked for an instant; in-flight requests are leases that expire.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid

from newsflow.models import Politeness
from newsflow.warehouse.db import connect, load_sql

log = logging.getLogger(__name__)

#: A lease outlives any request (deadlines are 25-30 s): a worker killed mid-fetch frees its slot after this.
LEASE_S = 120.0
#: How often a caller waiting for a full host looks again.
POLL_S = 0.1
#: Old leases are deleted now and then, not on every request.
CLEANUP_EVERY = 200
#: A released slot is deleted with this process's next slot request, or by a timer at the latest after this long:
#: a delayed release holds a slot a little longer (never more than the cap in flight), about one poll of a waiter.
RELEASE_DELAY_S = 0.1
#: After a failed flush the timer waits this long before trying again (the leases expire anyway).
FLUSH_RETRY_S = 1.0
#: Slot state is only worth keeping while the server runs: a commit need not wait for its WAL flush (a fsync per
#: acquisition, the main cost). Visibility to other sessions is unchanged; a server crash may lose the last ~0.6 s.
_SESSION_SQL = "SET synchronous_commit = off"
#: Release, lock and acquire travel as one message: PostgreSQL runs a multi-statement query as one transaction,
#: each statement with a fresh READ COMMITTED snapshot, so the acquire still sees every lease committed before the lock.
_TAKE_SQL = ("host_slot_release", "host_slot_lock", "host_slot_acquire")


class PostgresBackend:
    """LimiterBackend whose state lives in newsflow.host_schedule / host_leases; one connection per process."""

    def __init__(self, dsn: str, *, lease_s: float = LEASE_S, poll_s: float = POLL_S,
                 release_delay_s: float = RELEASE_DELAY_S):
        self._dsn = dsn
        self._lease_s = lease_s
        self._poll_s = poll_s
        self._release_delay_s = release_delay_s
        self._lock = threading.Lock()  # psycopg2 connections are shared between threads one statement at a time
        self._conn = None
        self._calls = 0
        self._pending_cond = threading.Condition()  # never held across a round trip: release() does not wait
        self._pending: list[str] = []
        self._pending_since = 0.0
        self._flusher: threading.Thread | None = None
        self._stopping = False

    def _connection(self):
        if self._conn is None or self._conn.closed:
            self._conn = connect(self._dsn, application_name="newsflow-politeness")
            # Every message commits itself: no BEGIN/COMMIT round trips around the one statement batch.
            self._conn.autocommit = True
            with self._conn.cursor() as cur:
                cur.execute(_SESSION_SQL)
        return self._conn

    def _take_pending(self) -> list[str]:
        with self._pending_cond:
            batch, self._pending = self._pending, []
        return batch

    def _requeue(self, batch: list[str]) -> None:
        if batch:
            with self._pending_cond:
                if not self._pending:
                    self._pending_since = time.monotonic()
                self._pending[:0] = batch

    def _cleanup_due(self) -> bool:
        self._calls += 1
        return self._calls % CLEANUP_EVERY == 0

    def _try(self, host: str, politeness: Politeness, token: str) -> float | None:
        with self._lock:
            released = self._take_pending()
            try:
                with self._connection().cursor() as cur:
                    cur.execute("\n".join(load_sql(name) for name in _TAKE_SQL), {
                        "released": released, "cleanup": self._cleanup_due(),
                        "host": host, "cap": max(1, int(politeness.max_concurrency_per_host)),
                        "delay": max(0.0, float(politeness.min_delay_s)), "token": token, "lease_s": self._lease_s,
                    })
                    row = cur.fetchone()
            except Exception:
                self._requeue(released)  # the whole message rolled back: those slots are still held
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
        """Queue the slot's deletion; it is sent with the next acquire or within release_delay_s."""
        with self._pending_cond:
            if self._stopping:  # closed: nothing will flush later, so delete it now
                closed = True
            else:
                closed = False
                if not self._pending:
                    self._pending_since = time.monotonic()
                self._pending.append(str(token))
                if self._flusher is None:
                    self._flusher = threading.Thread(target=self._flush_loop, name="newsflow-slot-release",
                                                     daemon=True)
                    self._flusher.start()
                self._pending_cond.notify()
        if closed:
            self._flush([str(token)])

    def _flush(self, extra: list[str] | None = None) -> None:
        """Delete the queued releases now (one round trip); on failure they stay queued."""
        with self._lock:
            batch = self._take_pending() + (extra or [])
            if not batch:
                return
            try:
                with self._connection().cursor() as cur:
                    cur.execute(load_sql("host_slot_release"), {"released": batch, "cleanup": self._cleanup_due()})
            except Exception:
                self._requeue(batch)
                raise

    def _flush_loop(self) -> None:
        while True:
            with self._pending_cond:
                while not self._stopping and (
                        not self._pending or time.monotonic() < self._pending_since + self._release_delay_s):
                    timeout = (self._pending_since + self._release_delay_s - time.monotonic()
                               if self._pending else None)
                    self._pending_cond.wait(timeout)
                if self._stopping:
                    return
            try:
                self._flush()
            except Exception as exc:  # noqa: BLE001 - a daemon thread must not die; the leases expire anyway
                log.warning("releasing host slots failed, retrying in %gs: %s", FLUSH_RETRY_S, exc)
                with self._pending_cond:
                    self._pending_cond.wait_for(lambda: self._stopping, FLUSH_RETRY_S)

    def close(self) -> None:
        """Delete the queued releases, stop the timer and close the connection."""
        with self._pending_cond:
            self._stopping = True
            flusher, self._flusher = self._flusher, None
            self._pending_cond.notify_all()
        if flusher is not None:
            flusher.join()
        try:
            self._flush()
        except Exception as exc:  # noqa: BLE001 - closing must not fail the task; the leases expire
            log.warning("releasing host slots on close failed (they expire in %gs): %s", self._lease_s, exc)
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
