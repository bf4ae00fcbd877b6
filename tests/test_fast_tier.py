"""The fast polling tier: news_fast_fetch (through Airflow) stores the entries of `tier: fast` feeds only,
and the next news_ingest run fetches and cleans their pages."""

from __future__ import annotations

import pytest
import yaml

from newsflow.cli import DEMO_NOW
from newsflow.demo import demo_newsroom, serve
from newsflow.runner import run_dag
from newsflow.settings import Settings
from wh import count, rows


@pytest.mark.timeout(900)
def test_fast_dag_stores_entries_then_daily_run_fetches_pages(warehouse_url, warehouse, tmp_path):
    newsroom = demo_newsroom(now=DEMO_NOW)
    fast, slow = newsroom.outlets[0], newsroom.outlets[1]
    with serve(newsroom, host="127.0.0.1", port=0) as server:
        path = tmp_path / "feeds.yaml"
        path.write_text(yaml.safe_dump({
            "feeds": [{"url": server.url + fast.feed_path, "outlet": fast.name, "tier": "fast"},
                      {"url": server.url + slow.feed_path, "outlet": slow.name}],
            "politeness": {"min_delay_s": 0},
        }))
        settings = Settings.from_env()
        outcome = run_dag(settings, warehouse_url, str(path), dag_id="news_fast_fetch")
        assert outcome.returncode == 0, outcome.log_path.read_text()[-3000:]
        fetched = rows(warehouse, "SELECT DISTINCT f.url FROM newsflow.fetch_log l "
                                  "JOIN newsflow.feeds f USING (feed_id) WHERE l.kind = 'feed'")
        assert fetched == [(server.url + fast.feed_path,)], "only the fast feed is polled"
        assert count(warehouse, "SELECT count(*) FROM newsflow.feed_entries") == len(newsroom.articles_of(fast.slug))
        assert count(warehouse, "SELECT count(*) FROM newsflow.articles") == 0, "the fast tier fetches no page"

        outcome = run_dag(settings, warehouse_url, str(path))
        assert outcome.status == "success", outcome.log_path.read_text()[-3000:]
    expected = len(newsroom.articles_of(fast.slug)) + len(newsroom.articles_of(slow.slug))
    assert count(warehouse, "SELECT count(*) FROM newsflow.articles WHERE extraction_status = 'ok'") == expected
