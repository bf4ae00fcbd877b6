"""docs/warehouse.md stays true: every example query runs against a warehouse holding the demo newsroom,
as the read-only analyst role where it only reads views, and every table and view is documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from faultserver import closed_port

from newsflow.demo import demo_newsroom, serve, write_feeds_yaml
from newsflow.feeds_config import load_feeds
from newsflow.pipeline.inline import run_inline

DOC = Path(__file__).resolve().parents[1] / "docs" / "warehouse.md"
ANALYST_VIEWS = ("daily_stories", "story_coverage", "outlet_stats", "feed_health")


def example_queries() -> list[str]:
    text = DOC.read_text()
    examples = text.split("## Example queries", 1)[1]
    return re.findall(r"```sql\n(.*?)```", examples, re.S)


@pytest.fixture(scope="module")
def loaded(make_database, tmp_path_factory):
    from newsflow.warehouse import connect
    from newsflow.warehouse.migrate import migrate

    url = make_database()
    conn = connect(url)
    migrate(conn)
    conn.close()
    newsroom = demo_newsroom()
    with serve(newsroom, host="127.0.0.1", port=0) as server:
        path = tmp_path_factory.mktemp("feeds") / "feeds.yaml"
        write_feeds_yaml(newsroom, server.url, path, min_delay_s=0)
        # One dead feed, so the feed-health example has something to show.
        text = path.read_text().replace("feeds:\n", f"feeds:\n  - url: http://127.0.0.1:{closed_port()}/rss.xml\n"
                                                     "    outlet: Gone Gazette\n", 1)
        path.write_text(text)
        run_inline(url, load_feeds(path), "docs-run-1")
        server.set_edition(2)
        run_inline(url, load_feeds(path), "docs-run-2")
    return url


def test_at_least_ten_examples():
    assert len(example_queries()) >= 10


@pytest.mark.parametrize("index", range(len(example_queries())))
def test_example_query_runs_and_returns_rows(loaded, index):
    from newsflow.warehouse import connect

    query = example_queries()[index]
    conn = connect(loaded)
    try:
        with conn.cursor() as cur:
            views_only = not re.search(r"newsflow\.(articles|duplicates|outlets|fetch_log|ingest_runs)\b", query)
            if views_only:
                cur.execute("SET ROLE newsflow_analyst")
            cur.execute(query)
            rows = cur.fetchall()
        assert rows, f"example {index + 1} returned nothing on the demo warehouse:\n{query}"
    finally:
        conn.rollback()
        conn.close()


def test_every_table_and_view_is_documented(loaded):
    from newsflow.warehouse import connect

    conn = connect(loaded)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'newsflow'")
            names = {r[0] for r in cur.fetchall()}
    finally:
        conn.close()
    text = DOC.read_text()
    missing = sorted(n for n in names if f"`{n}`" not in text)
    assert not missing, f"undocumented in docs/warehouse.md: {missing}"
    assert set(ANALYST_VIEWS) <= names
