"""The demo newsroom over HTTP: feeds, article pages, robots.txt, with ETag / Last-Modified and 304s.

A stdlib ThreadingHTTPServer in a background thread (`serve`) or in the foreground (`run_demo_site`).
"""

from __future__ import annotations

import gzip
import hashlib
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from newsflow.demo import render
from newsflow.demo.feedsfile import feeds_yaml, write_feeds_yaml
from newsflow.demo.model import FIRST_EDITION, Newsroom

#: The port `newsflow demo-site` listens on unless told otherwise.
DEFAULT_PORT = 8765
#: Rendered responses kept in memory; bounded so a 20,000-article crawl does not hold every page.
CACHE_ENTRIES = 4096
#: Bodies at least this large are gzipped when the client accepts it (as real news sites do).
GZIP_MIN_BYTES = 1024
#: Clients may cache for a few minutes; revalidation is what the pipeline exercises.
CACHE_CONTROL = "public, max-age=300"
#: Host headers we trust to build absolute links (host, IPv4, [IPv6], optional port).
SAFE_HOST = re.compile(r"^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$")

EDITION_PATH = re.compile(r"^/_demo/edition/(\d+)$")

ROBOTS_TXT = "User-agent: *\nAllow: /\n"
PLACEHOLDER_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="675" viewBox="0 0 1200 675">'
    '<rect width="1200" height="675" fill="#8a9bb0"/><text x="600" y="350" font-size="48" '
    'text-anchor="middle" fill="#fff">newsflow demo</text></svg>'
)
STYLESHEET = "body{font-family:Georgia,serif;max-width:60rem;margin:auto;padding:1rem}nav ul{display:flex;gap:1rem;list-style:none}"

CT_HTML = "text/html; charset=utf-8"
CT_RSS = "application/rss+xml; charset=utf-8"
CT_ATOM = "application/atom+xml; charset=utf-8"


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    content_type: str
    last_modified: datetime | None = None
    etag: str | None = None


def _response(body: str | bytes, content_type: str, last_modified: datetime | None, status: int = 200) -> Response:
    data = body.encode("utf-8") if isinstance(body, str) else body
    etag = '"' + hashlib.blake2b(data, digest_size=10).hexdigest() + '"' if status == 200 else None
    return Response(status, data, content_type, last_modified, etag)


class DemoSite:
    """Routing and rendering, independent of the HTTP plumbing (so it is testable without sockets)."""

    def __init__(self, newsroom: Newsroom, edition: int = FIRST_EDITION) -> None:
        self.newsroom = newsroom
        self._edition = FIRST_EDITION
        self.set_edition(edition)
        self._cache: OrderedDict[tuple[int, str, str], Response] = OrderedDict()
        self._lock = threading.Lock()
        self._outlets = {o.slug: o for o in newsroom.outlets}
        self._feeds = {o.feed_path: o for o in newsroom.outlets}
        self._homes = {o.home_path: o for o in newsroom.outlets}

    @property
    def edition(self) -> int:
        return self._edition

    def set_edition(self, edition: int) -> None:
        if not FIRST_EDITION <= edition <= max(self.newsroom.editions, FIRST_EDITION):
            raise ValueError(f"edition must be between 1 and {self.newsroom.editions}, got {edition}")
        self._edition = edition  # cache keys include the edition, so nothing to invalidate

    def get(self, path: str, base_url: str) -> Response:
        edition = self._edition
        key = (edition, base_url, path)
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
        resp = self._render(path, base_url, edition)
        with self._lock:
            self._cache[key] = resp
            if len(self._cache) > CACHE_ENTRIES:
                self._cache.popitem(last=False)
        return resp

    def _render(self, path: str, base: str, edition: int) -> Response:
        nr = self.newsroom
        if path in nr.articles_by_path:
            art = nr.articles_by_path[path]
            return _response(render.render_article(nr, art, edition, base), CT_HTML, art.at(edition).modified)
        if path in self._feeds:
            outlet = self._feeds[path]
            ctype = CT_RSS if outlet.feed_format == "rss" else CT_ATOM
            return _response(render.render_feed(nr, outlet, edition, base), ctype, self._latest(outlet.slug, edition))
        if path in self._homes:
            outlet = self._homes[path]
            return _response(render.render_outlet_home(nr, outlet, edition, base), CT_HTML, self._latest(outlet.slug, edition))
        if path in ("/", "/index.html"):
            return _response(render.render_index(nr, edition, base), CT_HTML, self._latest(None, edition))
        if path == "/robots.txt":
            return _response(ROBOTS_TXT, "text/plain; charset=utf-8", nr.now)
        if path == "/_demo/ground-truth.json":
            return _response(nr.ground_truth_json(base, edition), "application/json; charset=utf-8", self._latest(None, edition))
        if path == "/_demo/feeds.yaml":
            return _response(feeds_yaml(nr, base), "application/yaml; charset=utf-8", nr.now)
        if path.startswith("/img/") and path.endswith(".svg"):
            return _response(PLACEHOLDER_SVG, "image/svg+xml", nr.now)
        if path.startswith("/static/") and path.endswith(".css"):
            return _response(STYLESHEET, "text/css; charset=utf-8", nr.now)
        body = f"<!DOCTYPE html><html><head><title>Not found</title></head><body><h1>404 Not found</h1><p>{escape(path)}</p></body></html>"
        return _response(body, CT_HTML, None, status=404)

    def _latest(self, outlet_slug: str | None, edition: int) -> datetime:
        arts = self.newsroom.articles_of(outlet_slug) if outlet_slug else self.newsroom.articles
        return max((a.at(edition).modified for a in arts), default=self.newsroom.now)


def _etag_matches(header: str, etag: str) -> bool:
    """Weak comparison, as RFC 9110 prescribes for If-None-Match."""
    if header.strip() == "*":
        return True
    bare = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") in (bare, bare[:-1] + '-gzip"') for tag in header.split(","))


def _not_modified_since(header: str, last_modified: datetime) -> bool:
    try:
        since = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return False
    if since is None or since.tzinfo is None:
        return False
    return last_modified.replace(microsecond=0) <= since


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    protocol_version = "HTTP/1.1"  # keep-alive: thousands of requests without a connection each
    # Headers and body leave in one write, without Nagle: otherwise delayed ACKs cap keep-alive at ~25 req/s per client.
    wbufsize = 1 << 16
    disable_nagle_algorithm = True
    server_version = "newsflow-demo/1.0"

    def do_GET(self) -> None:  # noqa: N802 (stdlib naming)
        self._serve(send_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve(send_body=False)

    def do_POST(self) -> None:  # noqa: N802
        """`POST /_demo/edition/<n>` switches the edition, so a demo can show an article being updated."""
        match = EDITION_PATH.match(urlsplit(self.path).path)
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)  # drain any body so keep-alive stays in sync
        if not match:
            return self._send(405, Response(405, b"", "text/plain; charset=utf-8"), b"", False, {"Allow": "GET, HEAD"})
        try:
            self.server.demo.set_edition(int(match.group(1)))
        except ValueError as exc:
            body = f"{exc}\n".encode()
            return self._send(400, Response(400, body, "text/plain; charset=utf-8"), body, True, {})
        body = f"edition {self.server.demo.edition}\n".encode()
        self._send(200, Response(200, body, "text/plain; charset=utf-8"), body, True, {})

    def _serve(self, send_body: bool) -> None:
        demo = self.server.demo
        path = urlsplit(self.path).path or "/"
        resp = demo.site.get(path, demo.base_for(self.headers.get("Host")))
        demo.count_request()
        if resp.status != 200:
            return self._send(resp.status, resp, resp.body, send_body, {})
        headers = {"Cache-Control": CACHE_CONTROL, "Vary": "Accept-Encoding"}
        etag = resp.etag or ""
        body = resp.body
        gzipped = demo.gzip and len(body) >= GZIP_MIN_BYTES and "gzip" in self.headers.get("Accept-Encoding", "")
        if gzipped:
            etag = etag[:-1] + '-gzip"'  # a different representation needs a different strong ETag
        headers["ETag"] = etag
        if resp.last_modified:
            headers["Last-Modified"] = format_datetime(resp.last_modified, usegmt=True)
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        # If-None-Match wins over If-Modified-Since when both are sent (RFC 9110 13.2.2).
        fresh = _etag_matches(inm, etag) if inm else bool(ims and resp.last_modified and _not_modified_since(ims, resp.last_modified))
        if fresh:
            return self._send(304, resp, b"", False, headers)
        if gzipped:
            body = demo.gzip_body(resp)
            headers["Content-Encoding"] = "gzip"
        self._send(200, resp, body, send_body, headers)

    def _send(self, status: int, resp: Response, body: bytes, send_body: bool, headers: dict[str, str]) -> None:
        self.send_response(status)
        if status != 304:
            self.send_header("Content-Type", resp.content_type)
            self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if send_body and status != 304:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (stdlib signature)
        if not self.server.demo.quiet:
            super().log_message(format, *args)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # benchmark crawlers open many connections at once
    demo: DemoServer


class DemoServer:
    """A running demo site. `url` is its base URL; use as a context manager or call `stop()`."""

    def __init__(self, newsroom: Newsroom, host: str = "127.0.0.1", port: int = 0, edition: int = FIRST_EDITION,
                 public_url: str | None = None, quiet: bool = True, gzip: bool = True) -> None:
        self.newsroom = newsroom
        self.site = DemoSite(newsroom, edition)
        self.quiet = quiet
        self.gzip = gzip
        self._httpd = _HTTPServer((host, port), _Handler)
        self._httpd.demo = self
        self.host = host
        self.port: int = self._httpd.server_address[1]
        shown_host = "127.0.0.1" if host in ("0.0.0.0", "", "::") else host
        self.url = (public_url or f"http://{shown_host}:{self.port}").rstrip("/")
        self._pinned = public_url is not None
        self._thread: threading.Thread | None = None
        self._gz: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()
        self.requests = 0

    # --- lifecycle -----------------------------------------------------------------------

    def start(self) -> DemoServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, name=f"demo-site:{self.port}", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._httpd.serve_forever()

    def stop(self) -> None:
        if self._thread:  # shutdown() would wait forever if serve_forever never ran
            self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> DemoServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- editions and ground truth -------------------------------------------------------

    @property
    def edition(self) -> int:
        return self.site.edition

    def set_edition(self, edition: int) -> None:
        self.site.set_edition(edition)

    def feed_urls(self) -> list[str]:
        return self.newsroom.feed_urls(self.url)

    def ground_truth(self) -> list[dict]:
        return self.newsroom.ground_truth(self.url, self.edition)

    def expected_stories(self) -> dict[str, list[str]]:
        return self.newsroom.expected_stories(self.url)

    def write_feeds_yaml(self, path: str | Path, min_delay_s: float = 0) -> Path:
        return write_feeds_yaml(self.newsroom, self.url, path, min_delay_s)

    # --- used by the handler -------------------------------------------------------------

    def base_for(self, host_header: str | None) -> str:
        """Links use the host the client asked for (e.g. a compose service name) unless a public URL is pinned."""
        if self._pinned or not host_header or not SAFE_HOST.match(host_header):
            return self.url
        return f"http://{host_header}"

    def count_request(self) -> None:
        with self._lock:
            self.requests += 1

    def gzip_body(self, resp: Response) -> bytes:
        key = resp.etag or ""
        with self._lock:
            hit = self._gz.get(key)
        if hit is None:
            hit = gzip.compress(resp.body, compresslevel=5, mtime=0)  # mtime=0: same bytes every time
            with self._lock:
                self._gz[key] = hit
                if len(self._gz) > CACHE_ENTRIES:
                    self._gz.popitem(last=False)
        return hit


def serve(newsroom: Newsroom | None = None, host: str = "127.0.0.1", port: int = 0, edition: int = FIRST_EDITION,
          public_url: str | None = None, quiet: bool = True) -> DemoServer:
    """Start the demo site in a background thread and return it (port 0 picks a free port)."""
    if newsroom is None:
        from newsflow.demo.content import demo_newsroom

        newsroom = demo_newsroom()
    return DemoServer(newsroom, host, port, edition, public_url, quiet).start()


def run_demo_site(port: int = DEFAULT_PORT, host: str = "127.0.0.1", public_url: str | None = None,
                  feeds_file: str | Path | None = None, edition: int = FIRST_EDITION,
                  newsroom: Newsroom | None = None, quiet: bool = False) -> None:
    """Serve the demo newsroom (hand-written unless given) until interrupted: the `newsflow demo-site` command."""
    if newsroom is None:
        from newsflow.demo.content import demo_newsroom

        newsroom = demo_newsroom()
    server = DemoServer(newsroom, host, port, edition, public_url=public_url, quiet=quiet)
    if feeds_file:
        server.write_feeds_yaml(feeds_file)
    st = newsroom.stats()
    print(f"newsflow demo newsroom at {server.url}/ : {st['outlets']} outlets, {st['articles']} articles, "
          f"{st['stories']} stories, edition {server.edition} of {newsroom.editions}", flush=True)
    print(f"  feeds file: {server.url}/_demo/feeds.yaml   ground truth: {server.url}/_demo/ground-truth.json", flush=True)
    print(f"  switch edition: curl -X POST {server.url}/_demo/edition/2", flush=True)
    if feeds_file:
        print(f"  wrote {feeds_file}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


def serve_forever(port: int = DEFAULT_PORT, host: str = "127.0.0.1") -> None:
    """Blocking alias of `run_demo_site` for callers that think of it as 'serve forever'."""
    run_demo_site(port, host)
