"""Tests for the newsflow CLI: help, feeds-file errors naming the line, stats and export on a real warehouse."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

from newsflow.cli import main
from newsflow.warehouse.db import transaction

BIN = Path(sys.executable).parent


def test_help_lists_commands():
    out = subprocess.run([str(BIN / "newsflow"), "--help"], capture_output=True, text=True, check=True).stdout
    for cmd in ("run", "demo", "stats", "export", "migrate", "extract", "demo-site"):
        assert cmd in out


def test_bad_feeds_file_fails_fast_naming_the_line(tmp_path, capsys):
    bad = tmp_path / "feeds.yaml"
    bad.write_text("feeds:\n  - url: https://example.org/rss\n    outlet: X\n    tgas: [world]\n")
    assert main(["run", "--feeds", str(bad), "--warehouse", "postgresql://nobody@127.0.0.1:1/none"]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:4: unknown key 'tgas'" in err


def test_unreachable_warehouse_says_what_to_do(capsys):
    assert main(["stats", "--warehouse", "postgresql://nobody@127.0.0.1:1/none"]) == 1
    assert "NEWSFLOW_WAREHOUSE_URL" in capsys.readouterr().err


def _seed(conn) -> None:
    now = datetime(2026, 11, 24, 8, tzinfo=timezone.utc)
    with transaction(conn) as cur:
        cur.execute("INSERT INTO newsflow.outlets (name) VALUES ('A'), ('B')")
        for i, outlet in ((1, 1), (2, 2)):
            cur.execute(
                """INSERT INTO newsflow.articles (url_key, url, canonical_url, outlet_id, title, text, language,
                       extraction_status, first_seen_at, last_changed_at, published_at)
                   VALUES (%s, %s, %s, %s, %s, 'Body <b>x</b>', 'en', 'ok', %s, %s, %s)""",
                (f"http://a.example/{i}", f"http://a.example/{i}", f"http://a.example/{i}", outlet,
                 f"Title {i}", now, now, now),
            )
        cur.execute("INSERT INTO newsflow.stories (story_id, headline, first_seen_at, n_outlets, n_articles) "
                    "VALUES (1, 'Title 1', %s, 1, 2)", (now,))
        cur.execute("INSERT INTO newsflow.story_members (article_id, story_id, score) VALUES (1, 1, 1), (2, 1, 0.9)")
        cur.execute("INSERT INTO newsflow.duplicates (article_id, duplicate_of, kind, score) VALUES (2, 1, 'near', 0.95)")


def test_stats_and_export(warehouse_url, warehouse, tmp_path, capsys):
    _seed(warehouse)
    assert main(["stats", "--warehouse", warehouse_url]) == 0
    out = capsys.readouterr().out
    assert "articles: 2" in out and "stories: 1" in out and "duplicates: 1" in out
    target = tmp_path / "out.jsonl"
    assert main(["export", "--warehouse", warehouse_url, "--out", str(target)]) == 0
    rows = [json.loads(line) for line in target.read_text().splitlines()]
    assert len(rows) == 2
    for key in ("url", "canonical_url", "outlet", "title", "text", "published_at", "language", "story_id",
                "duplicate_of"):
        assert key in rows[0]
    assert rows[0]["duplicate_of"] is None and rows[1]["duplicate_of"] == 1
    assert rows[0]["story_id"] == rows[1]["story_id"] == 1
    assert rows[0]["published_at"].startswith("2026-11-24T08:00:00")
