"""Stage: data checks after a load. Hard checks fail the run with what to look at; soft ones become warnings.

Each check is a named SQL measurement compared with a threshold; the thresholds are constants below.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg2.extensions

from newsflow.warehouse.db import load_sql

#: Above this share of empty/failed extractions among the run's pages, warn (soft).
MAX_EMPTY_SHARE = 0.3
#: Above this share of copies among the run's new articles, warn (soft).
MAX_DUPLICATE_SHARE = 0.6
#: Publication dates further in the future than this are suspicious (soft).
FUTURE_TOLERANCE_HOURS = 24
#: A feed is compared with its last HISTORY_FETCHES good fetches ...
HISTORY_FETCHES = 10
#: ... and flagged when it usually lists at least this many items but now lists at most DROP_SHARE of them.
MIN_USUAL_ENTRIES = 5
DROP_SHARE = 0.1


@dataclass
class CheckResult:
    hard_failures: list[str]
    warnings: list[str]
    measures: dict[str, float]


def run_data_checks(conn: psycopg2.extensions.connection, run_id: str) -> CheckResult:
    with conn.cursor() as cur:
        cur.execute(load_sql("data_checks"), {"run_id": run_id, "future_hours": FUTURE_TOLERANCE_HOURS})
        cols = [d[0] for d in cur.description]
        m = dict(zip(cols, cur.fetchone()))
    conn.commit()
    hard, warn = [], []
    if m["feeds_total"] and m["feeds_failed"] == m["feeds_total"]:
        hard.append(
            f"all {m['feeds_total']} feeds failed in run {run_id}: check the network and newsflow.feed_health"
        )
    if m["pages"] and m["pages_empty"] / m["pages"] > MAX_EMPTY_SHARE:
        warn.append(
            f"{m['pages_empty']} of {m['pages']} pages gave no usable text (> {MAX_EMPTY_SHARE:.0%}): "
            "look at extraction_status in newsflow.articles for this run"
        )
    if m["articles_new"] and m["duplicates_new"] / m["articles_new"] > MAX_DUPLICATE_SHARE:
        warn.append(
            f"{m['duplicates_new']} of {m['articles_new']} new articles are copies (> {MAX_DUPLICATE_SHARE:.0%})"
        )
    if m["future_dated"]:
        warn.append(f"{m['future_dated']} articles are dated more than {FUTURE_TOLERANCE_HOURS} h in the future")
    if m["feeds_failed"]:
        warn.append(f"{m['feeds_failed']} feeds failed: see newsflow.feed_health")
    warn.extend(feed_yield_warnings(conn, run_id))
    return CheckResult(hard, warn, {k: float(v or 0) for k, v in m.items()})


def feed_yield_warnings(conn: psycopg2.extensions.connection, run_id: str) -> list[str]:
    """Feeds that suddenly list (almost) nothing, and feeds whose items no longer overlap the previous fetch."""
    with conn.cursor() as cur:
        cur.execute(load_sql("data_check_feeds"), {"run_id": run_id, "history": HISTORY_FETCHES})
        rows = cur.fetchall()
    conn.commit()
    out = []
    for url, outlet, entries, new_entries, usual, fetches in rows:
        if usual is not None and usual >= MIN_USUAL_ENTRIES and entries <= usual * DROP_SHARE:
            out.append(f"feed {url} ({outlet}) usually lists {usual:.0f} items and listed {entries}: "
                       "check that the feed still works in a browser and has not moved")
        elif fetches and entries and new_entries == entries:
            # Nothing of this fetch was seen before: the window of the feed is shorter than our polling interval.
            out.append(f"feed {url} ({outlet}): none of its {entries} items were in the previous fetch, so items "
                       "published in between were probably missed: poll it more often (tier: fast)")
    return out
