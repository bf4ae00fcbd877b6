"""A load killed with SIGKILL in the middle leaves nothing half-written, and its retry completes the load.

The child process is held inside its load transaction by a lock the test takes, then killed: no hooks in the code.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

from newsflow.demo import demo_newsroom, serve, write_feeds_yaml
from newsflow.feeds_config import load_feeds
from newsflow.http import HttpClient
from newsflow.pipeline import fetch_extract_batch, fetch_feed_batch, fetch_page_batch, plan_pages, prepare_run
from newsflow.politeness import HostLimiter, RobotsCache
from newsflow.warehouse import connect
from wh import count

# The pages are stored already, as after a fetch_articles attempt that died before its load: the child is the
# retry, which extracts them from the warehouse and loads them (nothing left to fetch).
CHILD = textwrap.dedent(
    """
    import sys
    from newsflow.http import HttpClient
    from newsflow.pipeline import fetch_extract_batch
    from newsflow.politeness import HostLimiter, RobotsCache
    from newsflow.warehouse import connect
    conn = connect(sys.argv[1], application_name="newsflow-killed-load")
    with HttpClient() as http:
        fetch_extract_batch(conn, sys.argv[2], int(sys.argv[3]), http=http, limiter=HostLimiter(),
                            robots=RobotsCache(http))
    print("finished")
    """
)


def _load(conn, batch_no: int) -> dict[str, int]:
    """What a retried fetch_articles task does once its pages are stored."""
    with HttpClient() as http:
        return fetch_extract_batch(conn, "run-k", batch_no, http=http, limiter=HostLimiter(), robots=RobotsCache(http))



def test_sigkill_mid_load_leaves_nothing_and_retry_completes(warehouse_url, warehouse, tmp_path):
    newsroom = demo_newsroom()
    with serve(newsroom, host="127.0.0.1", port=0) as server:
        path = tmp_path / "feeds.yaml"
        write_feeds_yaml(newsroom, server.url, path, min_delay_s=0)
        batches = prepare_run(warehouse, load_feeds(path), "run-k", dag_id="test", batch_size=10)
        with HttpClient() as http:
            limiter = HostLimiter()
            for ids in batches:
                fetch_feed_batch(warehouse, "run-k", ids, http=http, limiter=limiter)
            (batch_no,) = plan_pages(warehouse, "run-k", batch_size=1000)
            fetch_page_batch(warehouse, "run-k", batch_no, http=http, limiter=limiter, robots=RobotsCache(http))

    blocker = connect(warehouse_url)
    with blocker.cursor() as cur:
        # Reads stay possible; the child's INSERT into articles waits here, inside its transaction.
        cur.execute("LOCK TABLE newsflow.articles IN EXCLUSIVE MODE")
    child = subprocess.Popen([sys.executable, "-c", CHILD, warehouse_url, "run-k", str(batch_no)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=os.environ.copy())
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            waiting = count(warehouse, """SELECT count(*) FROM pg_stat_activity
                                           WHERE application_name = 'newsflow-killed-load'
                                             AND wait_event_type = 'Lock' AND state = 'active'""")
            if waiting:
                break
            assert child.poll() is None, child.stderr.read().decode()
            time.sleep(0.2)
        else:
            raise AssertionError("the child never reached the load")
        staged = count(warehouse, """SELECT count(*) FROM pg_stat_activity
                                      WHERE application_name = 'newsflow-killed-load' AND xact_start IS NOT NULL""")
        assert staged == 1, "the child is inside its transaction"
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        blocker.rollback()
        blocker.close()

    # The server notices the dead client and rolls its transaction back.
    deadline = time.monotonic() + 30
    while count(warehouse, "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'newsflow-killed-load'"):
        assert time.monotonic() < deadline, "the killed backend stayed"
        time.sleep(0.2)
    assert count(warehouse, "SELECT count(*) FROM newsflow.articles") == 0, "nothing half-written"
    assert count(warehouse, "SELECT count(*) FROM newsflow.article_revisions") == 0

    # The retry (what Airflow does next) completes the load, once.
    counts = _load(warehouse, batch_no)
    assert counts["new"] == len(newsroom.articles) and counts["fetched"] == 0
    assert _load(warehouse, batch_no)["new"] == 0, "a second retry changes nothing"
    assert count(warehouse, "SELECT count(*) FROM newsflow.articles") == len(newsroom.articles)

    # ... and the same rows as a load that was never interrupted.
    after_retry = _articles(warehouse)
    with warehouse.cursor() as cur:
        cur.execute("DELETE FROM newsflow.articles")
    warehouse.commit()
    _load(warehouse, batch_no)
    assert _articles(warehouse) == after_retry


def _articles(conn) -> list[tuple]:
    # Everything but the surrogate key, which a second load draws anew from the sequence.
    with conn.cursor() as cur:
        cur.execute("""SELECT a.url_key, row_to_json(a)::jsonb - 'article_id' FROM newsflow.articles a
                       ORDER BY a.url_key""")
        rows = cur.fetchall()
        cur.execute("""SELECT a.url_key, c.cited_outlet, c.kind, c.sentence FROM newsflow.article_citations c
                       JOIN newsflow.articles a USING (article_id) ORDER BY 1, 2, 3""")
        rows += cur.fetchall()
    conn.commit()
    return rows
