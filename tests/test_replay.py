"""Replay and retention: rebuilding from raw documents offline gives the same rows; prune drops old raw bytes."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from newsflow.demo import demo_newsroom, serve, write_feeds_yaml
from newsflow.feeds_config import load_feeds
from newsflow.pipeline.inline import run_inline
from newsflow.pipeline.maintenance import prune
from newsflow.pipeline.replay import replay
from newsflow.settings import Settings

SNAPSHOT = {
    "articles": "SELECT * FROM newsflow.articles ORDER BY article_id",
    "article_revisions": "SELECT * FROM newsflow.article_revisions ORDER BY article_id, revision",
    "duplicates": "SELECT * FROM newsflow.duplicates ORDER BY article_id",
    "story_members": "SELECT * FROM newsflow.story_members ORDER BY article_id",
    "stories": "SELECT * FROM newsflow.stories ORDER BY story_id",
}


def snapshot(conn) -> dict[str, list[tuple]]:
    out = {}
    with conn.cursor() as cur:
        for name, query in SNAPSHOT.items():
            cur.execute(query)
            out[name] = [tuple(bytes(v) if isinstance(v, memoryview) else v for v in row) for row in cur.fetchall()]
    conn.commit()
    return out


@pytest.fixture
def two_runs(warehouse_url, tmp_path):
    """Two runs of the demo newsroom (the second after an edit); the server is gone afterwards: no network."""
    newsroom = demo_newsroom()
    with serve(newsroom, host="127.0.0.1", port=0) as server:
        path = tmp_path / "feeds.yaml"
        write_feeds_yaml(newsroom, server.url, path, min_delay_s=0)
        config = load_feeds(path)
        run_inline(warehouse_url, config, "run-1")
        server.set_edition(2)
        run_inline(warehouse_url, config, "run-2")
    return warehouse_url


def test_replay_offline_gives_the_same_rows(two_runs, warehouse):
    before = snapshot(warehouse)
    assert before["stories"] and before["duplicates"] and before["article_revisions"]
    s = Settings.from_env()
    counts = replay(warehouse, datetime(2000, 1, 1, tzinfo=timezone.utc),
                    story_window_hours=s.story_window_hours, dedup_window_hours=s.dedup_window_hours)
    assert counts["runs"] == 2 and counts["articles"] == len(before["articles"]) and counts["changed"] == 0
    after = snapshot(warehouse)
    for table in SNAPSHOT:
        assert after[table] == before[table], f"replay changed {table}"


def test_replay_twice_is_stable_and_partial_replay_keeps_older_runs(two_runs, warehouse):
    s = Settings.from_env()
    before = snapshot(warehouse)
    with warehouse.cursor() as cur:
        cur.execute("SELECT started_at FROM newsflow.ingest_runs WHERE run_id = 'run-2'")
        (run2_start,) = cur.fetchone()
    warehouse.commit()
    for _ in range(2):
        replay(warehouse, run2_start, story_window_hours=s.story_window_hours,
               dedup_window_hours=s.dedup_window_hours)
        assert snapshot(warehouse) == before
    # One day (here: everything before run 2) replayed alone leaves the later run's rows as they were.
    counts = replay(warehouse, datetime(2000, 1, 1, tzinfo=timezone.utc), until=run2_start,
                    story_window_hours=s.story_window_hours, dedup_window_hours=s.dedup_window_hours)
    assert counts["runs"] == 1
    assert snapshot(warehouse) == before


def test_prune_removes_old_raw_documents_only(two_runs, warehouse):
    with warehouse.cursor() as cur:
        cur.execute("SELECT count(*) FROM newsflow.raw_documents")
        (total,) = cur.fetchone()
        cur.execute("UPDATE newsflow.raw_documents SET fetched_at = now() - interval '100 days' "
                    "WHERE sha256 IN (SELECT sha256 FROM newsflow.raw_documents ORDER BY sha256 LIMIT 3)")
    warehouse.commit()
    assert prune(warehouse, raw_retention_days=90)["raw_documents"] == 3
    assert prune(warehouse, raw_retention_days=0)["raw_documents"] == 0, "0 keeps raw documents forever"
    with warehouse.cursor() as cur:
        cur.execute("SELECT count(*) FROM newsflow.raw_documents")
        assert cur.fetchone()[0] == total - 3
        cur.execute("SELECT count(*) FROM newsflow.articles WHERE raw_sha256 IS NULL")
        assert cur.fetchone()[0] <= 3, "articles stay; only their link to pruned bytes is cleared"
    warehouse.commit()


def test_prune_removes_the_stored_features_of_old_articles_only(two_runs, warehouse):
    with warehouse.cursor() as cur:
        cur.execute("SELECT count(*) FROM newsflow.article_features")
        (total,) = cur.fetchone()
        cur.execute("UPDATE newsflow.articles SET first_seen_at = now() - interval '40 days' "
                    "WHERE article_id IN (SELECT article_id FROM newsflow.article_features ORDER BY 1 LIMIT 2)")
    warehouse.commit()
    assert total > 2
    assert prune(warehouse, raw_retention_days=0)["feature_rows"] == 2
    with warehouse.cursor() as cur:
        cur.execute("SELECT count(*) FROM newsflow.article_features")
        assert cur.fetchone()[0] == total - 2
    warehouse.commit()
