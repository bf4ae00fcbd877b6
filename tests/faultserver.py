"""A local fault-injecting HTTP server (127.0.0.1 only) reproducing the feed fetcher's fault matrix.
Use `with FaultServer() as fs: fs.url("gzip_bomb")`; `CASES` maps each case to its expected statuses.
"""

from __future__ import annotations

import email.utils
import gzip
import itertools
import socket
import ssl
import threading
import time
import zlib
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "feeds"
MB = 1024 * 1024

#: Decoded size of the gzip bomb (only ~1 KB per MB goes on the wire).
GZIP_BOMB_DECODED_BYTES = 8 * 1024 * MB
#: Size of the "50 MB page" case.
BIG_PAGE_BYTES = 50 * MB
#: Hops of the long redirect chain (more than the default limit of 5).
REDIRECT_CHAIN_HOPS = 12
#: Private address the "redirect to private network" case points at; never connected (the guard refuses).
PRIVATE_TARGET = "http://10.255.255.1/feed.xml"
#: Seconds a handler that "never answers" waits at most (it also ends when the server stops).
HANG_MAX_S = 600.0


@dataclass(frozen=True)
class FaultCase:
    """One row of the fault matrix.

    `fetch_status`: what `HttpClient.fetch(url, kind=kind)` returns; `final_status`: the feed/article status
    after parsing (`parse_feed` for feeds; same as fetch_status when parsing does not apply).
    """

    path: str
    kind: str  # "feed" or "article"
    fetch_status: str
    final_status: str
    note: str = ""


CASES: dict[str, FaultCase] = {
    "healthy_feed": FaultCase(
        "/feed/healthy.xml", "feed", "ok", "ok", "RSS with ETag/Last-Modified, items link to /article/N"
    ),
    "healthy_article": FaultCase("/article/1", "article", "ok", "ok", "an HTML article page"),
    "no_validators_feed": FaultCase(
        "/feed/no-validators.xml", "feed", "ok", "ok", "same feed without ETag/Last-Modified (body-hash case)"
    ),
    "http_500": FaultCase("/status/500", "feed", "http_error", "http_error"),
    "http_404": FaultCase("/status/404", "feed", "http_error", "http_error"),
    "http_410": FaultCase("/status/410", "feed", "gone", "gone"),
    "http_403": FaultCase("/status/403", "feed", "blocked", "blocked", "plain 403, no challenge page"),
    "retry_after_seconds_503": FaultCase(
        "/status/503-retry-after", "feed", "rate_limited", "rate_limited", "Retry-After: 120"
    ),
    "retry_after_date_429": FaultCase(
        "/status/429-retry-date", "feed", "rate_limited", "rate_limited", "Retry-After as HTTP-date, now + 2 h"
    ),
    "connection_refused": FaultCase(
        "<closed port>", "feed", "connection_error", "connection_error", "a port nobody listens on"
    ),
    "never_answers": FaultCase("/hang", "feed", "timeout", "timeout", "accepts, reads the request, never answers"),
    "trickle": FaultCase("/trickle", "feed", "timeout", "timeout", "200 then 1 byte per second"),
    "endless_body": FaultCase("/endless", "feed", "too_large", "too_large", "200 with a body that never ends"),
    "gzip_bomb": FaultCase("/gzip-bomb", "feed", "too_large", "too_large", "8 GB of zeros, ~8 MB gzip on the wire"),
    "big_page": FaultCase("/big", "article", "too_large", "too_large", "a 50 MB HTML page"),
    "big_page_no_length": FaultCase(
        "/big?nolength=1", "article", "too_large", "too_large", "50 MB, chunked (no Content-Length)"
    ),
    "reset_mid_body": FaultCase(
        "/reset", "feed", "connection_error", "connection_error", "200, 1 KB of a 100 KB body, then a TCP reset"
    ),
    "slow_headers": FaultCase(
        "/slow-headers", "feed", "timeout", "timeout", "status line, then 1 header byte per second"
    ),
    "redirect_loop": FaultCase("/redirect/loop-a", "feed", "redirect_loop", "redirect_loop", "a -> b -> a"),
    "redirect_chain_12": FaultCase(
        f"/redirect/chain/{REDIRECT_CHAIN_HOPS}",
        "feed",
        "redirect_loop",
        "redirect_loop",
        "12 hops, then the healthy feed",
    ),
    "redirect_chain_3": FaultCase("/redirect/chain/3", "feed", "ok", "ok", "3 temporary hops to the healthy feed"),
    "redirect_permanent": FaultCase("/redirect/permanent", "feed", "ok", "ok", "301 then 308 to the healthy feed"),
    "redirect_cookie_check": FaultCase(
        "/redirect/cookie-check", "feed", "ok", "ok", "302 to itself with Set-Cookie, then the feed"
    ),
    "redirect_private": FaultCase(
        "/redirect/private", "feed", "forbidden_address", "forbidden_address", f"302 to {PRIVATE_TARGET}"
    ),
    "redirect_bad_scheme": FaultCase("/redirect/ftp", "feed", "invalid_url", "invalid_url", "302 to an ftp:// URL"),
    "html_instead_of_feed": FaultCase("/html", "feed", "ok", "not_a_feed", "an HTML page advertising the real feed"),
    "cloudflare_403": FaultCase(
        "/cf-challenge", "feed", "blocked", "blocked", "403 + cf-mitigated + 'Just a moment...'"
    ),
    "challenge_200": FaultCase("/cf-challenge-200", "feed", "ok", "not_a_feed", "a challenge page served with 200"),
    "malformed_recoverable": FaultCase(
        "/feed/malformed-recoverable.xml", "feed", "ok", "ok", "unclosed tags, control chars, 3 entries"
    ),
    "malformed_hopeless": FaultCase(
        "/feed/malformed-hopeless.xml", "feed", "ok", "malformed", "no feed root, no entries"
    ),
    "latin1_declared_utf8": FaultCase(
        "/feed/latin1-declared-utf8.xml", "feed", "ok", "ok", "declared ISO-8859-1 (header and prolog), bytes UTF-8"
    ),
    "empty_200": FaultCase("/empty", "feed", "ok", "not_a_feed", "200 with an empty body"),
    "duplicate_guids": FaultCase(
        "/feed/dup-guids.xml", "feed", "ok", "ok", "every item has the same GUID: identity falls back to link"
    ),
    "changing_guids": FaultCase(
        "/feed/changing-guids.xml", "feed", "ok", "ok", "GUIDs change on every request, links do not"
    ),
    "article_pdf": FaultCase("/article/pdf", "article", "unsupported_content", "unsupported_content"),
    "article_image": FaultCase("/article/image", "article", "unsupported_content", "unsupported_content"),
    "robots_disallowed_article": FaultCase(
        "/private/article", "article", "ok", "robots_disallowed", "disallowed by /robots.txt"
    ),
}

#: case name -> the status the pipeline should finally record for it.
EXPECTED_STATUS: dict[str, str] = {name: case.final_status for name, case in CASES.items()}

ROBOTS_TXT = b"User-agent: *\nDisallow: /private/\nCrawl-delay: 1\n"

ARTICLE_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Story {n}</title>
<link rel="canonical" href="/article/{n}"></head>
<body><article><h1>Story {n}</h1><p>Paragraph one of story {n}. It has enough words to look like prose.</p>
<p>Paragraph two of story {n}, with more text for an extractor to keep.</p></article></body></html>
"""

HTML_PAGE = """<!doctype html>
<html><head><title>Example News</title>
<link rel="alternate" type="application/rss+xml" title="RSS" href="/feed/healthy.xml"></head>
<body><h1>Example News</h1><p>Welcome to our home page.</p></body></html>
"""

CHALLENGE_PAGE = """<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>
<meta http-equiv="refresh" content="390"></head><body><div id="challenge-running">Checking if the site
connection is secure</div><script src="/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1"></script>
</body></html>
"""

CHANGING_GUIDS_TEMPLATE = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Changing GUIDs</title><link>/</link><description>x</description>
{items}
</channel></rss>
"""


def closed_port() -> int:
    """A local TCP port with nothing listening on it (connection refused)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class _GzipBomb:
    """A single gzip member of `size` zero bytes, produced lazily from one cached compressed block."""

    BLOCK = MB
    _lock = threading.Lock()
    _block: bytes | None = None

    @classmethod
    def block(cls) -> bytes:
        with cls._lock:
            if cls._block is None:
                c = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
                first = c.compress(bytes(cls.BLOCK)) + c.flush(zlib.Z_FULL_FLUSH)
                second = c.compress(bytes(cls.BLOCK)) + c.flush(zlib.Z_FULL_FLUSH)
                assert first == second, "deflate full-flush blocks are not reproducible"
                cls._block = second
            return cls._block

    @classmethod
    def stream(cls, size: int):
        header = b"\x1f\x8b\x08\x00" + b"\x00\x00\x00\x00" + b"\x02\xff"
        yield header
        block = cls.block()
        zeros = bytes(cls.BLOCK)
        crc = 0
        for _ in range(size // cls.BLOCK):
            crc = zlib.crc32(zeros, crc)
            yield block
        yield b"\x03\x00"  # final empty fixed-Huffman block
        yield crc.to_bytes(4, "little") + (size % 2**32).to_bytes(4, "little")

    @classmethod
    def wire_size(cls, size: int) -> int:
        return 10 + len(cls.block()) * (size // cls.BLOCK) + 2 + 8


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args) -> None:  # quiet
        pass

    # -- helpers
    def _send(
        self,
        code: int,
        body: bytes = b"",
        ctype: str | None = "text/plain; charset=utf-8",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(code)
        if ctype:
            self.send_header("Content-Type", ctype)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)

    def _redirect(self, code: int, location: str) -> None:
        self._send(code, b"", None, {"Location": location})

    def _stream(self, chunks, ctype: str, headers: dict[str, str] | None = None, length: int | None = None) -> None:
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if length is not None:
            self.send_header("Content-Length", str(length))
        else:
            self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            for chunk in chunks:
                if self.server.stopping.is_set():
                    return
                if length is not None:
                    self.wfile.write(chunk)
                else:
                    self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            if length is None:
                self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass
        self.close_connection = True

    def _fixture(self, name: str) -> bytes:
        return (FIXTURES / name).read_bytes()

    # -- routing
    def do_GET(self) -> None:  # noqa: C901 - a flat route table reads best here
        path, _, query = self.path.partition("?")
        with self.server.lock:
            self.server.hits[path] = self.server.hits.get(path, 0) + 1
        base = self.server.base_url
        if path == "/robots.txt":
            return self._send(200, ROBOTS_TXT, "text/plain")
        if path in ("/feed/healthy.xml", "/feed/no-validators.xml"):
            body = self._fixture("healthy.rss.xml")
            if path == "/feed/no-validators.xml":
                return self._send(200, body, "application/rss+xml; charset=utf-8")
            etag, lm = '"healthy-v1"', "Mon, 02 Mar 2026 10:00:00 GMT"
            if self.headers.get("If-None-Match") == etag or (
                not self.headers.get("If-None-Match") and self.headers.get("If-Modified-Since") == lm
            ):
                return self._send(304, b"", None, {"ETag": etag, "Last-Modified": lm})
            return self._send(200, body, "application/rss+xml; charset=utf-8", {"ETag": etag, "Last-Modified": lm})
        if path.startswith("/article/") and path[len("/article/") :].isdigit():
            n = path[len("/article/") :]
            return self._send(200, ARTICLE_HTML.format(n=n).encode(), "text/html; charset=utf-8")
        if path == "/private/article":
            return self._send(200, ARTICLE_HTML.format(n="private").encode(), "text/html; charset=utf-8")
        if path == "/article/pdf":
            return self._send(200, b"%PDF-1.4\n" + b"0" * 200_000, "application/pdf")
        if path == "/article/image":
            return self._send(200, b"\x89PNG\r\n\x1a\n" + b"\x00" * 200_000, "image/png")
        if path.startswith("/status/"):
            return self._status(path[len("/status/") :])
        if path == "/hang":
            self.server.stopping.wait(HANG_MAX_S)
            self.close_connection = True
            return None
        if path == "/trickle":

            def trickle():
                for _ in range(int(HANG_MAX_S)):
                    yield b"<"
                    self.wfile.flush()
                    if self.server.stopping.wait(1.0):
                        return

            return self._stream(trickle(), "application/rss+xml", length=int(HANG_MAX_S))
        if path == "/reset":
            import struct

            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(b"<rss>" + b" " * 1000)
            self.wfile.flush()
            time.sleep(0.05)
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()  # RST instead of FIN
            self.close_connection = True
            return None
        if path == "/slow-headers":
            try:
                self.wfile.write(b"HTTP/1.1 200 OK\r\n")
                for _ in range(int(HANG_MAX_S)):
                    self.wfile.write(b"X")
                    if self.server.stopping.wait(1.0):
                        break
            except OSError:
                pass
            self.close_connection = True
            return None
        if path == "/endless":
            block = b"<item>" + b"x" * 65530
            return self._stream(itertools.repeat(block), "application/rss+xml")
        if path == "/gzip-bomb":
            size = GZIP_BOMB_DECODED_BYTES
            return self._stream(
                _GzipBomb.stream(size),
                "application/rss+xml",
                {"Content-Encoding": "gzip"},
                length=_GzipBomb.wire_size(size),
            )
        if path == "/big":
            block = b"<p>" + b"a" * (64 * 1024 - 7) + b"</p>\n"
            n = BIG_PAGE_BYTES // len(block)
            length = None if "nolength" in query else n * len(block)
            return self._stream(itertools.repeat(block, n), "text/html; charset=utf-8", length=length)
        if path == "/redirect/loop-a":
            return self._redirect(302, "/redirect/loop-b")
        if path == "/redirect/loop-b":
            return self._redirect(302, f"{base}/redirect/loop-a")
        if path.startswith("/redirect/chain/"):
            n = int(path.rsplit("/", 1)[1])
            return self._redirect(302, "/feed/healthy.xml" if n <= 1 else f"/redirect/chain/{n - 1}")
        if path == "/redirect/permanent":
            return self._redirect(301, "/redirect/permanent-2")
        if path == "/redirect/permanent-2":
            return self._redirect(308, f"{base}/feed/healthy.xml")
        if path == "/redirect/private":
            return self._redirect(302, PRIVATE_TARGET)
        if path == "/redirect/to":  # generic: /redirect/to?url=<quoted target>&code=301
            from urllib.parse import parse_qs

            q = parse_qs(query)
            return self._redirect(int(q.get("code", ["302"])[0]), q["url"][0])
        if path == "/redirect/cookie-check":  # sets a cookie and redirects to itself once, like consent walls
            if "newsflow_test=1" in (self.headers.get("Cookie") or ""):
                return self._send(200, self._fixture("healthy.rss.xml"), "application/rss+xml")
            return self._send(302, b"", None, {"Location": path, "Set-Cookie": "newsflow_test=1; Path=/"})
        if path == "/redirect/ftp":
            return self._redirect(302, "ftp://127.0.0.1/feed.xml")
        if path == "/html":
            return self._send(200, HTML_PAGE.encode(), "text/html; charset=utf-8")
        if path == "/cf-challenge":
            return self._send(
                403,
                CHALLENGE_PAGE.encode(),
                "text/html; charset=UTF-8",
                {"cf-mitigated": "challenge", "Server": "cloudflare"},
            )
        if path == "/cf-challenge-200":
            return self._send(200, CHALLENGE_PAGE.encode(), "text/html; charset=UTF-8", {"Server": "cloudflare"})
        if path == "/feed/malformed-recoverable.xml":
            return self._send(200, self._fixture("malformed-recoverable.xml"), "application/rss+xml")
        if path == "/feed/malformed-hopeless.xml":
            return self._send(200, self._fixture("malformed-hopeless.xml"), "application/xml")
        if path == "/feed/latin1-declared-utf8.xml":
            return self._send(200, self._fixture("latin1-declared-utf8.xml"), "application/rss+xml; charset=ISO-8859-1")
        if path == "/empty":
            return self._send(200, b"", "application/rss+xml")
        if path == "/feed/dup-guids.xml":
            return self._send(200, self._fixture("dup-guids.xml"), "application/rss+xml")
        if path == "/feed/changing-guids.xml":
            with self.server.lock:
                self.server.generation += 1
                gen = self.server.generation
            items = "\n".join(
                f"<item><title>Changing {i}</title><link>/article/{i}</link>"
                f'<guid isPermaLink="false">gen{gen}-item{i}</guid></item>'
                for i in range(1, 6)
            )
            return self._send(200, CHANGING_GUIDS_TEMPLATE.format(items=items).encode(), "application/rss+xml")
        if path == "/gzip/healthy.xml":
            return self._send(
                200,
                gzip.compress(self._fixture("healthy.rss.xml")),
                "application/rss+xml",
                {"Content-Encoding": "gzip"},
            )
        if path == "/slow-then-ok":
            time.sleep(float(query.partition("=")[2] or 0.5))
            return self._send(200, self._fixture("healthy.rss.xml"), "application/rss+xml")
        return self._send(404, b"no such fault case\n")

    def _status(self, what: str) -> None:
        if what == "503-retry-after":
            return self._send(503, b"busy\n", headers={"Retry-After": "120"})
        if what == "429-retry-date":
            when = email.utils.formatdate(time.time() + 7200, usegmt=True)
            return self._send(429, b"slow down\n", headers={"Retry-After": when})
        if what == "429":
            return self._send(429, b"slow down\n")
        if what == "503":
            return self._send(503, b"down\n")
        code = int(what) if what.isdigit() else 400
        return self._send(code, f"status {code}\n".encode())


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # never-answering handlers must not block shutdown
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, ssl_context: ssl.SSLContext | None = None) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.ssl_context = ssl_context
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.hits: dict[str, int] = {}
        self.generation = 0
        scheme = "https" if ssl_context else "http"
        self.base_url = f"{scheme}://127.0.0.1:{self.server_address[1]}"

    def get_request(self):
        sock, addr = super().get_request()
        if self.ssl_context is not None:  # handshake in the handler thread, not in the accept loop
            sock = self.ssl_context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, addr

    def finish_request(self, request, client_address) -> None:
        if self.ssl_context is not None:
            request.settimeout(10)
            request.do_handshake()  # a client refusing our certificate ends here (handled quietly)
            request.settimeout(None)
        super().finish_request(request, client_address)

    def handle_error(self, request, client_address) -> None:
        """Clients hanging up mid-response is the point of most cases: stay quiet about it."""
        import sys

        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, BrokenPipeError, TimeoutError, OSError)):
            return
        super().handle_error(request, client_address)


class FaultServer:
    """The fault-matrix server, started on construction; stop() (or the context manager) ends it."""

    CASES = CASES
    EXPECTED_STATUS = EXPECTED_STATUS

    def __init__(self, ssl_context: ssl.SSLContext | None = None) -> None:
        """`ssl_context`: serve HTTPS with it (e.g. a self-signed certificate, to test TLS verification)."""
        self._server = _Server(ssl_context)
        self.base_url = self._server.base_url
        self.port = self._server.server_address[1]
        self._refused_port = closed_port()
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, name="faultserver", daemon=True
        )
        self._thread.start()

    def url(self, name: str) -> str:
        """URL of a fault case by name (see CASES), or of a raw path starting with '/'."""
        if name.startswith("/"):
            return self.base_url + name
        case = CASES[name]
        if case.path == "<closed port>":
            return self.closed_port_url()
        return self.base_url + case.path

    def redirect_url(self, target: str, code: int = 302) -> str:
        """A URL on this server that redirects (once) to `target`."""
        from urllib.parse import quote

        return f"{self.base_url}/redirect/to?code={code}&url={quote(target, safe='')}"

    def closed_port_url(self, path: str = "/feed.xml") -> str:
        """A URL on 127.0.0.1 where nothing listens: connection refused."""
        return f"http://127.0.0.1:{self._refused_port}{path}"

    def hits(self, path: str) -> int:
        """How many requests a path received."""
        with self._server.lock:
            return self._server.hits.get(path, 0)

    def stop(self) -> None:
        self._server.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FaultServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


if __name__ == "__main__":  # manual exploration: python tests/faultserver.py
    fs = FaultServer()
    print(f"fault server on {fs.base_url}")
    for name, case in CASES.items():
        print(f"  {name:28s} {fs.url(name):55s} -> {case.final_status}")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        fs.stop()
