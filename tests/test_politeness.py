"""Tests of per-host politeness (min interval, concurrency cap, threads) and the robots.txt cache.
Timing assertions use small delays (0.05-0.2 s) so the file runs in a few seconds.
"""

from __future__ import annotations

import os
import sys
import threading
import time

import httpx
import pytest

sys.path.insert(0, os.path.dirname(__file__))
from faultserver import FaultServer  # noqa: E402

from newsflow.http import HttpClient, HttpSettings  # noqa: E402
from newsflow.models import Politeness  # noqa: E402
from newsflow.politeness import HostBusy, HostLimiter, InProcessBackend, RobotsCache, host_key  # noqa: E402

LOCAL = HttpSettings(feed_deadline_s=3, article_deadline_s=3, allowed_networks=("127.0.0.1/32",))


def _run_concurrently(limiter, urls, politeness, hold_s):
    starts: list[tuple[str, float]] = []
    active = {"now": 0, "max": 0}
    lock = threading.Lock()

    def work(url):
        with limiter.slot(url, politeness):
            with lock:
                starts.append((host_key(url), time.monotonic()))
                active["now"] += 1
                active["max"] = max(active["max"], active["now"])
            time.sleep(hold_s)
            with lock:
                active["now"] -= 1

    threads = [threading.Thread(target=work, args=(u,)) for u in urls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    return starts, active["max"]


def test_host_key():
    assert host_key("https://News.Example.com/a?b") == "news.example.com"
    assert host_key("https://news.example.com:443/") == "news.example.com"
    assert host_key("http://news.example.com:8080/") == "news.example.com:8080"
    assert host_key("News.Example.com") == "news.example.com"


def test_min_interval_between_starts():
    limiter = HostLimiter()
    pol = Politeness(min_delay_s=0.1, max_concurrency_per_host=10)
    starts, _ = _run_concurrently(limiter, ["https://a.example/x"] * 6, pol, hold_s=0.0)
    times = sorted(t for _, t in starts)
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert len(times) == 6
    assert min(gaps) >= 0.095, gaps
    assert times[-1] - times[0] < 0.5 + 0.3  # ~5 intervals, not serialized slower than needed


def test_concurrency_cap():
    limiter = HostLimiter()
    pol = Politeness(min_delay_s=0.0, max_concurrency_per_host=2)
    _, peak = _run_concurrently(limiter, ["https://a.example/x"] * 8, pol, hold_s=0.1)
    assert peak == 2


def test_hosts_are_independent():
    limiter = HostLimiter()
    pol = Politeness(min_delay_s=0.3, max_concurrency_per_host=1)
    urls = [f"https://h{i}.example/x" for i in range(5)]
    t0 = time.monotonic()
    starts, peak = _run_concurrently(limiter, urls, pol, hold_s=0.05)
    assert time.monotonic() - t0 < 0.3  # no host waited for another
    assert peak == 5


def test_host_busy_when_slot_never_frees():
    limiter = HostLimiter(timeout_s=0.2)
    pol = Politeness(min_delay_s=0.0, max_concurrency_per_host=1)
    release = threading.Event()
    holding = threading.Event()

    def hold():
        with limiter.slot("https://busy.example/", pol):
            holding.set()
            release.wait(5)

    t = threading.Thread(target=hold)
    t.start()
    holding.wait(2)
    t0 = time.monotonic()
    with pytest.raises(HostBusy, match="deferred"):
        with limiter.slot("https://busy.example/other", pol):
            pass
    assert 0.15 < time.monotonic() - t0 < 0.6
    release.set()
    t.join()
    with limiter.slot("https://busy.example/other", pol, timeout_s=1):  # free again
        pass


def test_slot_released_on_exception():
    backend = InProcessBackend()
    limiter = HostLimiter(Politeness(min_delay_s=0, max_concurrency_per_host=1), backend=backend)
    with pytest.raises(RuntimeError):
        with limiter.slot("https://x.example/"):
            raise RuntimeError("fetch blew up")
    assert backend.active("x.example") == 0


def test_pluggable_backend():
    calls = []

    class RecordingBackend:
        def acquire(self, host, politeness, deadline):
            calls.append(("acquire", host, politeness.min_delay_s))
            return "token-1"

        def release(self, host, token):
            calls.append(("release", host, token))

    limiter = HostLimiter(Politeness(min_delay_s=5.0), backend=RecordingBackend())
    with limiter.slot("https://pg.example/a"):
        pass
    assert calls == [("acquire", "pg.example", 5.0), ("release", "pg.example", "token-1")]


# --- robots.txt -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server():
    with FaultServer() as fs:
        yield fs


def test_robots_disallow_and_cache(server):
    with HttpClient(LOCAL) as client:
        robots = RobotsCache(client)
        assert robots.allowed(server.url("/article/1"))
        assert not robots.allowed(server.url("robots_disallowed_article"))
        assert robots.allowed(server.url("/article/2"), "SomeOtherBot/1.0")
        assert robots.crawl_delay(server.url("/article/1")) == 1.0
    assert robots.fetches == 1
    assert server.hits("/robots.txt") == 1


def test_robots_fetched_once_under_concurrency(server):
    with HttpClient(LOCAL) as client:
        robots = RobotsCache(client)
        results = []
        threads = [
            threading.Thread(target=lambda: results.append(robots.allowed(server.url("/article/3")))) for _ in range(8)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
    assert results == [True] * 8
    assert robots.fetches == 1


def test_robots_ttl_expiry(server):
    now = [1000.0]
    with HttpClient(LOCAL) as client:
        robots = RobotsCache(client, ttl_s=60, clock=lambda: now[0])
        robots.allowed(server.url("/article/1"))
        now[0] += 30
        robots.allowed(server.url("/article/1"))
        assert robots.fetches == 1
        now[0] += 31
        robots.allowed(server.url("/article/1"))
        assert robots.fetches == 2


def _mock_client(status: int, body: bytes = b"", delay_exc: Exception | None = None) -> HttpClient:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/robots.txt":
            if delay_exc is not None:
                raise delay_exc
            return httpx.Response(status, content=body, headers={"Content-Type": "text/plain"})
        return httpx.Response(200, content=b"<html></html>", headers={"Content-Type": "text/html"})

    return HttpClient(LOCAL, transport=httpx.MockTransport(handler))


@pytest.mark.parametrize("status", [404, 410, 401, 403])
def test_robots_missing_or_4xx_allows_all(status):
    with _mock_client(status) as client:
        robots = RobotsCache(client)
        assert robots.allowed("https://news.example.com/private/x")


@pytest.mark.parametrize("status", [500, 503])
def test_robots_5xx_allows_but_rechecks_soon(status):
    now = [0.0]
    with _mock_client(status) as client:
        robots = RobotsCache(client, ttl_s=3600, error_ttl_s=300, clock=lambda: now[0])
        assert robots.allowed("https://news.example.com/private/x")
        now[0] += 301
        robots.allowed("https://news.example.com/private/x")
    assert robots.fetches == 2


def test_robots_timeout_allows():
    with _mock_client(0, delay_exc=httpx.ReadTimeout("slow")) as client:
        robots = RobotsCache(client)
        assert robots.allowed("https://news.example.com/private/x")


def test_robots_full_disallow():
    with _mock_client(200, b"User-agent: newsflow\nDisallow: /\n\nUser-agent: *\nAllow: /\n") as client:
        robots = RobotsCache(client)
        assert not robots.allowed("https://news.example.com/any")
        assert robots.allowed("https://news.example.com/any", "OtherBot/2")
