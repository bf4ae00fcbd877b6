"""HTTP client for feeds and article pages: total deadline, decoded-size cap, guarded manual redirects.
`HttpClient.fetch` never raises for network or HTTP problems: it returns a `FetchResult` with a FETCH_STATUSES status.
"""

from __future__ import annotations

import dataclasses
import email.utils
import hashlib
import logging
import os
import random
import ssl
import threading
import time
import typing
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta, UTC
from typing import Literal
from urllib.parse import urlsplit

import httpcore
import httpx

from newsflow import __version__
from newsflow.models import FETCH_STATUSES, FetchResult, Validators
from newsflow.netguard import AddressPolicy, ForbiddenAddressError, GuardedBackend, check_url
from newsflow.parse import detect_challenge

log = logging.getLogger(__name__)

MB = 1024 * 1024

#: Redirect status codes we follow hop by hop; 301 and 308 are permanent.
REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECT_CODES = frozenset({301, 308})

#: Article content types we read; anything else (PDF, images, video...) is `unsupported_content`.
ARTICLE_MIME_TYPES = frozenset({"text/html", "application/xhtml+xml", "application/xml", "text/xml", "text/plain"})
#: Content types that can never be a feed: answered `not_a_feed` without reading the body.
NON_FEED_MIME_PREFIXES = (
    "image/",
    "audio/",
    "video/",
    "font/",
    "application/pdf",
    "application/zip",
    "application/msword",
    "application/vnd.",
)

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8"
)
ARTICLE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
#: Only encodings we decode ourselves with a bounded-output decompressor (see _StreamDecoder).
ACCEPT_ENCODING = "gzip, deflate"
#: Largest decoded piece produced from one network chunk; bounds memory on a gzip bomb.
DECODE_CHUNK_BYTES = 256 * 1024

Kind = Literal["feed", "article"]


def body_hash(body: bytes) -> str:
    """sha256 hex of a body; stored in `Validators.body_hash` to detect unchanged feeds without validators."""
    return hashlib.sha256(body).hexdigest()


def _env_bool(name: str, raw: str) -> bool:
    v = raw.strip().lower()
    if v in ("1", "true", "yes", "on"):
        return True
    if v in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"{name}={raw!r} is not a boolean: use 1/0, true/false, yes/no")


@dataclass(frozen=True)
class HttpSettings:
    """HTTP policies. Every field can be overridden by env ``NEWSFLOW_<FIELD NAME IN CAPS>``."""

    feed_deadline_s: float = 25.0  # total time for one feed fetch: connect, redirects, headers and body
    article_deadline_s: float = 30.0  # same for one article page
    connect_timeout_s: float = 10.0  # TCP + TLS connect, per hop (still bounded by the deadline)
    feed_max_bytes: int = 15 * MB  # cap on the *decoded* feed body
    article_max_bytes: int = 20 * MB  # cap on the *decoded* article body
    error_body_max_bytes: int = 64 * 1024  # how much of a 403/429/503 body we read to spot a challenge page
    max_redirects: int = 5  # hops followed; one more is `redirect_loop`
    max_url_length: int = 2048  # longer URLs are `invalid_url`
    user_agent: str = f"newsflow/{__version__} (+https://github.com/newsflow/newsflow)"  # honest, with contact
    allow_private_networks: bool = False  # NEWSFLOW_ALLOW_PRIVATE_NETWORKS=1 for demos/tests on localhost
    allowed_networks: tuple[str, ...] = ()  # CIDRs allowed even if private, e.g. "127.0.0.1/32" (comma list in env)
    denied_networks: tuple[str, ...] = ()  # CIDRs always refused, even if allow_private_networks
    retry_after_max_s: float = 86400.0  # Retry-After is clamped to 24 h
    retry_after_default_s: float = 600.0  # 429 without Retry-After: come back in 10 min
    retry_after_jitter: float = 0.1  # add up to +10 % random jitter to Retry-After
    max_connections: int = 100  # connection pool size of one client (shared by threads)
    keepalive_expiry_s: float = 5.0  # idle keep-alive connections are closed after this
    verify_tls: bool = True  # certificate verification; only tests should ever turn it off

    @classmethod
    def from_env(cls, env: typing.Mapping[str, str] = os.environ) -> HttpSettings:
        """Defaults overridden by NEWSFLOW_* variables; a malformed value raises ValueError naming it."""
        values: dict[str, typing.Any] = {}
        for f in dataclasses.fields(cls):
            name = f"NEWSFLOW_{f.name.upper()}"
            if name not in env:
                continue
            raw = env[name]
            default = f.default
            try:
                if isinstance(default, bool):
                    values[f.name] = _env_bool(name, raw)
                elif isinstance(default, int):
                    values[f.name] = int(raw)
                elif isinstance(default, float):
                    values[f.name] = float(raw)
                elif isinstance(default, tuple):
                    values[f.name] = tuple(p.strip() for p in raw.split(",") if p.strip())
                else:
                    values[f.name] = raw
            except ValueError as exc:
                raise ValueError(f"{name}={raw!r} is invalid ({exc}); fix or unset it") from None
        return cls(**values)

    def __post_init__(self) -> None:
        for name in (
            "feed_deadline_s",
            "article_deadline_s",
            "connect_timeout_s",
            "feed_max_bytes",
            "article_max_bytes",
            "max_connections",
        ):
            if getattr(self, name) <= 0:
                raise ValueError(f"HttpSettings.{name} must be positive (env NEWSFLOW_{name.upper()})")
        if self.max_redirects < 0:
            raise ValueError("HttpSettings.max_redirects must be >= 0 (env NEWSFLOW_MAX_REDIRECTS)")
        for name in ("allowed_networks", "denied_networks"):
            if isinstance(getattr(self, name), str):  # a single CIDR given as a string
                object.__setattr__(self, name, (getattr(self, name),))
            try:
                AddressPolicy.build(**{name.split("_")[0]: getattr(self, name)})
            except ValueError as exc:
                raise ValueError(
                    f"HttpSettings.{name} has an invalid network ({exc}); use CIDRs like 10.0.0.0/8 "
                    f"(env NEWSFLOW_{name.upper()}, comma-separated)"
                ) from None

    def policy(self) -> AddressPolicy:
        """The private-network guard policy these settings describe."""
        return AddressPolicy.build(
            allow_private=self.allow_private_networks, allowed=self.allowed_networks, denied=self.denied_networks
        )


# --- total deadline enforced at the socket level ---------------------------------------------

_local = threading.local()


def _bounded(timeout: float | None, exc_type: type[Exception]) -> float | None:
    """`timeout` shortened to what is left of this thread's deadline; raises once it has passed."""
    deadline = getattr(_local, "deadline", None)
    if deadline is None:
        return timeout
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise exc_type("total deadline exceeded")
    return remaining if timeout is None else min(timeout, remaining)


class _DeadlineStream(httpcore.NetworkStream):
    """Every blocking socket operation waits at most until the calling thread's deadline."""

    def __init__(self, inner: httpcore.NetworkStream):
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _bounded(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _bounded(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None) -> httpcore.NetworkStream:
        inner = self._inner.start_tls(ssl_context, server_hostname, _bounded(timeout, httpcore.ConnectTimeout))
        return _DeadlineStream(inner)

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self, inner: httpcore.NetworkBackend):
        self.inner = inner

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        stream = self.inner.connect_tcp(
            host, port, _bounded(timeout, httpcore.ConnectTimeout), local_address, socket_options
        )
        return _DeadlineStream(stream)

    def connect_unix_socket(self, path, timeout=None, socket_options=None):  # pragma: no cover
        raise httpcore.ConnectError("unix sockets are not used by newsflow")

    def sleep(self, seconds: float) -> None:  # pragma: no cover
        time.sleep(seconds)


#: Errors before any response byte after which a GET is sent once more (connect failures are not: a fresh
#: connection already failed, and the fetch is retried at the next run).
RESENDABLE_ERRORS = (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError)


class GuardedTransport(httpx.HTTPTransport):
    """httpx transport whose sockets go through the private-network guard and the thread's deadline."""

    def __init__(self, settings: HttpSettings):
        limits = httpx.Limits(
            max_connections=settings.max_connections,
            max_keepalive_connections=settings.max_connections,
            keepalive_expiry=settings.keepalive_expiry_s,
        )
        super().__init__(verify=settings.verify_tls, trust_env=False, limits=limits)
        self.guard = GuardedBackend(settings.policy())
        ssl_context = self._pool._ssl_context
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            http1=True,
            http2=False,
            retries=0,
            network_backend=_DeadlineBackend(self.guard),
        )


# --- body decoding with bounded output -------------------------------------------------------


class _StreamDecoder:
    """gzip/deflate decoder that never produces more than DECODE_CHUNK_BYTES per step (gzip-bomb safe).

    Tolerates what browsers tolerate: zlib or raw deflate sent as "deflate", several gzip members,
    trailing garbage after a complete member, and a body announced as compressed that is not.
    """

    def __init__(self, encoding: str):
        self.encoding = encoding
        self._head = b""
        self._mode: str | None = None  # "gzip", "zlib", "raw" or "plain", decided from the first bytes
        self._obj: typing.Any = None
        self._members_done = 0
        self._done = False

    def _sniff(self, head: bytes) -> str:
        if head[:2] == b"\x1f\x8b":
            return "gzip"
        if (head[0] & 0x0F) == 8 and (head[0] * 256 + head[1]) % 31 == 0:
            return "zlib"
        if head[:1] in (b"<", b"{", b" ", b"\t", b"\r", b"\n", b"\xef", b"\xfe", b"\xff"):
            return "plain"  # announced as compressed, sent plain (a common server misconfiguration)
        return "raw" if self.encoding == "deflate" else "plain"

    def _new(self):
        wbits = {"gzip": 16 + zlib.MAX_WBITS, "zlib": zlib.MAX_WBITS, "raw": -zlib.MAX_WBITS}[self._mode]
        return zlib.decompressobj(wbits)

    def feed(self, data: bytes) -> typing.Iterator[bytes]:
        if self._mode is None:
            self._head += data
            if len(self._head) < 2:
                return
            data, self._head = self._head, b""
            self._mode = self._sniff(data)
            if self._mode != "plain":
                self._obj = self._new()
        if self._mode == "plain":
            if data:
                yield data
            return
        while data and not self._done:
            try:
                out = self._obj.decompress(data, DECODE_CHUNK_BYTES)
            except zlib.error:
                if self._members_done:  # garbage after a complete member: ignore it like browsers do
                    self._done = True
                    return
                raise
            if out:
                yield out
            if self._obj.eof:
                self._members_done += 1
                data = self._obj.unused_data  # start of the next gzip member, if any
                if self._mode == "gzip":
                    self._obj = self._new()  # a member may also start in a later chunk
                    continue
                self._done = True
                return
            data = self._obj.unconsumed_tail

    def flush(self) -> bytes:
        if self._mode is None:
            return self._head  # fewer than 2 bytes in all: nothing was compressed
        if self._mode == "plain" or self._done:
            return b""
        return self._obj.flush()


def _decoder_for(content_encoding: str | None) -> _StreamDecoder | None | Literal["httpx"]:
    encs = [e.strip().lower() for e in (content_encoding or "").split(",")]
    encs = [e for e in encs if e and e != "identity"]
    if not encs:
        return None
    if len(encs) == 1 and encs[0] in ("gzip", "x-gzip"):
        return _StreamDecoder("gzip")
    if len(encs) == 1 and encs[0] == "deflate":
        return _StreamDecoder("deflate")
    return "httpx"  # br/zstd/stacked: let httpx decode (we never ask for them)


class _Stop(Exception):
    def __init__(self, status: str):
        self.status = status


def _read_body(resp: httpx.Response, cap: int, deadline: float | None, *, truncate: bool = False) -> tuple[bytes, int]:
    """Decoded body up to `cap` bytes; raises _Stop('too_large'|'timeout') as soon as it knows.

    With `truncate`, returns the first `cap` bytes instead of raising too_large.
    """
    decoder = _decoder_for(resp.headers.get("content-encoding"))
    if resp.is_stream_consumed:  # already read (e.g. httpx.MockTransport): content is decoded already
        decoder = "httpx"
    parts: list[bytes] = []
    total = 0

    def take(chunk: bytes) -> bool:
        nonlocal total
        if total + len(chunk) > cap:
            if not truncate:
                raise _Stop("too_large")
            parts.append(chunk[: cap - total])
            total = cap
            return False
        total += len(chunk)
        parts.append(chunk)
        if deadline is not None and time.monotonic() > deadline:
            raise _Stop("timeout")
        return True

    if decoder is None or decoder == "httpx":
        for chunk in resp.iter_bytes() if decoder == "httpx" else resp.iter_raw():
            if not take(chunk):
                break
    else:
        done = False
        for raw in resp.iter_raw():
            for chunk in decoder.feed(raw):
                if not take(chunk):
                    done = True
                    break
            if done:
                break
            if deadline is not None and time.monotonic() > deadline:
                raise _Stop("timeout")
        if not done:
            tail = decoder.flush()
            if tail:
                take(tail)
    return b"".join(parts), total


# --- Retry-After ---------------------------------------------------------------------------


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date); None if unparsable."""
    if not value:
        return None
    value = value.strip()
    now = now or datetime.now(UTC)
    if value.isdigit():
        return float(int(value))
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def _mime(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def _charset(content_type: str | None) -> str | None:
    for part in (content_type or "").split(";")[1:]:
        k, _, v = part.partition("=")
        if k.strip().lower() == "charset" and v.strip():
            return v.strip().strip("\"'").lower()
    return None


def _is_tls_error(exc: BaseException) -> bool:
    e: BaseException | None = exc
    while e is not None:
        if isinstance(e, ssl.SSLError) or "CERTIFICATE_VERIFY_FAILED" in str(e) or "SSL" in type(e).__name__:
            return True
        e = e.__cause__ or e.__context__
    return False


class HttpClient:
    """Thread-safe fetcher; share one per process (or per task) and close it when done."""

    def __init__(self, settings: HttpSettings | None = None, *, transport: httpx.BaseTransport | None = None):
        self.settings = settings or HttpSettings.from_env()
        self.policy = self.settings.policy()
        self.transport = transport if transport is not None else GuardedTransport(self.settings)
        self._client = httpx.Client(
            transport=self.transport,
            follow_redirects=False,
            trust_env=False,
            headers={"User-Agent": self.settings.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
        )

    # -- lifecycle
    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- public
    def fetch(
        self,
        url: str,
        *,
        kind: Kind,
        validators: Validators | None = None,
        max_bytes: int | None = None,
        deadline_s: float | None = None,
    ) -> FetchResult:
        """GET `url` as a feed or an article page; `max_bytes`/`deadline_s` override the settings."""
        s = self.settings
        if deadline_s is None:
            deadline_s = s.feed_deadline_s if kind == "feed" else s.article_deadline_s
        if max_bytes is None:
            max_bytes = s.feed_max_bytes if kind == "feed" else s.article_max_bytes
        start = time.monotonic()
        deadline = start + deadline_s
        previous = getattr(_local, "deadline", None)
        _local.deadline = deadline
        try:
            result = self._fetch(url, kind, validators, max_bytes, deadline, deadline_s)
        except Exception as exc:  # last resort: fetch never raises
            log.exception("unexpected error fetching %s", url)
            result = FetchResult(
                url=url,
                status="connection_error",
                error=f"unexpected {type(exc).__name__} fetching {url}: {exc}; this is a newsflow bug, report it",
            )
        finally:
            _local.deadline = previous
        result.duration_s = time.monotonic() - start
        if result.status not in FETCH_STATUSES:  # pragma: no cover - guards the vocabulary contract
            result.error = f"internal: unknown status {result.status!r} ({result.error}); report this newsflow bug"
            result.status = "connection_error"
        return result

    # -- internals
    def _invalid(self, url: str) -> str | None:
        if len(url) > self.settings.max_url_length:
            return f"URL longer than {self.settings.max_url_length} characters: check it is not corrupted"
        try:
            parts = urlsplit(url)
        except ValueError as exc:
            return f"unparsable URL {url!r} ({exc}): fix it in the feeds file"
        if parts.scheme.lower() not in ("http", "https"):
            return f"not an http(s) URL: {url!r}; only http and https are fetched"
        if not parts.hostname:
            return f"URL without a host: {url!r}; fix it in the feeds file"
        try:
            httpx.URL(url)
        except Exception as exc:
            return f"invalid URL {url!r} ({exc}): fix it"
        return None

    def _headers(self, kind: Kind, validators: Validators | None) -> dict[str, str]:
        h = {"Accept": FEED_ACCEPT if kind == "feed" else ARTICLE_ACCEPT}
        if validators is not None:
            if validators.etag:
                h["If-None-Match"] = validators.etag
            elif validators.last_modified:
                h["If-Modified-Since"] = validators.last_modified
        return h

    def _fetch(
        self, url: str, kind: Kind, validators: Validators | None, max_bytes: int, deadline: float, deadline_s: float
    ) -> FetchResult:
        res = FetchResult(url=url, status="ok")
        reason = self._invalid(url)
        if reason:
            res.status, res.error = "invalid_url", reason
            return res
        current = url
        seen = {self._norm(url): 1}  # URL -> visits
        headers = self._headers(kind, validators)
        resent = False
        while True:
            res.final_url = current
            reason = check_url(current, self.policy)
            if reason:
                res.status, res.error = "forbidden_address", reason
                return res
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return self._timeout(res, deadline_s)
            timeout = httpx.Timeout(remaining, connect=min(self.settings.connect_timeout_s, remaining))
            try:
                request = self._client.build_request("GET", current, headers=headers, timeout=timeout)
                resp = self._client.send(request, stream=True)
            except ForbiddenAddressError as exc:  # raised by the guard at connect time; httpx passes it through
                res.status, res.error = "forbidden_address", str(exc)
                return res
            except httpx.TimeoutException:
                return self._timeout(res, deadline_s)
            except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
                res.status, res.error = "invalid_url", f"cannot request {current!r}: {exc}; fix the URL"
                return res
            except httpx.HTTPError as exc:
                if resent or not isinstance(exc, RESENDABLE_ERRORS):
                    return self._connection_error(res, current, exc)
                # No response started: a pooled keep-alive socket was closed as it was reused (by the server's
                # idle timeout, or under load by the pool itself), so the GET never reached the server. Sent
                # once more, on a fresh connection, within the same deadline; a host that always drops us
                # costs two attempts, never more.
                resent = True
                continue
            try:
                if resp.status_code in REDIRECT_CODES:
                    nxt = self._redirect(res, resp, current, seen)
                    if nxt is None:
                        return res
                    current = nxt
                    continue
                return self._final(res, resp, kind, validators, max_bytes, deadline, deadline_s)
            except _Stop as stop:
                if stop.status == "timeout":
                    return self._timeout(res, deadline_s)
                raise  # pragma: no cover
            except httpx.TimeoutException:
                return self._timeout(res, deadline_s)
            except httpx.DecodingError as exc:
                res.status, res.error = (
                    "http_error",
                    f"undecodable body from {current} ({exc}); the server sends corrupt compressed data",
                )
                return res
            except zlib.error as exc:
                res.status, res.error = (
                    "http_error",
                    f"corrupt {resp.headers.get('content-encoding')} body from {current} ({exc}); "
                    "the server sends broken compressed data",
                )
                return res
            except httpx.HTTPError as exc:
                return self._connection_error(res, current, exc, mid_body=True)
            finally:
                resp.close()

    @staticmethod
    def _norm(url: str) -> str:
        try:
            return str(httpx.URL(url).copy_with(fragment=None))
        except Exception:
            return url

    def _redirect(self, res: FetchResult, resp: httpx.Response, current: str, seen: dict[str, int]) -> str | None:
        code = resp.status_code
        res.http_status = code
        location = resp.headers.get("location")
        if not location:
            res.status = "http_error"
            res.error = f"HTTP {code} redirect without a Location header at {current}: the server is misconfigured"
            return None
        try:
            target = str(resp.url.join(location.strip()))
        except Exception as exc:
            res.status, res.error = "invalid_url", f"redirect from {current} to unparsable {location!r} ({exc})"
            return None
        res.redirects.append((code, target))
        scheme = urlsplit(target).scheme.lower()
        if scheme not in ("http", "https"):
            res.status = "invalid_url"
            res.error = f"{current} redirects to a non-http(s) URL {target!r}; fix the URL in the feeds file"
            return None
        norm = self._norm(target)
        # Revisiting a URL is a loop, except once right after the server set a cookie (consent/cookie
        # checks redirect to the same page); the hop limit still bounds everything.
        visits = seen.get(norm, 0)
        if visits >= 2 or (visits == 1 and "set-cookie" not in resp.headers):
            res.status = "redirect_loop"
            res.error = (
                f"redirect loop: {current} -> {target} was already visited; "
                "the site is misconfigured, check the URL in a browser"
            )
            return None
        if len(res.redirects) > self.settings.max_redirects:
            res.status = "redirect_loop"
            res.error = (
                f"more than {self.settings.max_redirects} redirects starting at {res.url}; "
                f"use the final URL directly or raise NEWSFLOW_MAX_REDIRECTS"
            )
            return None
        if len(target) > self.settings.max_url_length:
            res.status, res.error = (
                "invalid_url",
                f"redirect target longer than {self.settings.max_url_length} characters",
            )
            return None
        seen[norm] = visits + 1
        return target

    def _timeout(self, res: FetchResult, deadline_s: float) -> FetchResult:
        res.status = "timeout"
        res.body = None
        res.error = (
            f"no complete response from {res.final_url or res.url} within {deadline_s:g}s "
            "(total deadline, body included): the server is slow or hanging; it will be retried later "
            "(raise NEWSFLOW_FEED_DEADLINE_S / NEWSFLOW_ARTICLE_DEADLINE_S if it is merely slow)"
        )
        return res

    def _connection_error(
        self, res: FetchResult, current: str, exc: BaseException, *, mid_body: bool = False
    ) -> FetchResult:
        res.status = "connection_error"
        res.body = None
        host = urlsplit(current).hostname
        detail = f"{type(exc).__name__}: {exc or 'no detail'}"
        if _is_tls_error(exc):
            res.error = (
                f"TLS failure talking to {host} ({exc}): the site's certificate is invalid, expired or for "
                "another name; the publisher must fix it (verification stays on)"
            )
        elif mid_body:
            res.error = f"the connection to {host} broke while reading the response ({detail}); will retry later"
        elif "DNS" in str(exc):
            res.error = f"{exc}: will retry later, but check the host name if this persists"
        elif isinstance(exc, httpx.ConnectError):
            res.error = (
                f"cannot connect to {host} ({detail}): the host is down or refusing connections; will retry later"
            )
        else:
            res.error = f"connection to {host} failed ({detail}); will retry later"
        return res

    def _fill_headers(self, res: FetchResult, resp: httpx.Response) -> None:
        res.http_status = resp.status_code
        res.headers = {k.lower(): v for k, v in resp.headers.items()}
        res.content_type = resp.headers.get("content-type")
        res.charset = _charset(res.content_type)
        res.etag = resp.headers.get("etag")
        res.last_modified = resp.headers.get("last-modified")

    def _retry_after(self, resp: httpx.Response) -> tuple[datetime, bool]:
        now = datetime.now(UTC)
        delay = parse_retry_after(resp.headers.get("retry-after"), now)
        given = delay is not None
        if delay is None:
            delay = self.settings.retry_after_default_s
        delay = min(max(delay, 0.0), self.settings.retry_after_max_s)
        delay *= 1.0 + random.uniform(0.0, self.settings.retry_after_jitter)
        delay = min(delay, self.settings.retry_after_max_s)
        return now + timedelta(seconds=delay), given

    def _final(
        self,
        res: FetchResult,
        resp: httpx.Response,
        kind: Kind,
        validators: Validators | None,
        max_bytes: int,
        deadline: float,
        deadline_s: float,
    ) -> FetchResult:
        self._fill_headers(res, resp)
        code = resp.status_code
        where = res.final_url or res.url
        if res.redirects and all(c in PERMANENT_REDIRECT_CODES for c, _ in res.redirects):
            permanent = res.final_url
        else:
            permanent = None

        if code == 304:
            res.status = "not_modified"
            res.etag = res.etag or (validators.etag if validators else None)
            res.last_modified = res.last_modified or (validators.last_modified if validators else None)
            res.permanent_redirect = permanent
            return res

        if 200 <= code < 300:
            what = "a feed" if kind == "feed" else "an article"
            mime = _mime(res.content_type)
            if kind == "article" and mime and mime not in ARTICLE_MIME_TYPES:
                res.status = "unsupported_content"
                res.error = f"{where} is {mime}, not an HTML page: skipped without downloading it"
                return res
            if kind == "feed" and mime.startswith(NON_FEED_MIME_PREFIXES):
                res.status = "not_a_feed"
                res.error = f"{where} serves {mime}, not a feed: check the feed URL"
                return res
            declared = resp.headers.get("content-length", "")
            if declared.isdigit() and not resp.headers.get("content-encoding") and int(declared) > max_bytes:
                res.status = "too_large"
                res.error = (
                    f"{where} announces {int(declared)} bytes, over the {max_bytes}-byte cap for {what}; "
                    f"raise NEWSFLOW_{kind.upper()}_MAX_BYTES if this is legitimate"
                )
                return res
            try:
                body, n = _read_body(resp, max_bytes, deadline)
            except _Stop as stop:
                if stop.status == "too_large":
                    res.status = "too_large"
                    res.bytes_read = max_bytes
                    res.error = (
                        f"{where} sent more than {max_bytes} bytes (decoded) for {what}: cut off; "
                        f"raise NEWSFLOW_{kind.upper()}_MAX_BYTES if this is legitimate"
                    )
                    return res
                raise
            res.bytes_read = n
            res.permanent_redirect = permanent
            if validators is not None and validators.body_hash and body_hash(body) == validators.body_hash:
                res.status = "not_modified"
                return res
            res.status = "ok"
            res.body = body
            return res

        # error statuses: read a small prefix of the body to recognise challenge pages
        prefix = b""
        if code in (403, 429, 503):  # only these can carry a challenge page worth recognising
            try:
                prefix, _ = _read_body(resp, self.settings.error_body_max_bytes, deadline, truncate=True)
            except (_Stop, httpx.HTTPError, zlib.error):
                prefix = b""  # classify by status code and headers alone
        challenge = detect_challenge(prefix, res.headers) if code in (403, 429, 503) else None
        if challenge and code in (403, 503):
            res.status = "blocked"
            res.error = (
                f"{where} answered {code} with an anti-bot challenge ({challenge}): we are blocked, not "
                "broken; ask the publisher to allow our User-Agent or find another feed URL"
            )
            return res
        if code == 403:
            res.status = "blocked"
            res.error = (
                f"{where} answered 403 Forbidden (no challenge page): the server refuses us; "
                "check the URL in a browser, the site may block crawlers"
            )
            return res
        if code == 429 or (code == 503 and "retry-after" in res.headers):
            res.retry_after, given = self._retry_after(resp)
            res.status = "rate_limited"
            hdr = f"Retry-After {res.headers.get('retry-after')!r}" if given else "no Retry-After"
            res.error = (
                f"{where} answered {code} ({hdr}): rate limited; deferred until "
                f"{res.retry_after.isoformat(timespec='seconds')}"
            )
            return res
        if code == 410:
            res.status = "gone"
            res.error = (
                f"{where} answered 410 Gone: the publisher removed it; "
                "remove it from the feeds file or find its new URL"
            )
            return res
        res.status = "http_error"
        if code == 404:
            res.error = f"{where} answered 404 Not Found: check the URL (it may have moved); will retry with backoff"
        elif code == 401:
            res.error = (
                f"{where} answered 401: it requires authentication, which newsflow does not do; find a public URL"
            )
        elif code >= 500:
            res.error = f"{where} answered {code}: server-side error at the publisher; will retry with backoff"
        else:
            res.error = f"{where} answered HTTP {code}: unexpected; check the URL in a browser"
        return res
