"""What a feed fetch outcome does to the feed's stored state: failure class, backoff, redirects.

Pure functions: the fetch stage passes the old state and the result in, and writes what comes out.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

#: Statuses that count as success (the feed delivered, or told us nothing changed).
SUCCESS = frozenset({"ok", "not_modified"})

#: Failure classes (see ../shared/reference/fetching.md): how long to wait before trying again.
FAILURE_CLASS = {
    "gone": "hard",
    "invalid_url": "hard",
    "forbidden_address": "hard",
    "not_a_feed": "hard",
    "http_error": "soft",
    "timeout": "soft",
    "too_large": "soft",
    "malformed": "soft",
    "redirect_loop": "soft",
    "connection_error": "temporary",
    "blocked": "blocked",
    "rate_limited": "rate_limited",
}
#: First backoff step per class; doubled per consecutive failure up to the class cap.
BACKOFF_BASE = {
    "temporary": timedelta(minutes=10),
    "soft": timedelta(minutes=30),
    "blocked": timedelta(hours=6),
    "hard": timedelta(hours=24),
}
BACKOFF_CAP = {
    "temporary": timedelta(hours=12),
    "soft": timedelta(hours=24),
    "blocked": timedelta(days=3),
    "hard": timedelta(days=7),
}
#: The first failures retry on the next scheduled run: one bad fetch is often a blip.
FAILURES_BEFORE_BACKOFF = 2
#: A feed is never left unpolled for longer than this, whatever failed (never a silent stop).
MAX_BACKOFF = timedelta(days=7)
#: Jitter spreads retries of many feeds that failed together.
JITTER_FRACTION = 0.1
#: Send no validators this often: some servers answer 304 forever.
FULL_FETCH_EVERY = timedelta(days=7)
#: A permanent redirect seen this many runs in a row replaces the stored feed URL.
REDIRECTS_BEFORE_MOVE = 3


@dataclass(frozen=True)
class FeedState:
    """The stored state of a feed, as read before a fetch."""

    url: str
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    consecutive_failures: int = 0
    next_attempt_at: datetime | None = None
    last_full_fetch_at: datetime | None = None
    redirect_url: str | None = None
    redirect_count: int = 0
    identity: str = "guid"


@dataclass(frozen=True)
class StateUpdate:
    """What to store after a fetch."""

    status: str
    success: bool
    consecutive_failures: int
    next_attempt_at: datetime | None
    etag: str | None
    last_modified: str | None
    body_hash: str | None
    redirect_url: str | None
    redirect_count: int
    new_url: str


def is_due(state: FeedState, now: datetime) -> bool:
    return state.next_attempt_at is None or state.next_attempt_at <= now


def wants_full_fetch(state: FeedState, now: datetime) -> bool:
    return state.last_full_fetch_at is None or now - state.last_full_fetch_at >= FULL_FETCH_EVERY


def backoff(status: str, failures: int, now: datetime, *, retry_after: datetime | None, key: str) -> datetime | None:
    """When to try again after `failures` consecutive failures ending in `status`; None: next run."""
    cls = FAILURE_CLASS.get(status, "soft")
    if cls == "rate_limited":
        return min(retry_after, now + MAX_BACKOFF) if retry_after else now + BACKOFF_BASE["temporary"]
    if failures < FAILURES_BEFORE_BACKOFF:
        return None
    step = BACKOFF_BASE[cls] * (2 ** (failures - FAILURES_BEFORE_BACKOFF))
    delay = min(step, BACKOFF_CAP[cls], MAX_BACKOFF)
    # Deterministic per feed and attempt, so re-running a task gives the same schedule.
    rnd = random.Random(hashlib.sha256(f"{key}:{failures}".encode()).digest())
    return now + delay * (1 + JITTER_FRACTION * rnd.random())


def next_state(
    state: FeedState,
    status: str,
    now: datetime,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    body_hash: str | None = None,
    retry_after: datetime | None = None,
    permanent_redirect: str | None = None,
) -> StateUpdate:
    success = status in SUCCESS
    failures = 0 if success else state.consecutive_failures + 1
    next_at = None if success else backoff(status, failures, now, retry_after=retry_after, key=state.url)
    redirect_url, redirect_count, new_url = state.redirect_url, state.redirect_count, state.url
    if success and permanent_redirect and permanent_redirect != state.url:
        redirect_count = redirect_count + 1 if permanent_redirect == state.redirect_url else 1
        redirect_url = permanent_redirect
        if redirect_count >= REDIRECTS_BEFORE_MOVE:
            new_url, redirect_url, redirect_count = permanent_redirect, None, 0
    elif success:
        redirect_url, redirect_count = None, 0
    if status == "ok":
        validators = (etag, last_modified, body_hash)
    else:
        # A failure or a 304 keeps the validators of the last good body.
        validators = (state.etag, state.last_modified, state.body_hash)
    return StateUpdate(
        status=status,
        success=success,
        consecutive_failures=failures,
        next_attempt_at=next_at,
        etag=validators[0],
        last_modified=validators[1],
        body_hash=validators[2],
        redirect_url=redirect_url,
        redirect_count=redirect_count,
        new_url=new_url,
    )
