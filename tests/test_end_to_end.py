"""End to end: `newsflow demo` runs the real news_ingest DAG through Airflow into a fresh warehouse, twice.

The slowest test of the suite (Airflow's metadata DB is created once per session); everything in it is real.
"""

from __future__ import annotations

import re
import socket
from collections import defaultdict

import pytest

from newsflow.cli import DEMO_NOW, main
from newsflow.demo import demo_newsroom
from wh import rows



def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.timeout(900)
def test_demo_through_airflow_twice(warehouse_url, warehouse, capsys):
    newsroom = demo_newsroom(now=DEMO_NOW)
    port = _free_port()
    assert main(["demo", "--warehouse", warehouse_url, "--port", str(port)]) == 0
    out = capsys.readouterr().out
    numbers = dict(re.findall(r"^(feeds|articles|stories|duplicates): (\d+)$", out, re.M))
    assert numbers["feeds"] == str(len(newsroom.outlets))
    assert int(numbers["articles"]) == len(newsroom.articles)
    assert int(numbers["stories"]) > 0 and int(numbers["duplicates"]) > 0
    assert "largest 5 stories:" in out

    runs = rows(warehouse, "SELECT dag_id, status, articles_new, durations FROM newsflow.ingest_runs")
    assert len(runs) == 1 and runs[0][0] == "news_ingest" and runs[0][1] == "success"
    assert runs[0][2] == len(newsroom.articles)
    assert {"fetch_feeds[0]", "fetch_articles[0]", "group_stories"} <= set(runs[0][3]), "stages record their timings"

    # The demo's known stories are grouped (by outlet path: the port differs from run to run).
    truth = {re.sub(r"^https?://[^/]+", "", a["url"]): a for a in newsroom.ground_truth("")}
    ids = defaultdict(set)
    for url, story_id in rows(warehouse, """SELECT a.url, m.story_id FROM newsflow.story_members m
                                             JOIN newsflow.articles a ON a.article_id = m.article_id"""):
        t = truth[re.sub(r"^https?://[^/]+", "", url)]
        if t["story_key"]:
            ids[(t["story_key"], t["language"])].add(story_id)  # across languages see test_pipeline
    assert ids and all(len(v) == 1 for v in ids.values()), ids

    tables = ("articles", "feed_entries", "stories", "story_members", "duplicates", "raw_documents", "outlets",
              "feeds")
    before = {t: rows(warehouse, f"SELECT count(*) FROM newsflow.{t}")[0][0] for t in tables}  # noqa: S608
    # `make demo` again: same newsroom, same port, so every article is known and nothing is added.
    assert main(["demo", "--warehouse", warehouse_url, "--port", str(port)]) == 0
    out = capsys.readouterr().out
    assert dict(re.findall(r"^(feeds|articles|stories|duplicates): (\d+)$", out, re.M)) == numbers
    after = {t: rows(warehouse, f"SELECT count(*) FROM newsflow.{t}")[0][0] for t in tables}  # noqa: S608
    assert after == before, "a second run adds no row"

