"""Politeness across processes: two worker processes with several threads each share one host's limits
through the warehouse (the way mapped tasks on several Celery workers do)."""

from __future__ import annotations

import multiprocessing
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import psycopg2.extensions
from newsflow.models import Politeness
from newsflow.politeness import HostLimiter
from newsflow.warehouse import connect
from newsflow.warehouse.host_slots import PostgresBackend

DELAY = 0.15
REQUESTS_PER_PROCESS = 6


class _Recorder:
    """Records when each request starts and ends, and the most requests in flight at once."""

    def __init__(self, hold_s: float):
        self.starts: list[float] = []
        self.max_in_flight = 0
        lock, state = threading.Lock(), {"now": 0}
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                with lock:
                    outer.starts.append(time.monotonic())
                    state["now"] += 1
                    outer.max_in_flight = max(outer.max_in_flight, state["now"])
                time.sleep(hold_s)
                with lock:
                    state["now"] -= 1
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/page"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def _worker(dsn: str, url: str, politeness: Politeness, n: int, threads: int | None = None) -> None:
    import urllib.request

    backend = PostgresBackend(dsn)
    limiter = HostLimiter(backend=backend, timeout_s=60)
    todo = iter(range(n))
    lock = threading.Lock()

    def one():
        while True:
            with lock:
                if next(todo, None) is None:
                    return
            with limiter.slot(url, politeness):
                urllib.request.urlopen(url, timeout=10).read()

    workers = [threading.Thread(target=one) for _ in range(threads or n)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    backend.close()


def _run(warehouse_url: str, url: str, politeness: Politeness, n: int = REQUESTS_PER_PROCESS,
         threads: int | None = None) -> None:
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_worker, args=(warehouse_url, url, politeness, n, threads)) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0


def test_min_delay_holds_across_processes(warehouse_url):
    rec = _Recorder(hold_s=0.0)
    try:
        _run(warehouse_url, rec.url, Politeness(min_delay_s=DELAY, max_concurrency_per_host=8))
    finally:
        rec.stop()
    starts = sorted(rec.starts)
    assert len(starts) == 2 * REQUESTS_PER_PROCESS
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    # Slots open exactly DELAY apart; a client that wakes late shortens the next gap as the server sees it,
    # so bound the rate over the run and allow scheduler jitter on single gaps.
    assert starts[-1] - starts[0] >= (len(starts) - 1) * DELAY * 0.95, gaps
    assert min(gaps) >= DELAY * 0.5, gaps


def test_concurrency_cap_holds_across_processes(warehouse_url):
    rec = _Recorder(hold_s=0.3)
    try:
        _run(warehouse_url, rec.url, Politeness(min_delay_s=0, max_concurrency_per_host=2))
    finally:
        rec.stop()
    assert len(rec.starts) == 2 * REQUESTS_PER_PROCESS
    assert rec.max_in_flight <= 2


def test_a_crashed_holder_frees_its_slot_when_the_lease_expires(warehouse_url):
    backend = PostgresBackend(warehouse_url, lease_s=0.5)
    pol = Politeness(min_delay_s=0, max_concurrency_per_host=1)
    assert backend.acquire("h.example", pol, time.monotonic() + 5) is not None  # never released: a crash
    t0 = time.monotonic()
    assert backend.acquire("h.example", pol, time.monotonic() + 5) is not None
    assert time.monotonic() - t0 < 3
    assert backend.acquire("h.example", pol, time.monotonic() + 0.2) is None, "full while the lease is live"
    backend.close()


def test_cap_and_delay_hold_with_batched_releases(warehouse_url):
    """Many quick requests from 2 x 8 threads: releases ride along with acquisitions, the limits still hold."""
    rec = _Recorder(hold_s=0.02)
    try:
        _run(warehouse_url, rec.url, Politeness(min_delay_s=0.01, max_concurrency_per_host=3), n=40, threads=8)
    finally:
        rec.stop()
    starts = sorted(rec.starts)
    assert len(starts) == 80
    assert rec.max_in_flight <= 3
    assert starts[-1] - starts[0] >= (len(starts) - 1) * 0.01 * 0.95


def _live_leases(url: str) -> int:
    conn = connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM newsflow.host_leases WHERE expires_at > now()")
            return cur.fetchone()[0]
    finally:
        conn.close()


class _CountingCursor(psycopg2.extensions.cursor):
    executed = 0

    def execute(self, query, vars=None):
        type(self).executed += 1
        return super().execute(query, vars)


def test_one_round_trip_per_acquisition_and_releases_ride_along(warehouse_url):
    backend = PostgresBackend(warehouse_url, release_delay_s=60)
    pol = Politeness(min_delay_s=0, max_concurrency_per_host=1)
    backend._connection().cursor_factory = _CountingCursor
    _CountingCursor.executed = 0
    for _ in range(20):  # cap 1: each acquisition succeeds only because the previous release went with it
        token = backend.acquire("ride.example", pol, time.monotonic() + 0.5)
        assert token is not None
        backend.release("ride.example", token)
    assert _CountingCursor.executed == 20
    assert _live_leases(warehouse_url) == 1, "the last release is still queued"
    backend.close()
    assert _live_leases(warehouse_url) == 0, "close() flushes the queued releases"


def test_a_delayed_release_is_flushed_within_its_bound(warehouse_url):
    bound = 0.5
    backend = PostgresBackend(warehouse_url, release_delay_s=bound)
    pol = Politeness(min_delay_s=0, max_concurrency_per_host=2)
    token = backend.acquire("idle.example", pol, time.monotonic() + 5)
    released_at = time.monotonic()
    backend.release("idle.example", token)  # and then this process goes quiet
    while _live_leases(warehouse_url) and time.monotonic() - released_at < 10:
        time.sleep(0.02)
    took = time.monotonic() - released_at
    assert _live_leases(warehouse_url) == 0
    assert took < bound + 1.0, f"flushed after {took:.2f}s"
    other = PostgresBackend(warehouse_url)
    assert other.acquire("idle.example", Politeness(min_delay_s=0, max_concurrency_per_host=1),
                         time.monotonic() + 0.3) is not None, "another process sees the slot free"
    other.close()
    backend.close()


#: Short leases for the crash tests: long enough to see them live right after the kill.
LEASE_S = 2.0


def _hold_and_hang(dsn: str, ready) -> None:
    backend = PostgresBackend(dsn, lease_s=LEASE_S, release_delay_s=600)
    pol = Politeness(min_delay_s=0, max_concurrency_per_host=2)
    backend.acquire("crash.example", pol, time.monotonic() + 5)  # in flight when the worker dies
    backend.release("crash.example", backend.acquire("crash.example", pol, time.monotonic() + 5))  # queued only
    ready.set()
    time.sleep(600)


def test_a_killed_worker_frees_its_slots_when_the_leases_expire(warehouse_url):
    ctx = multiprocessing.get_context("spawn")
    ready = ctx.Event()
    proc = ctx.Process(target=_hold_and_hang, args=(warehouse_url, ready))
    proc.start()
    try:
        assert ready.wait(60)
    finally:
        proc.kill()
        proc.join(10)
    pol = Politeness(min_delay_s=0, max_concurrency_per_host=2)
    backend = PostgresBackend(warehouse_url)
    try:
        assert backend.acquire("crash.example", pol, time.monotonic() + 0.2) is None, "both leases still live"
        t0 = time.monotonic()
        assert backend.acquire("crash.example", pol, time.monotonic() + 10) is not None
        assert backend.acquire("crash.example", pol, time.monotonic() + 10) is not None
        assert time.monotonic() - t0 < LEASE_S + 5
    finally:
        backend.close()
