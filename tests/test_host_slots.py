"""Politeness across processes: two worker processes with several threads each share one host's limits
through the warehouse (the way mapped tasks on several Celery workers do)."""

from __future__ import annotations

import multiprocessing
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from newsflow.models import Politeness
from newsflow.politeness import HostLimiter
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


def _worker(dsn: str, url: str, politeness: Politeness, n: int) -> None:
    import urllib.request

    limiter = HostLimiter(backend=PostgresBackend(dsn), timeout_s=60)

    def one(_):
        with limiter.slot(url, politeness):
            urllib.request.urlopen(url, timeout=10).read()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def _run(warehouse_url: str, url: str, politeness: Politeness) -> None:
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_worker, args=(warehouse_url, url, politeness, REQUESTS_PER_PROCESS))
             for _ in range(2)]
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
