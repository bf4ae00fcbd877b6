"""The fault matrix: every misbehaving feed and page of tests/faultserver.py in ONE news_ingest DAG run, beside the
healthy demo newsroom. Each bad feed gets its status and an audit row; every healthy article lands exactly once.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import yaml

from faultserver import CASES, FaultServer
from newsflow.cli import DEMO_NOW, main
from newsflow.demo import demo_newsroom, serve
from wh import rows

#: Small limits so the hanging and trickling cases end fast; the statuses are what matter.
FAULT_ENV = {
    "NEWSFLOW_FEED_DEADLINE_S": "4",
    "NEWSFLOW_ARTICLE_DEADLINE_S": "4",
    "NEWSFLOW_CONNECT_TIMEOUT_S": "2",
    "NEWSFLOW_FEED_MAX_BYTES": str(5 * 1024 * 1024),
    "NEWSFLOW_ARTICLE_MAX_BYTES": str(5 * 1024 * 1024),
}
#: The Airflow process that ran every task must stay under this (gzip bomb, 50 MB page, endless body).
MAX_RSS_MB = 1024


class _StaticFeed:
    """Serves one RSS document that links to the fault server's bad article pages."""

    def __init__(self, body: bytes):
        body_ref = body

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
                self.send_header("Content-Length", str(len(body_ref)))
                self.end_headers()
                self.wfile.write(body_ref)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/articles.xml"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def _rss(links: dict[str, str]) -> bytes:
    items = "".join(
        f"<item><title>{name}</title><link>{url}</link><guid>{name}</guid>"
        f"<pubDate>Mon, 23 Nov 2026 10:00:00 GMT</pubDate></item>"
        for name, url in links.items()
    )
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>fault articles</title>'
            f"<link>http://127.0.0.1/</link><description>x</description>{items}</channel></rss>").encode()



@pytest.mark.timeout(900)
def test_fault_matrix_in_one_dag_run(warehouse_url, warehouse, tmp_path, monkeypatch):
    for key, value in FAULT_ENV.items():
        monkeypatch.setenv(key, value)
    newsroom = demo_newsroom(now=DEMO_NOW)
    feed_cases = {n: c for n, c in CASES.items() if c.kind == "feed"}
    article_cases = {n: c for n, c in CASES.items() if c.kind == "article"}
    with FaultServer() as fs, serve(newsroom, host="127.0.0.1", port=0) as demo:
        feed_urls = {n: (fs.closed_port_url() if n == "connection_refused" else fs.url(n)) for n in feed_cases}
        article_urls = {n: fs.url(n) for n in article_cases}
        static = _StaticFeed(_rss(article_urls))
        try:
            feeds = [{"url": u, "outlet": f"Fault {n}"} for n, u in feed_urls.items()]
            feeds.append({"url": static.url, "outlet": "Fault articles"})
            feeds += [{"url": demo.url + o.feed_path, "outlet": o.name} for o in newsroom.outlets]
            path = tmp_path / "feeds.yaml"
            path.write_text(yaml.safe_dump({"feeds": feeds, "politeness": {"min_delay_s": 0,
                                                                             "max_concurrency_per_host": 8}}))
            assert main(["run", "--feeds", str(path), "--warehouse", warehouse_url]) == 0
        finally:
            static.stop()

    # Every bad feed: the right status in feed_health, and an audit row saying the same.
    health = dict(rows(warehouse, "SELECT url, status FROM newsflow.feed_health"))
    audit = dict(rows(warehouse, "SELECT url, status FROM newsflow.fetch_log WHERE kind = 'feed'"))
    wrong = {n: (health.get(u), c.final_status) for n, u in feed_urls.items()
             for c in [feed_cases[n]] if health.get(u) != c.final_status}
    assert not wrong, f"feed statuses (got, expected): {wrong}"
    missing_audit = [n for n, u in feed_urls.items() if audit.get(u) != feed_cases[n].final_status]
    assert not missing_audit, missing_audit
    errors = dict(rows(warehouse, "SELECT url, last_error FROM newsflow.feeds WHERE status NOT IN ('ok', 'not_modified')"))
    assert all(errors.values()), "every failing feed says why"
    rate_limited = rows(warehouse, "SELECT count(*) FROM newsflow.feeds WHERE status = 'rate_limited' "
                                    "AND next_attempt_at > now()")
    assert rate_limited[0][0] == sum(1 for c in feed_cases.values() if c.final_status == "rate_limited")

    # Every bad page: its status in the audit log; no article row pretends it was fine.
    pages = dict(rows(warehouse, "SELECT url, status FROM newsflow.fetch_log WHERE kind = 'article'"))
    for name, url in article_urls.items():
        expected = article_cases[name].final_status
        assert pages.get(url) == expected or (expected == "robots_disallowed" and url not in pages and
                                              _queued_status(warehouse, url) == expected), (name, pages.get(url))

    # The healthy newsroom is complete, each article exactly once.
    truth = {newsroom.url(demo.url, a.path) for a in newsroom.articles}
    loaded = [u for (u,) in rows(warehouse, "SELECT url FROM newsflow.articles WHERE extraction_status = 'ok'")]
    assert truth <= set(loaded)
    assert len(loaded) == len(set(loaded))

    (status,) = rows(warehouse, "SELECT status FROM newsflow.ingest_runs")[0]
    assert status == "success"
    from newsflow.runner import last_child_peak_rss_mb

    assert last_child_peak_rss_mb() < MAX_RSS_MB


def _queued_status(conn, url):
    found = rows(conn, "SELECT fetch_status FROM newsflow.article_queue WHERE link = %s", (url,))
    return found[0][0] if found else None
