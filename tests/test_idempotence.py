"""Loads are upserts: a run repeated three times leaves identical tables (checksummed), and so does a day re-run."""

from __future__ import annotations

from newsflow.demo import demo_newsroom, serve, write_feeds_yaml
from newsflow.feeds_config import load_feeds
from newsflow.pipeline.inline import run_inline

#: The tables of record. fetch_log is the audit log (every fetch appends by design); feeds hold fetch state
#: (a re-run legitimately records "not_modified"); ingest_runs hold wall-clock durations.
TABLES = ("outlets", "feed_entries", "raw_documents", "articles", "article_revisions", "duplicates", "stories",
          "story_members", "article_citations", "article_wire_marks")
ORDER = {"outlets": "outlet_id", "feed_entries": "feed_id, entry_key", "raw_documents": "sha256",
         "articles": "article_id", "article_revisions": "article_id, revision", "duplicates": "article_id",
         "stories": "story_id", "story_members": "article_id", "article_citations": "article_id, cited_outlet, kind",
         "article_wire_marks": "article_id"}


def checksums(conn) -> dict[str, tuple[int, str]]:
    from psycopg2 import sql

    out = {}
    with conn.cursor() as cur:
        for table in TABLES:
            cur.execute(sql.SQL("SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY {}), '')) "
                                "FROM newsflow.{} t").format(sql.SQL(ORDER[table]), sql.Identifier(table)))
            out[table] = cur.fetchone()
    conn.commit()
    return out


def test_a_run_repeated_three_times_gives_identical_checksums(warehouse_url, warehouse, tmp_path):
    newsroom = demo_newsroom()
    with serve(newsroom, host="127.0.0.1", port=0) as server:
        path = tmp_path / "feeds.yaml"
        write_feeds_yaml(newsroom, server.url, path, min_delay_s=0)
        config = load_feeds(path)
        sums = []
        for _ in range(3):
            run_inline(warehouse_url, config, "same-run")
            sums.append(checksums(warehouse))
    assert sums[0]["articles"][0] == len(newsroom.articles)
    assert sums[0] == sums[1] == sums[2]
