"""Data checks after a load: hard failures stop the run with what to look at, soft ones become warnings."""

from __future__ import annotations

from newsflow.pipeline.checks import run_data_checks
from newsflow.warehouse.db import transaction


def _seed(conn, history: list[tuple[int, int]], now: tuple[str, int, int] | None, feeds_total: int = 1):
    """history: (entries, new_entries) of earlier good fetches; now: (status, entries, new_entries) of this run."""
    with transaction(conn) as cur:
        cur.execute("INSERT INTO newsflow.outlets (name) VALUES ('Daily Example') RETURNING outlet_id")
        (outlet_id,) = cur.fetchone()
        cur.execute("INSERT INTO newsflow.feeds (declared_url, url, outlet_id) VALUES (%s, %s, %s) RETURNING feed_id",
                    ("https://example.org/rss", "https://example.org/rss", outlet_id))
        (feed_id,) = cur.fetchone()
        for i, (entries, new) in enumerate(history):
            cur.execute("""INSERT INTO newsflow.fetch_log (run_id, feed_id, kind, url, status, entries, new_entries,
                               fetched_at) VALUES (%s, %s, 'feed', 'https://example.org/rss', 'ok', %s, %s,
                               now() - make_interval(days => %s))""", (f"old-{i}", feed_id, entries, new, len(history) - i))
        cur.execute("INSERT INTO newsflow.ingest_runs (run_id, feeds_total) VALUES ('now', %s)", (feeds_total,))
        if now:
            status, entries, new = now
            cur.execute("""INSERT INTO newsflow.fetch_log (run_id, feed_id, kind, url, status, entries, new_entries)
                           VALUES ('now', %s, 'feed', 'https://example.org/rss', %s, %s, %s)""",
                        (feed_id, status, entries, new))


def test_a_feed_that_usually_lists_forty_and_lists_zero_is_flagged(warehouse):
    _seed(warehouse, [(40, 10)] * 5, ("ok", 0, 0))
    result = run_data_checks(warehouse, "now")
    assert not result.hard_failures
    assert any("usually lists 40 items and listed 0" in w for w in result.warnings), result.warnings


def test_no_overlap_with_previous_fetch_is_a_coverage_gap(warehouse):
    _seed(warehouse, [(20, 5)] * 3, ("ok", 20, 20))
    warnings = run_data_checks(warehouse, "now").warnings
    assert any("none of its 20 items were in the previous fetch" in w for w in warnings), warnings


def test_a_normal_feed_gives_no_warning(warehouse):
    _seed(warehouse, [(20, 5)] * 3, ("ok", 20, 4))
    assert run_data_checks(warehouse, "now").warnings == []


def test_first_fetch_is_not_a_gap(warehouse):
    _seed(warehouse, [], ("ok", 20, 20))
    assert run_data_checks(warehouse, "now").warnings == []


def test_all_feeds_failed_is_a_hard_failure(warehouse):
    _seed(warehouse, [(20, 5)], ("timeout", None, None))
    result = run_data_checks(warehouse, "now")
    assert result.hard_failures and "all 1 feeds failed" in result.hard_failures[0]
    assert "feed_health" in result.hard_failures[0], "the message says where to look"
