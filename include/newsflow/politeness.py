"""Per-host politeness: minimum interval between request starts, a concurrency cap, and robots.txt.
`HostLimiter` is thread-safe in one process; its backend is pluggable (e.g. PostgreSQL across tasks).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import threading
import time
import typing
import urllib.robotparser
from dataclasses import dataclass
from urllib.parse import urlsplit

from newsflow.models import FetchResult, Politeness

if typing.TYPE_CHECKING:  # pragma: no cover
    from newsflow.http import HttpClient

#: Politeness used when the caller gives none (the feeds file's global block normally overrides it).
DEFAULT_POLITENESS = Politeness(
    min_delay_s=float(os.environ.get("NEWSFLOW_MIN_DELAY_S", "1.0")),
    max_concurrency_per_host=int(os.environ.get("NEWSFLOW_MAX_CONCURRENCY_PER_HOST", "2")),
)
#: How long one `acquire` waits for its turn before giving up (the caller then records `deferred`).
DEFAULT_ACQUIRE_TIMEOUT_S = float(os.environ.get("NEWSFLOW_HOST_WAIT_S", "300"))
#: robots.txt cache lifetime for a successfully fetched (or missing, 4xx) file.
ROBOTS_TTL_S = float(os.environ.get("NEWSFLOW_ROBOTS_TTL_S", "3600"))
#: Shorter lifetime after a 5xx / timeout / connection error, so a transient outage is re-checked soon.
ROBOTS_ERROR_TTL_S = float(os.environ.get("NEWSFLOW_ROBOTS_ERROR_TTL_S", "300"))
#: Cap on the robots.txt body (Google reads the first 500 KiB).
ROBOTS_MAX_BYTES = 512 * 1024
#: Hosts whose robots.txt is kept in memory; past this, expired (else the oldest) entries are dropped.
ROBOTS_MAX_HOSTS = 10_000
#: Deadline for one robots.txt fetch.
ROBOTS_DEADLINE_S = 10.0


class HostBusy(Exception):
    """The host's slot did not free up within the timeout: defer this URL and try it in a later run."""


def host_key(url_or_host: str) -> str:
    """Normalized host the limits apply to: lowercase host name with an explicit non-default port."""
    if "://" not in url_or_host:
        return url_or_host.lower()
    parts = urlsplit(url_or_host)
    host = (parts.hostname or "").lower()
    port = parts.port
    if port and not ((parts.scheme == "http" and port == 80) or (parts.scheme == "https" and port == 443)):
        return f"{host}:{port}"
    return host


class LimiterBackend(typing.Protocol):
    """Where host slots live. `acquire` blocks until a slot is granted or returns None at `deadline`.

    `acquire` returns an opaque token passed back to `release`. The in-process backend uses a condition
    variable; a PostgreSQL backend can use a row per host (``next_allowed_at``, ``active``) updated with
    ``SELECT ... FOR UPDATE`` and poll with short sleeps.
    """

    def acquire(self, host: str, politeness: Politeness, deadline: float) -> object | None: ...

    def release(self, host: str, token: object) -> None: ...


@dataclass
class _HostState:
    active: int = 0
    next_start: float = 0.0  # monotonic time before which no new request may start


class InProcessBackend:
    """Slots shared by the threads of one process."""

    def __init__(
        self, clock: typing.Callable[[], float] = time.monotonic, sleep: typing.Callable[[float], None] = time.sleep
    ):
        self._clock = clock
        self._sleep = sleep
        self._cond = threading.Condition()
        self._hosts: dict[str, _HostState] = {}

    def acquire(self, host: str, politeness: Politeness, deadline: float) -> object | None:
        cap = max(1, int(politeness.max_concurrency_per_host))
        delay = max(0.0, float(politeness.min_delay_s))
        with self._cond:
            state = self._hosts.setdefault(host, _HostState())
            while state.active >= cap:
                remaining = deadline - self._clock()
                if remaining <= 0:
                    return None
                self._cond.wait(remaining)
            now = self._clock()
            start = max(now, state.next_start)
            if start > deadline:
                return None
            # reserve the start time now so concurrent callers queue up behind us
            state.next_start = start + delay
            state.active += 1
        wait = start - self._clock()
        if wait > 0:
            self._sleep(wait)
        return start

    def release(self, host: str, token: object) -> None:
        with self._cond:
            state = self._hosts.get(host)
            if state is not None and state.active > 0:
                state.active -= 1
            self._cond.notify_all()

    def active(self, host: str) -> int:
        with self._cond:
            state = self._hosts.get(host)
            return state.active if state else 0


class HostLimiter:
    """Per-host minimum interval between request starts plus a concurrency cap.

    Use ``with limiter.slot(url, politeness): client.fetch(url, ...)``. The politeness of the call
    applies (a feed's own block, or the global default); the host's schedule is shared by all callers.
    """

    def __init__(
        self,
        default: Politeness | None = None,
        *,
        backend: LimiterBackend | None = None,
        timeout_s: float = DEFAULT_ACQUIRE_TIMEOUT_S,
    ):
        self.default = default or DEFAULT_POLITENESS
        self.backend: LimiterBackend = backend or InProcessBackend()
        self.timeout_s = timeout_s

    @contextlib.contextmanager
    def slot(
        self, url: str, politeness: Politeness | None = None, timeout_s: float | None = None
    ) -> typing.Iterator[None]:
        """Hold one of the host's slots; raises HostBusy if none frees up within the timeout."""
        host = host_key(url)
        pol = politeness or self.default
        deadline = time.monotonic() + (self.timeout_s if timeout_s is None else timeout_s)
        token = self.backend.acquire(host, pol, deadline)
        if token is None:
            raise HostBusy(
                f"{host}: no request slot within {timeout_s or self.timeout_s:g}s "
                f"(min delay {pol.min_delay_s:g}s, max {pol.max_concurrency_per_host} at once); "
                "deferred to a later run"
            )
        try:
            yield
        finally:
            self.backend.release(host, token)


@dataclass
class _RobotsEntry:
    parser: urllib.robotparser.RobotFileParser | None  # None: allow everything
    expires: float
    status: str


class RobotsCache:
    """robots.txt per scheme+host, fetched through our HttpClient and cached per process with a TTL.

    Policy: a robots.txt that is missing or answers 4xx (incl. 401/403) allows everything (RFC 9309
    "unavailable"). On 5xx, timeout or connection errors we also allow (RFC 9309 would disallow):
    the pages come from the publisher's own feed, the error is cached only ROBOTS_ERROR_TTL_S, and the
    article fetch itself will most likely fail the same way. A robots.txt that redirects is followed.
    """

    def __init__(
        self,
        client: HttpClient,
        *,
        ttl_s: float = ROBOTS_TTL_S,
        error_ttl_s: float = ROBOTS_ERROR_TTL_S,
        clock: typing.Callable[[], float] = time.monotonic,
    ):
        self.client = client
        self.ttl_s = ttl_s
        self.error_ttl_s = error_ttl_s
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[str, _RobotsEntry] = {}
        self._host_locks: dict[str, threading.Lock] = {}
        self.fetches = 0  # robots.txt requests made (for tests and metrics)
        self._results: list[FetchResult] = []  # fetch results not yet audited (see drain_results)

    def drain_results(self) -> list[FetchResult]:
        """The robots.txt fetches made since the last call, for the audit log (bodies dropped)."""
        with self._lock:
            out, self._results = self._results, []
        return out

    @staticmethod
    def _origin(url: str) -> str | None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return None
        return f"{parts.scheme}://{parts.netloc.lower()}"

    def _entry(self, origin: str) -> _RobotsEntry:
        with self._lock:
            entry = self._entries.get(origin)
            if entry is not None and entry.expires > self._clock():
                return entry
            host_lock = self._host_locks.setdefault(origin, threading.Lock())
        with host_lock:  # one fetch per host at a time; others wait and reuse it
            with self._lock:
                entry = self._entries.get(origin)
                if entry is not None and entry.expires > self._clock():
                    return entry
            entry = self._fetch(origin)
            with self._lock:
                if len(self._entries) >= ROBOTS_MAX_HOSTS:
                    now = self._clock()
                    for key in [k for k, e in self._entries.items() if e.expires <= now] or list(self._entries)[:1]:
                        self._entries.pop(key, None)
                        self._host_locks.pop(key, None)
                self._entries[origin] = entry
            return entry

    def _fetch(self, origin: str) -> _RobotsEntry:
        self.fetches += 1
        res = self.client.fetch(
            origin + "/robots.txt", kind="feed", max_bytes=ROBOTS_MAX_BYTES, deadline_s=ROBOTS_DEADLINE_S
        )
        with self._lock:
            self._results.append(dataclasses.replace(res, body=None))
        now = self._clock()
        if res.status == "ok" and res.body is not None:
            parser = urllib.robotparser.RobotFileParser(origin + "/robots.txt")
            text = res.body.decode("utf-8", "replace")
            parser.parse(text.splitlines())
            parser.modified()
            return _RobotsEntry(parser, now + self.ttl_s, "ok")
        if res.status == "too_large":  # read what we could? keep it simple: allow, re-check later
            return _RobotsEntry(None, now + self.error_ttl_s, res.status)
        if res.status in ("http_error", "gone", "blocked", "not_a_feed") and (res.http_status or 0) < 500:
            return _RobotsEntry(None, now + self.ttl_s, res.status)
        return _RobotsEntry(None, now + self.error_ttl_s, res.status)

    def _parser(self, url: str) -> urllib.robotparser.RobotFileParser | None:
        origin = self._origin(url)
        return None if origin is None else self._entry(origin).parser

    def allowed(self, url: str, user_agent: str | None = None) -> bool:
        """True unless the host's robots.txt disallows `url` for `user_agent` (default: the client's)."""
        parser = self._parser(url)
        return parser is None or parser.can_fetch(user_agent or self.client.settings.user_agent, url)

    def crawl_delay(self, url: str, user_agent: str | None = None) -> float | None:
        """The host's Crawl-delay for `user_agent`, if robots.txt sets one (feed it into Politeness)."""
        parser = self._parser(url)
        delay = parser.crawl_delay(user_agent or self.client.settings.user_agent) if parser else None
        return float(delay) if delay is not None else None
