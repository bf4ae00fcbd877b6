"""Tests of newsflow.http against the local fault server: every fault case gets its status, quickly.
Deadlines are 2 s and caps 5 MB here so the whole file runs in well under a minute.
"""

from __future__ import annotations

import os
import resource
import sys
import threading
import time
from datetime import datetime, UTC

import httpx
import pytest

sys.path.insert(0, os.path.dirname(__file__))
from faultserver import CASES, FaultServer  # noqa: E402

from newsflow.http import HttpClient, HttpSettings, body_hash, parse_retry_after  # noqa: E402
from newsflow.models import FETCH_STATUSES, Validators  # noqa: E402
from newsflow.parse import parse_feed  # noqa: E402

DEADLINE = 2.0
CAP = 5 * 1024 * 1024
SETTINGS = HttpSettings(
    feed_deadline_s=DEADLINE,
    article_deadline_s=DEADLINE,
    feed_max_bytes=CAP,
    article_max_bytes=CAP,
    allowed_networks=("127.0.0.1/32",),  # the guard stays on for everything else
)


@pytest.fixture(scope="module")
def server():
    with FaultServer() as fs:
        yield fs


@pytest.fixture(scope="module")
def client():
    with HttpClient(SETTINGS) as c:
        yield c


def test_every_case_has_a_known_status():
    for name, case in CASES.items():
        assert case.fetch_status in FETCH_STATUSES, name
        assert case.final_status in FETCH_STATUSES, name


@pytest.mark.parametrize("name", [n for n in CASES if n != "robots_disallowed_article"])
def test_fault_matrix(server, client, name):
    case = CASES[name]
    t0 = time.monotonic()
    res = client.fetch(server.url(name), kind=case.kind)
    elapsed = time.monotonic() - t0
    assert res.status == case.fetch_status, (name, res)
    assert res.status in FETCH_STATUSES
    # nothing may outlive the total deadline (small slack for scheduling)
    assert elapsed < DEADLINE + 1.0, (name, elapsed)
    assert res.duration_s == pytest.approx(elapsed, abs=0.2)
    if res.status != "ok":
        assert res.error, name  # every failure says something
        assert res.body is None or res.status == "not_modified"
    if case.kind == "feed" and res.status == "ok":
        parsed = parse_feed(res.body, url=res.final_url, content_type=res.content_type, charset=res.charset)
        assert parsed.status == case.final_status, (name, parsed)


@pytest.mark.parametrize("name", ["never_answers", "trickle"])
def test_hanging_servers_are_cut_at_the_deadline(server, name):
    with HttpClient(HttpSettings(**{**SETTINGS.__dict__, "feed_deadline_s": 1.5})) as c:
        t0 = time.monotonic()
        res = c.fetch(server.url(name), kind="feed")
        elapsed = time.monotonic() - t0
    assert res.status == "timeout"
    assert 1.4 <= elapsed < 2.0, elapsed
    assert "1.5s" in res.error and "deadline" in res.error


def test_deadline_override_per_call(server, client):
    t0 = time.monotonic()
    res = client.fetch(server.url("trickle"), kind="feed", deadline_s=0.5)
    assert res.status == "timeout"
    assert time.monotonic() - t0 < 1.2


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


@pytest.mark.parametrize("name", ["gzip_bomb", "big_page", "big_page_no_length", "endless_body"])
def test_memory_stays_bounded(server, client, name):
    before = _maxrss_mb()
    for _ in range(3):
        res = client.fetch(server.url(name), kind=CASES[name].kind)
        assert res.status == "too_large"
        assert res.body is None
        assert "NEWSFLOW_" in res.error
    assert _maxrss_mb() - before < 200


def test_gzip_bomb_stops_early_on_decoded_bytes(server, client):
    t0 = time.monotonic()
    res = client.fetch(server.url("gzip_bomb"), kind="feed", max_bytes=1024 * 1024)
    assert res.status == "too_large"
    assert "decoded" in res.error
    assert time.monotonic() - t0 < 1.0


def test_healthy_gzip_feed_is_decoded(server, client):
    res = client.fetch(server.url("/gzip/healthy.xml"), kind="feed")
    assert res.status == "ok"
    assert res.body.startswith(b"<?xml")
    assert res.headers["content-encoding"] == "gzip"
    assert res.bytes_read == len(res.body)


def test_healthy_feed_metadata(server, client):
    res = client.fetch(server.url("healthy_feed"), kind="feed")
    assert res.status == "ok" and res.http_status == 200
    assert res.etag == '"healthy-v1"'
    assert res.last_modified == "Mon, 02 Mar 2026 10:00:00 GMT"
    assert res.charset == "utf-8"
    assert res.content_type.startswith("application/rss+xml")
    assert res.final_url == res.url
    assert res.redirects == [] and res.permanent_redirect is None
    parsed = parse_feed(res.body, url=res.final_url, content_type=res.content_type, charset=res.charset)
    # the feed's relative links point at healthy article pages on the same server
    for entry in parsed.entries:
        page = client.fetch(entry.link, kind="article")
        assert page.status == "ok" and b"<article>" in page.body


def test_conditional_get_with_etag(server, client):
    res = client.fetch(server.url("healthy_feed"), kind="feed", validators=Validators(etag='"healthy-v1"'))
    assert res.status == "not_modified" and res.http_status == 304
    assert res.body is None
    assert res.etag == '"healthy-v1"'


def test_conditional_get_with_last_modified(server, client):
    v = Validators(last_modified="Mon, 02 Mar 2026 10:00:00 GMT")
    res = client.fetch(server.url("healthy_feed"), kind="feed", validators=v)
    assert res.status == "not_modified"


def test_stale_etag_gets_full_body(server, client):
    res = client.fetch(server.url("healthy_feed"), kind="feed", validators=Validators(etag='"old"'))
    assert res.status == "ok" and res.body


def test_body_hash_gives_not_modified(server, client):
    first = client.fetch(server.url("no_validators_feed"), kind="feed")
    assert first.status == "ok" and first.etag is None
    again = client.fetch(
        server.url("no_validators_feed"), kind="feed", validators=Validators(body_hash=body_hash(first.body))
    )
    assert again.status == "not_modified"
    changed = client.fetch(
        server.url("no_validators_feed"), kind="feed", validators=Validators(body_hash=body_hash(b"something else"))
    )
    assert changed.status == "ok"


def test_redirect_chain_is_recorded(server, client):
    res = client.fetch(server.url("redirect_chain_3"), kind="feed")
    assert res.status == "ok"
    assert [code for code, _ in res.redirects] == [302, 302, 302]
    assert res.final_url == server.url("/feed/healthy.xml")
    assert res.permanent_redirect is None  # temporary hops never update the stored URL


def test_permanent_redirect_is_reported(server, client):
    res = client.fetch(server.url("redirect_permanent"), kind="feed")
    assert res.status == "ok"
    assert [code for code, _ in res.redirects] == [301, 308]
    assert res.permanent_redirect == server.url("/feed/healthy.xml")


def test_too_many_redirects(server, client):
    res = client.fetch(server.url("redirect_chain_12"), kind="feed")
    assert res.status == "redirect_loop"
    assert len(res.redirects) == SETTINGS.max_redirects + 1
    assert "more than 5 redirects" in res.error


def test_redirect_loop_detected_before_the_limit(server, client):
    res = client.fetch(server.url("redirect_loop"), kind="feed")
    assert res.status == "redirect_loop"
    assert len(res.redirects) == 2 and "loop" in res.error


def test_retry_after_seconds(server, client):
    res = client.fetch(server.url("retry_after_seconds_503"), kind="feed")
    assert res.status == "rate_limited"
    delay = (res.retry_after - datetime.now(UTC)).total_seconds()
    assert 115 <= delay <= 120 * 1.1 + 1  # 120 s + up to 10 % jitter


def test_retry_after_http_date(server, client):
    res = client.fetch(server.url("retry_after_date_429"), kind="feed")
    assert res.status == "rate_limited"
    assert res.retry_after.tzinfo is not None
    delay = (res.retry_after - datetime.now(UTC)).total_seconds()
    assert 7190 <= delay <= 7200 * 1.1 + 5


def test_retry_after_is_clamped(server):
    s = HttpSettings(**{**SETTINGS.__dict__, "retry_after_max_s": 60.0})
    with HttpClient(s) as c:
        res = c.fetch(server.url("retry_after_date_429"), kind="feed")
    delay = (res.retry_after - datetime.now(UTC)).total_seconds()
    assert res.status == "rate_limited" and delay <= 60.5


def test_429_without_retry_after_uses_default(server, client):
    res = client.fetch(server.url("/status/429"), kind="feed")
    assert res.status == "rate_limited"
    delay = (res.retry_after - datetime.now(UTC)).total_seconds()
    assert SETTINGS.retry_after_default_s - 5 <= delay <= SETTINGS.retry_after_default_s * 1.1 + 1


def test_503_without_retry_after_is_http_error(server, client):
    assert client.fetch(server.url("/status/503"), kind="feed").status == "http_error"


def test_parse_retry_after_forms():
    now = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    assert parse_retry_after("120", now) == 120
    assert parse_retry_after("Mon, 02 Mar 2026 11:00:00 GMT", now) == 3600
    assert parse_retry_after("Mon, 02 Mar 2026 09:00:00 GMT", now) == 0  # in the past
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None


def test_blocked_messages_differ(server, client):
    cf = client.fetch(server.url("cloudflare_403"), kind="feed")
    plain = client.fetch(server.url("http_403"), kind="feed")
    assert cf.status == plain.status == "blocked"
    assert "challenge" in cf.error and "challenge" not in plain.error.replace("no challenge", "")


def test_unsupported_article_is_not_downloaded(server, client):
    res = client.fetch(server.url("article_pdf"), kind="article")
    assert res.status == "unsupported_content"
    assert res.bytes_read == 0 and res.content_type == "application/pdf"


def test_invalid_urls_never_raise(client):
    for url in [
        "ftp://example.com/feed",
        "not a url",
        "",
        "http://",
        "javascript:alert(1)",
        "http://[::1",
        "http://example.com/" + "a" * 5000,
        "file:///etc/passwd",
    ]:
        res = client.fetch(url, kind="feed")
        assert res.status in ("invalid_url", "forbidden_address"), (url, res)
        assert res.error


def test_connection_refused_is_fast(server, client):
    res = client.fetch(server.closed_port_url(), kind="feed")
    assert res.status == "connection_error" and "will retry" in res.error


def test_user_agent_and_headers_sent():
    seen = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen.update(request.headers)
        return httpx.Response(304)

    with HttpClient(SETTINGS, transport=httpx.MockTransport(handler)) as c:
        res = c.fetch(
            "https://news.example.com/feed",
            kind="feed",
            validators=Validators(etag='"e1"', last_modified="Mon, 02 Mar 2026 10:00:00 GMT"),
        )
    assert res.status == "not_modified"
    assert seen["user-agent"].startswith("newsflow/") and "+https://" in seen["user-agent"]
    assert seen["if-none-match"] == '"e1"'
    assert "if-modified-since" not in seen  # ETag wins
    assert "gzip" in seen["accept-encoding"]


def test_charset_recorded():
    def handler(request):
        return httpx.Response(200, content=b"<rss/>", headers={"Content-Type": 'text/xml; charset="ISO-8859-1"'})

    with HttpClient(SETTINGS, transport=httpx.MockTransport(handler)) as c:
        res = c.fetch("https://news.example.com/feed", kind="feed")
    assert res.status == "ok" and res.charset == "iso-8859-1"


def test_settings_from_env():
    s = HttpSettings.from_env(
        {
            "NEWSFLOW_FEED_DEADLINE_S": "7.5",
            "NEWSFLOW_FEED_MAX_BYTES": "1000",
            "NEWSFLOW_ALLOW_PRIVATE_NETWORKS": "1",
            "NEWSFLOW_ALLOWED_NETWORKS": "127.0.0.1/32, 10.0.0.0/8",
            "NEWSFLOW_USER_AGENT": "newsflow-test/1 (+https://example.org)",
        }
    )
    assert s.feed_deadline_s == 7.5 and s.feed_max_bytes == 1000
    assert s.allow_private_networks is True
    assert s.allowed_networks == ("127.0.0.1/32", "10.0.0.0/8")
    assert s.user_agent.startswith("newsflow-test")
    assert HttpSettings.from_env({}) == HttpSettings()
    with pytest.raises(ValueError, match="NEWSFLOW_FEED_DEADLINE_S"):
        HttpSettings.from_env({"NEWSFLOW_FEED_DEADLINE_S": "soon"})
    with pytest.raises(ValueError, match="NEWSFLOW_ALLOW_PRIVATE_NETWORKS"):
        HttpSettings.from_env({"NEWSFLOW_ALLOW_PRIVATE_NETWORKS": "maybe"})


def test_defaults_match_reference():
    s = HttpSettings()
    assert s.feed_deadline_s == 25 and s.article_deadline_s == 30
    assert s.feed_max_bytes == 15 * 1024 * 1024 and s.article_max_bytes == 20 * 1024 * 1024
    assert s.max_redirects == 5 and s.retry_after_max_s == 86400
    assert s.allow_private_networks is False and s.verify_tls is True


def test_concurrent_fetches_keep_their_own_deadlines(server, client):
    """A hanging fetch in one thread must not delay or cut a healthy one in another."""
    results = {}

    def run(name):
        t0 = time.monotonic()
        results[name] = (client.fetch(server.url(name), kind=CASES[name].kind), time.monotonic() - t0)

    threads = [
        threading.Thread(target=run, args=(n,))
        for n in ("never_answers", "trickle", "healthy_feed", "gzip_bomb", "healthy_article")
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert results["healthy_feed"][0].status == "ok" and results["healthy_feed"][1] < 1.0
    assert results["healthy_article"][0].status == "ok"
    assert results["gzip_bomb"][0].status == "too_large"
    assert results["never_answers"][0].status == "timeout" and results["never_answers"][1] < DEADLINE + 1
    assert results["trickle"][0].status == "timeout"


def test_transport_exceptions_are_classified():
    def refuse(request):
        raise httpx.ConnectError("boom")

    def slow(request):
        raise httpx.ReadTimeout("slow")

    def bug(request):
        raise RuntimeError("unexpected")

    for handler, status in ((refuse, "connection_error"), (slow, "timeout"), (bug, "connection_error")):
        with HttpClient(SETTINGS, transport=httpx.MockTransport(handler)) as c:
            res = c.fetch("https://news.example.com/feed", kind="feed")
        assert res.status == status, res


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    """The fault server over HTTPS with a self-signed certificate (made with the openssl CLI)."""
    import shutil
    import ssl
    import subprocess

    if shutil.which("openssl") is None:
        pytest.skip("openssl CLI not available to make a self-signed certificate")
    d = tmp_path_factory.mktemp("tls")
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(d / "key.pem"),
            "-out",
            str(d / "cert.pem"),
        ],
        check=True,
        capture_output=True,
    )
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(d / "cert.pem", d / "key.pem")
    with FaultServer(ssl_context=ctx) as fs:
        yield fs


def test_tls_is_verified(tls_server, client):
    res = client.fetch(tls_server.url("healthy_feed"), kind="feed")
    assert res.status == "connection_error"
    assert "TLS failure" in res.error and "certificate" in res.error


def test_tls_works_when_verification_is_off(tls_server):
    with HttpClient(HttpSettings(**{**SETTINGS.__dict__, "verify_tls": False})) as c:
        res = c.fetch(tls_server.url("healthy_feed"), kind="feed")
    assert res.status == "ok" and res.body.startswith(b"<?xml")


def test_binary_content_is_not_a_feed_without_reading():
    def handler(request):
        return httpx.Response(200, content=b"\x89PNG" + b"\0" * 1000, headers={"Content-Type": "image/png"})

    with HttpClient(SETTINGS, transport=httpx.MockTransport(handler)) as c:
        res = c.fetch("https://news.example.com/feed", kind="feed")
    assert res.status == "not_a_feed" and "image/png" in res.error and res.bytes_read == 0


@pytest.mark.parametrize("step", [1, 2, 7, 65536])
def test_stream_decoder_tolerates_what_browsers_do(step):
    import gzip
    import zlib

    from newsflow.http import _StreamDecoder

    def run(enc, data):
        d = _StreamDecoder(enc)
        out = b"".join(b"".join(d.feed(data[i : i + step])) for i in range(0, len(data), step))
        return out + d.flush()

    doc = b"<rss>hello world</rss>" * 50
    raw = zlib.compressobj(wbits=-15)
    raw_body = raw.compress(doc) + raw.flush()
    assert run("gzip", gzip.compress(doc)) == doc
    assert run("gzip", gzip.compress(doc[:300]) + gzip.compress(doc[300:])) == doc  # two members
    assert run("gzip", gzip.compress(doc) + b"\0\0garbage") == doc  # trailing garbage ignored
    assert run("gzip", doc) == doc  # announced gzip, sent plain
    assert run("gzip", zlib.compress(doc)) == doc  # zlib sent as gzip
    assert run("deflate", zlib.compress(doc)) == doc
    assert run("deflate", raw_body) == doc  # raw deflate without the zlib header
    assert run("deflate", doc) == doc
    assert run("gzip", b"x") == b"x"


def test_plain_body_announced_as_gzip_is_served(server):
    def handler(request):
        body = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
        return httpx.Response(
            200,
            stream=httpx.ByteStream(body),
            headers={"Content-Type": "application/rss+xml", "Content-Encoding": "gzip"},
        )

    with HttpClient(SETTINGS, transport=httpx.MockTransport(handler)) as c:
        res = c.fetch("https://news.example.com/feed", kind="feed")
    assert res.status == "ok" and res.body.startswith(b"<?xml")


def test_settings_validation_names_the_variable():
    with pytest.raises(ValueError, match="NEWSFLOW_ALLOWED_NETWORKS"):
        HttpSettings.from_env({"NEWSFLOW_ALLOWED_NETWORKS": "10.0.0.0/8,bogus"})
    with pytest.raises(ValueError, match="NEWSFLOW_FEED_DEADLINE_S"):
        HttpSettings(feed_deadline_s=0)


MEMORY_PROBE = r"""
import resource, sys
sys.path.insert(0, sys.argv[1])
from faultserver import FaultServer
from newsflow.http import HttpClient, HttpSettings
cap = 5 * 1024 * 1024
s = HttpSettings(feed_deadline_s=5, article_deadline_s=5, feed_max_bytes=cap, article_max_bytes=cap,
                 allowed_networks=("127.0.0.1/32",))
with FaultServer() as fs, HttpClient(s) as c:
    assert c.fetch(fs.url("healthy_feed"), kind="feed").status == "ok"  # warm up imports and pools
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for name in ("gzip_bomb", "big_page", "big_page_no_length", "endless_body"):
        assert c.fetch(fs.url(name), kind=fs.CASES[name].kind).status == "too_large", name
    print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)
"""


def test_memory_growth_in_a_fresh_process():
    """Max RSS growth over the gzip bomb (8 GB decoded) and the 50 MB pages, measured from a clean baseline."""
    import subprocess

    out = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE, os.path.dirname(__file__)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    growth_mb = int(out.stdout.strip().splitlines()[-1])
    assert growth_mb < 50, growth_mb  # the brief allows 200 MB; with a 5 MB cap we stay near 2x the cap


def test_fault_server_stops_promptly_with_hanging_clients():
    fs = FaultServer()
    results = []
    with HttpClient(HttpSettings(**{**SETTINGS.__dict__, "feed_deadline_s": 30.0})) as c:
        threads = [
            threading.Thread(target=lambda n=n: results.append(c.fetch(fs.url(n), kind="feed")))
            for n in ("never_answers", "trickle", "slow_headers")
        ]
        for t in threads:
            t.start()
        time.sleep(0.5)
        t0 = time.monotonic()
        fs.stop()
        assert time.monotonic() - t0 < 2.0
        for t in threads:
            t.join(5)
    assert len(results) == 3 and all(r.status != "ok" for r in results)


class _DropsReusedConnection:
    """Answers the first request of every connection (keep-alive), then closes the first connection when a
    second request arrives on it, without a response: a keep-alive socket dying just as it is reused."""

    def __init__(self) -> None:
        import socket

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/page"
        self.connections = 0
        self.dropped = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._handle, args=(conn, self.connections == 1), daemon=True).start()

    def _handle(self, conn, drop_second: bool) -> None:
        body = b"<html><body><p>served</p></body></html>"
        with conn:
            for n in range(1, 100):
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(4096)
                    if not chunk:
                        return
                    data += chunk
                if drop_second and n == 2:
                    self.dropped += 1
                    return  # closed without a response
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: "
                             + str(len(body)).encode() + b"\r\n\r\n" + body)

    def close(self) -> None:
        self.sock.close()


def test_a_keep_alive_connection_dropped_on_reuse_is_sent_again_once():
    site = _DropsReusedConnection()
    try:
        with HttpClient(SETTINGS) as client:
            first = client.fetch(site.url, kind="article")
            second = client.fetch(site.url, kind="article")
        assert first.status == second.status == "ok", (first.error, second.error)
        assert second.body and b"served" in second.body
        assert site.dropped == 1 and site.connections == 2, "the second GET went again on a fresh connection"
    finally:
        site.close()


def test_a_host_that_always_drops_the_request_gets_two_attempts_then_a_connection_error():
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    attempts = []

    def serve() -> None:
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:
                return
            with conn:
                conn.recv(4096)
                attempts.append(1)  # closed without a response

    threading.Thread(target=serve, daemon=True).start()
    try:
        with HttpClient(SETTINGS) as client:
            res = client.fetch(f"http://127.0.0.1:{sock.getsockname()[1]}/x", kind="article")
        assert res.status == "connection_error" and "will retry later" in res.error
        assert len(attempts) == 2
    finally:
        sock.close()
