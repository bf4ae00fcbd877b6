"""fetch_page_batch against a loopback site: statuses, queue, audit and raw rows, stored PAGE_WRITE_CHUNK at a time.
A chunk is one transaction: a failure keeps the chunks before it and none of its own, and a re-run finishes the rest.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import psycopg2
import pytest
import yaml
from newsflow.feeds_config import load_feeds
from newsflow.http import HttpClient
from newsflow.pipeline import feeds as feeds_stage
from newsflow.pipeline import pages
from newsflow.pipeline.feeds import fetch_feed_batch
from newsflow.pipeline.pages import fetch_page_batch, plan_pages
from newsflow.pipeline.runs import prepare_run
from newsflow.politeness import HostLimiter, RobotsCache
from wh import count, rows

RUN = "run-pages"
#: Pages per kind of answer: more than two chunks in all, with every outcome in every chunk (completion order).
KINDS = {"ok": 70, "same": 5, "missing": 20, "empty": 15, "gone": 5, "private": 5}
#: Queue status of each kind, and whether a retry could change it (see FINAL_PAGE_STATUSES).
STATUS = {"ok": "ok", "same": "ok", "missing": "http_error", "empty": "http_error", "gone": "gone",
          "private": "robots_disallowed"}
TOTAL = sum(KINDS.values())
FINAL = sum(n for kind, n in KINDS.items() if STATUS[kind] in pages.FINAL_PAGE_STATUSES)
OK = KINDS["ok"] + KINDS["same"]
SAME_BODY = b"<html><body><p>The same syndicated page, byte for byte.</p></body></html>"


class Site:
    """A feed listing every page, robots.txt disallowing /private/, and the pages; counts requests per path."""

    def __init__(self) -> None:
        self.requests: Counter[str] = Counter()
        lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                with lock:
                    site.requests[self.path] = site.requests[self.path] + 1
                kind = self.path.split("/")[1]
                status, body, ctype = 200, b"", "text/html; charset=utf-8"
                if self.path == "/feed.xml":
                    body, ctype = site.rss(), "application/rss+xml; charset=utf-8"
                elif self.path == "/robots.txt":
                    body, ctype = b"User-agent: *\nDisallow: /private/\n", "text/plain"
                elif kind == "ok":
                    body = f"<html><body><h1>Page {self.path}</h1><p>Its own text.</p></body></html>".encode()
                elif kind == "same":
                    body = SAME_BODY
                elif kind in ("missing", "private"):
                    status = 404
                elif kind == "gone":
                    status = 410
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def links(self) -> dict[str, str]:
        """Page link -> kind."""
        return {f"{self.base}/{kind}/{i}": kind for kind, n in KINDS.items() for i in range(n)}

    def rss(self) -> bytes:
        items = "".join(f"<item><title>{kind} {link}</title><link>{link}</link><guid>{link}</guid>"
                        f"<pubDate>Mon, 23 Nov 2026 10:00:00 GMT</pubDate></item>" for link, kind in self.links().items())
        return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>pages</title>'
                f"<link>{self.base}/</link><description>x</description>{items}</channel></rss>").encode()

    def page_requests(self, link: str) -> int:
        return self.requests[link.removeprefix(self.base)]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def site():
    s = Site()
    yield s
    s.stop()


@pytest.fixture
def queued(warehouse, site, tmp_path) -> int:
    """The site's feed fetched and its pages planned as one batch; returns the batch number."""
    path = tmp_path / "feeds.yaml"
    path.write_text(yaml.safe_dump({"feeds": [{"url": f"{site.base}/feed.xml", "outlet": "Pages"}],
                                    "politeness": {"min_delay_s": 0, "max_concurrency_per_host": 8}}))
    with HttpClient() as http:
        for ids in prepare_run(warehouse, load_feeds(path), RUN, dag_id="test", batch_size=10):
            assert fetch_feed_batch(warehouse, RUN, ids, http=http, limiter=HostLimiter())["entries"] == TOTAL
    (batch_no,) = plan_pages(warehouse, RUN, batch_size=1000)
    return batch_no


def _fetch(conn, batch_no: int, workers: int = 4) -> dict[str, int]:
    with HttpClient() as http:
        return fetch_page_batch(conn, RUN, batch_no, http=http, limiter=HostLimiter(), robots=RobotsCache(http),
                                workers=workers)


def _assert_complete(warehouse, site) -> None:
    """Every page recorded once, as its answer says: queue, audit row, raw bytes, entry marked if final."""
    kind_of = site.links()
    queue = {link: (status, sha) for link, status, sha in rows(
        warehouse, "SELECT link, fetch_status, raw_sha256 FROM newsflow.article_queue WHERE run_id = %s", (RUN,))}
    assert {link: status for link, (status, _) in queue.items()} == {link: STATUS[k] for link, k in kind_of.items()}
    assert all((sha is not None) == (STATUS[kind_of[link]] == "ok") for link, (_, sha) in queue.items())
    audit = rows(warehouse, "SELECT url, status, raw_sha256, error FROM newsflow.fetch_log "
                            "WHERE run_id = %s AND kind = 'article'", (RUN,))
    assert sorted((url, status, sha) for url, status, sha, _ in audit) == sorted(
        (link, status, sha) for link, (status, sha) in queue.items()), "one audit row per page, same outcome"
    empty_errors = [error for url, _, _, error in audit if kind_of[url] == "empty"]
    assert len(empty_errors) == KINDS["empty"] and all("empty body" in e for e in empty_errors)
    # Content-addressed: the identical pages share one raw document.
    assert count(warehouse, "SELECT count(*) FROM newsflow.raw_documents WHERE kind = 'article'") == KINDS["ok"] + 1
    assert count(warehouse, """SELECT count(*) FROM newsflow.article_queue q
                               JOIN newsflow.raw_documents r ON r.sha256 = q.raw_sha256""") == OK
    assert count(warehouse, "SELECT count(*) FROM newsflow.feed_entries WHERE page_hash = entry_hash") == FINAL
    assert all(site.page_requests(link) == 0 for link, kind in kind_of.items() if kind == "private")


def test_a_batch_of_mixed_pages_is_stored_in_chunks(warehouse, site, queued, monkeypatch):
    assert TOTAL > 2 * pages.PAGE_WRITE_CHUNK
    transactions = []
    store_chunk = pages._store_chunk

    def counting_store(conn, run_id, chunk, robots_fetches):
        transactions.append(len(chunk))
        store_chunk(conn, run_id, chunk, robots_fetches)

    monkeypatch.setattr(pages, "_store_chunk", counting_store)

    counts = _fetch(warehouse, queued)

    assert counts == {"queued": TOTAL, "fetched": OK, "failed": TOTAL - OK, "skipped": 0}
    assert transactions == [pages.PAGE_WRITE_CHUNK] * (TOTAL // pages.PAGE_WRITE_CHUNK) + [
        TOTAL % pages.PAGE_WRITE_CHUNK]
    _assert_complete(warehouse, site)
    # robots.txt was fetched once and audited once.
    assert site.requests["/robots.txt"] == 1
    assert count(warehouse, "SELECT count(*) FROM newsflow.fetch_log WHERE kind = 'robots' AND run_id = %s",
                 (RUN,)) == 1

    # A retried task finds everything stored: nothing is fetched again.
    before = sum(site.requests.values())
    assert _fetch(warehouse, queued) == {"queued": TOTAL, "fetched": 0, "failed": 0, "skipped": TOTAL}
    assert sum(site.requests.values()) == before


class _CommitFails:
    """A connection whose commit fails once more than `limit` pages would be stored (the link drops at commit)."""

    def __init__(self, conn, limit: int) -> None:
        self._conn, self._limit = conn, limit

    def __getattr__(self, name):
        return getattr(self._conn, name)

    def commit(self) -> None:
        with self._conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM newsflow.article_queue WHERE fetch_status IS NOT NULL")
            if cur.fetchone()[0] > self._limit:
                raise psycopg2.OperationalError("server closed the connection unexpectedly (test)")
        self._conn.commit()


_FAIL_MID_CHUNK = """
CREATE FUNCTION newsflow.fail_mid_chunk() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT count(*) FROM newsflow.article_queue WHERE fetch_status IS NOT NULL) >= %(limit)s THEN
        RAISE EXCEPTION 'disk full (test)';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER fail_mid_chunk BEFORE UPDATE ON newsflow.article_queue
    FOR EACH ROW EXECUTE FUNCTION newsflow.fail_mid_chunk();
"""


@pytest.mark.parametrize("failure", ["commit", "statement"])
def test_a_failure_while_storing_keeps_whole_chunks_and_a_rerun_completes(warehouse, site, queued, failure):
    chunk = pages.PAGE_WRITE_CHUNK
    if failure == "commit":
        conn, error = _CommitFails(warehouse, limit=chunk), psycopg2.OperationalError
    else:
        # Half-way through the second chunk's queue updates, after its raw rows and audit rows went in.
        with warehouse.cursor() as cur:
            cur.execute(_FAIL_MID_CHUNK, {"limit": chunk + chunk // 2})
        warehouse.commit()
        conn, error = warehouse, psycopg2.errors.RaiseException

    with pytest.raises(error):
        _fetch(conn, queued)

    # Exactly the first chunk: queue, audit rows, raw documents and marks agree, nothing of the second.
    stored = rows(warehouse, "SELECT link, fetch_status, raw_sha256 FROM newsflow.article_queue "
                             "WHERE run_id = %s AND fetch_status IS NOT NULL", (RUN,))
    assert len(stored) == chunk
    assert count(warehouse, "SELECT count(*) FROM newsflow.fetch_log WHERE run_id = %s AND kind = 'article'",
                 (RUN,)) == chunk
    shas = {sha for _, _, sha in stored if sha}
    assert count(warehouse, "SELECT count(*) FROM newsflow.raw_documents WHERE kind = 'article'") == len(shas)
    assert count(warehouse, "SELECT count(*) FROM newsflow.feed_entries WHERE page_hash = entry_hash") == sum(
        1 for _, status, _ in stored if status in pages.FINAL_PAGE_STATUSES)
    assert count(warehouse, "SELECT count(*) FROM newsflow.fetch_log WHERE kind = 'robots'") == 1

    if failure == "statement":
        with warehouse.cursor() as cur:
            cur.execute("DROP TRIGGER fail_mid_chunk ON newsflow.article_queue")
        warehouse.commit()
    counts = _fetch(warehouse, queued)

    assert counts["skipped"] == chunk
    assert counts["fetched"] + counts["failed"] == TOTAL - chunk
    _assert_complete(warehouse, site)
    # What the first attempt stored was not fetched again.
    assert all(site.page_requests(link) == 1 for link, status, _ in stored if status != "robots_disallowed")


def test_pages_are_submitted_lazily(warehouse, site, queued, monkeypatch):
    """Memory: while a chunk is written, at most the in-flight window is fetched ahead, never the whole batch."""
    workers = 2
    started, stored, ahead = [0], [0], []
    lock = threading.Lock()
    fetch_and_pack, store_chunk = pages._fetch_and_pack, pages._store_chunk

    def counting_fetch(*args):
        with lock:
            started[0] += 1
        return fetch_and_pack(*args)

    def slow_store(conn, run_id, chunk, robots_fetches):
        time.sleep(0.5)  # a slow database: unbounded workers would fetch the whole batch meanwhile
        with lock:
            ahead.append(started[0] - stored[0])
        store_chunk(conn, run_id, chunk, robots_fetches)
        stored[0] += len(chunk)

    monkeypatch.setattr(pages, "_fetch_and_pack", counting_fetch)
    monkeypatch.setattr(pages, "_store_chunk", slow_store)
    _fetch(warehouse, queued, workers=workers)

    window = workers * pages.IN_FLIGHT_PER_WORKER
    # The chunk being written, the outcomes collected with it, and the window in flight.
    assert max(ahead) <= pages.PAGE_WRITE_CHUNK + 2 * window, ahead
    _assert_complete(warehouse, site)


_REFUSE_FEED = """
CREATE FUNCTION newsflow.refuse_feed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.url LIKE '%%/bad.xml' THEN
        RAISE EXCEPTION 'refused (test)';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER refuse_feed BEFORE UPDATE ON newsflow.feeds FOR EACH ROW EXECUTE FUNCTION newsflow.refuse_feed();
"""


def test_a_feed_the_database_refuses_does_not_lose_the_feeds_stored_with_it(warehouse, site, tmp_path):
    """Feeds share a transaction; when it fails, the ones before the bad one are still stored, one by one."""
    path = tmp_path / "feeds.yaml"
    feeds = [{"url": f"{site.base}/feed.xml", "outlet": "Pages"}, {"url": f"{site.base}/bad.xml", "outlet": "Bad"}]
    path.write_text(yaml.safe_dump({"feeds": feeds, "politeness": {"min_delay_s": 0}}))
    (ids,) = prepare_run(warehouse, load_feeds(path), RUN, dag_id="test", batch_size=10)
    with warehouse.cursor() as cur:
        cur.execute(_REFUSE_FEED)
    warehouse.commit()
    assert len(ids) == 2 <= feeds_stage.FEED_WRITE_CHUNK

    with HttpClient() as http, pytest.raises(psycopg2.errors.RaiseException):
        fetch_feed_batch(warehouse, RUN, ids, http=http, limiter=HostLimiter())

    assert rows(warehouse, "SELECT url, status FROM newsflow.feeds ORDER BY feed_id") == [
        (f"{site.base}/feed.xml", "ok"), (f"{site.base}/bad.xml", "new")]
    assert count(warehouse, "SELECT count(*) FROM newsflow.feed_entries") == TOTAL
    assert rows(warehouse, "SELECT url, entries, new_entries FROM newsflow.fetch_log WHERE kind = 'feed'") == [
        (f"{site.base}/feed.xml", TOTAL, TOTAL)]
