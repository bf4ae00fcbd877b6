"""The pipeline stages in DAG order, without Airflow, over the demo newsroom served on loopback, into real PostgreSQL.

Checks the rows against the newsroom's ground truth, incrementality (second run fetches no page), edits (revisions).
"""

from __future__ import annotations

from collections import defaultdict

import pytest

from newsflow.demo import demo_newsroom, serve, write_feeds_yaml
from newsflow.feeds_config import load_feeds
from newsflow.pipeline.inline import run_inline
from newsflow.report import counts
from newsflow.settings import Settings
from wh import rows


@pytest.fixture(scope="module")
def newsroom():
    return demo_newsroom()


@pytest.fixture
def site(newsroom, tmp_path):
    with serve(newsroom, host="127.0.0.1", port=0) as server:
        feeds = tmp_path / "feeds.yaml"
        write_feeds_yaml(newsroom, server.url, feeds, min_delay_s=0)
        yield server, load_feeds(feeds)



def test_first_run_loads_every_article_and_groups_known_stories(site, newsroom, warehouse_url, warehouse):
    server, config = site
    result = run_inline(warehouse_url, config, "run-1", settings=Settings.from_env())
    truth = {a["url"]: a for a in newsroom.ground_truth(server.url)}

    assert result["feeds_ok"] == len(newsroom.outlets) and result["feeds_failed"] == 0
    loaded = dict(rows(warehouse, "SELECT url, extraction_status FROM newsflow.articles"))
    assert set(loaded) == set(truth), "every demo article is loaded, exactly once"
    assert all(status == "ok" for status in loaded.values()), loaded

    # Wire copies point at their original.
    dups = dict(rows(warehouse, """SELECT a.url, o.url FROM newsflow.duplicates d
                                    JOIN newsflow.articles a ON a.article_id = d.article_id
                                    JOIN newsflow.articles o ON o.article_id = d.duplicate_of"""))
    expected_dups = {u: t["wire_copy_of"] for u, t in truth.items() if t["wire_copy_of"]}
    assert dups == expected_dups

    # Every known story is one story in the warehouse, and no two known stories share one.
    story_of = dict(rows(warehouse, """SELECT a.url, m.story_id FROM newsflow.story_members m
                                        JOIN newsflow.articles a ON a.article_id = m.article_id"""))
    assert set(story_of) == set(truth), "every good article is in a story"
    # Reports of one event in one language are one story. Across languages we only have shared names and
    # numbers to go on (no translation model), so a German report may open its own story.
    ids_per_key = defaultdict(set)
    for url, t in truth.items():
        if t["story_key"]:
            ids_per_key[(t["story_key"], t["language"])].add(story_of[url])
    for key, ids in ids_per_key.items():
        assert len(ids) == 1, f"story {key} split into {ids}"
    keys_of_id = defaultdict(set)
    for (key, _lang), ids in ids_per_key.items():
        keys_of_id[next(iter(ids))].add(key)
    merged = {sid: keys for sid, keys in keys_of_id.items() if len(keys) > 1}
    assert not merged, f"different known stories merged: {merged}"
    all_ids = set(keys_of_id)
    standalone = [story_of[u] for u, t in truth.items() if not t["story_key"]]
    assert not set(standalone) & set(all_ids), "a stand-alone article joined a story"

    # First reporter: the earliest independent article of the story.
    first = dict(rows(warehouse, """SELECT s.story_id, o.name FROM newsflow.stories s
                                     JOIN newsflow.outlets o ON o.outlet_id = s.first_outlet_id"""))
    for key, urls in newsroom.expected_stories(server.url).items():
        originals = [u for u in urls if not truth[u]["wire_copy_of"] and truth[u]["language"] == "en"]
        if originals:
            assert first[next(iter(ids_per_key[(key, "en")]))] == truth[originals[0]]["outlet"], key

    # Provenance views: the first reporter, the wire copies marked with their agency and counted as relays.
    prov = {sid: (first, set(relaying), set(wires)) for sid, first, relaying, wires in rows(
        warehouse, "SELECT story_id, first_outlet, relaying_outlets, wire_agencies FROM newsflow.story_provenance")}
    marks = dict(rows(warehouse, """SELECT a.url, w.agency FROM newsflow.article_wire_marks w
                                     JOIN newsflow.articles a USING (article_id)"""))
    assert marks == {u: truth[t["wire_copy_of"]]["outlet"] for u, t in truth.items() if t["wire_copy_of"]}
    for key, urls in newsroom.expected_stories(server.url).items():
        copies = [u for u in urls if truth[u]["wire_copy_of"]]
        originals = [u for u in urls if u not in copies and truth[u]["language"] == "en"]
        first_out, relaying, wires = prov[next(iter(ids_per_key[(key, "en")]))]
        assert first_out == truth[originals[0]]["outlet"], key
        assert {truth[u]["outlet"] for u in copies} <= relaying, key
        assert {truth[truth[u]["wire_copy_of"]]["outlet"] for u in copies} <= wires, key

    robots = rows(warehouse, "SELECT url, status FROM newsflow.fetch_log WHERE kind = 'robots'")
    assert robots == [(server.url + "/robots.txt", "ok")], "robots.txt fetched once, and audited"

    c = counts(warehouse)
    assert c["articles"] == len(truth) and c["duplicates"] == len(expected_dups)
    assert c["stories"] == len(all_ids) + len(standalone)


def test_second_run_fetches_nothing_and_adds_nothing(site, warehouse_url, warehouse):
    server, config = site
    run_inline(warehouse_url, config, "run-1")
    before = counts(warehouse)
    tables = ("articles", "feed_entries", "stories", "story_members", "duplicates", "raw_documents")
    sizes = {t: rows(warehouse, f"SELECT count(*) FROM newsflow.{t}")[0][0] for t in tables}  # noqa: S608

    result = run_inline(warehouse_url, config, "run-2")
    assert counts(warehouse) == before
    assert {t: rows(warehouse, f"SELECT count(*) FROM newsflow.{t}")[0][0] for t in tables} == sizes  # noqa: S608
    feed_statuses = {s for (s,) in rows(warehouse,
                     "SELECT status FROM newsflow.fetch_log WHERE run_id = 'run-2' AND kind = 'feed'")}
    assert feed_statuses == {"not_modified"}
    pages = rows(warehouse, "SELECT count(*) FROM newsflow.fetch_log WHERE run_id = 'run-2' AND kind = 'article'")
    assert pages[0][0] == 0, "an unchanged newsroom costs no page fetch"
    assert result["articles_new"] == 0 and result["stories_new"] == 0


def test_edited_article_gets_a_revision(site, newsroom, warehouse_url, warehouse):
    server, config = site
    run_inline(warehouse_url, config, "run-1")
    server.set_edition(2)
    run_inline(warehouse_url, config, "run-2")
    truth2 = {a["url"]: a for a in newsroom.ground_truth(server.url, edition=2)}
    updated = [u for u, t in truth2.items() if t["updated_in_edition"] == 2]
    assert updated, "the demo has an updated story"
    for url in updated:
        (title, revision), = rows(warehouse, "SELECT title, revision FROM newsflow.articles WHERE url = %s", (url,))
        assert title == truth2[url]["title"] and revision == 2
        old = rows(warehouse, """SELECT r.title FROM newsflow.article_revisions r
                                  JOIN newsflow.articles a ON a.article_id = r.article_id WHERE a.url = %s""", (url,))
        assert len(old) == 1 and old[0][0] != title
    pages = rows(warehouse, "SELECT count(*) FROM newsflow.fetch_log WHERE run_id = 'run-2' AND kind = 'article'")
    assert pages[0][0] == len(updated), "only the edited item's page is fetched again"
