"""Tests for newsflow.feed_state: success resets, failures back off by class, redirects move the URL."""

from datetime import datetime, timedelta, timezone

from newsflow.feed_state import (
    FAILURES_BEFORE_BACKOFF,
    MAX_BACKOFF,
    REDIRECTS_BEFORE_MOVE,
    FeedState,
    is_due,
    next_state,
    wants_full_fetch,
)

NOW = datetime(2026, 11, 25, 6, 0, tzinfo=timezone.utc)


def test_success_resets_failures_and_keeps_validators():
    st = FeedState(url="https://a.example/rss", consecutive_failures=4)
    up = next_state(st, "ok", NOW, etag='"v2"', last_modified="Tue", body_hash="h")
    assert up.success and up.consecutive_failures == 0 and up.next_attempt_at is None
    assert (up.etag, up.last_modified, up.body_hash) == ('"v2"', "Tue", "h")


def test_failure_keeps_last_good_validators():
    st = FeedState(url="https://a.example/rss", etag='"v1"', body_hash="h1")
    up = next_state(st, "timeout", NOW, etag=None, body_hash=None)
    assert (up.etag, up.body_hash) == ('"v1"', "h1")


def test_first_failures_retry_next_run_then_back_off_growing_and_capped():
    st = FeedState(url="https://a.example/rss")
    delays = []
    for _ in range(30):
        up = next_state(st, "http_error", NOW)
        delays.append(up.next_attempt_at)
        st = FeedState(url=st.url, consecutive_failures=up.consecutive_failures, next_attempt_at=up.next_attempt_at)
    assert delays[: FAILURES_BEFORE_BACKOFF - 1] == [None] * (FAILURES_BEFORE_BACKOFF - 1)
    waits = [d - NOW for d in delays if d is not None]
    assert waits[1] > waits[0], "backoff grows"
    assert max(waits) <= MAX_BACKOFF * 1.1, "never a silent stop: a failing feed is polled at least weekly"


def test_rate_limited_waits_for_retry_after():
    st = FeedState(url="https://a.example/rss")
    later = NOW + timedelta(hours=2)
    up = next_state(st, "rate_limited", NOW, retry_after=later)
    assert up.next_attempt_at == later and not up.success
    assert not is_due(FeedState(url=st.url, next_attempt_at=later), NOW)
    assert is_due(FeedState(url=st.url, next_attempt_at=later), later)


def test_backoff_is_deterministic_per_feed():
    st = FeedState(url="https://a.example/rss", consecutive_failures=5)
    assert next_state(st, "blocked", NOW).next_attempt_at == next_state(st, "blocked", NOW).next_attempt_at


def test_repeated_permanent_redirect_moves_the_feed():
    st = FeedState(url="http://old.example/rss")
    for i in range(REDIRECTS_BEFORE_MOVE):
        up = next_state(st, "ok", NOW, permanent_redirect="https://new.example/rss")
        st = FeedState(url=up.new_url, redirect_url=up.redirect_url, redirect_count=up.redirect_count)
    assert st.url == "https://new.example/rss" and st.redirect_count == 0


def test_full_fetch_when_never_done_or_stale():
    assert wants_full_fetch(FeedState(url="u"), NOW)
    assert not wants_full_fetch(FeedState(url="u", last_full_fetch_at=NOW - timedelta(hours=1)), NOW)
