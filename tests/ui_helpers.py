"""Seed data for the UI tests: a small warehouse with a healthy and a failing feed, one run, two stories,
a copy, an article whose title is hostile HTML, and the bridge story's provenance: citations (one with a
hostile sentence), a wire mark on the copy, and earlier headline versions (one hostile) of both its articles."""

from __future__ import annotations

import json

HOSTILE_TITLE = "Breaking <script>alert(1)</script> & <img src=x onerror=alert(2)>"
RUN_ID = "manual__2026-01-01T00:00:00+00:00"
ARTICLES_NEW = 4217  # distinctive: the pages must show this run count
HOSTILE_SENTENCE = 'Reuters reported </td><script>alert(3)</script> that the "bridge" & <b>vote</b> passed.'
HOSTILE_HEADLINE = "Bridge vote <svg onload=alert(4)> tonight"  # the copy's first headline, edited since
#: The bridge story's headline timeline, oldest first: (article, revision, headline).
BRIDGE_TIMELINE = (("bridge", 1, "Council to vote on the bridge"), ("copy", 1, HOSTILE_HEADLINE),
                   ("bridge", 2, "Council approves the new bridge"), ("copy", 2, "Council approves bridge (wire copy)"))


def seed_warehouse(url: str) -> dict[str, int]:
    """Insert the seed rows into a migrated warehouse; returns ids the tests look for."""
    import psycopg2

    conn = psycopg2.connect(url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute("INSERT INTO newsflow.outlets (name) VALUES ('Daily Planet'), ('Evening <b>Star</b>') "
                        "RETURNING outlet_id")
            planet, star = (r[0] for r in cur.fetchall())
            cur.execute(
                """INSERT INTO newsflow.feeds (declared_url, url, outlet_id, status, http_status,
                       consecutive_failures, last_attempt_at, last_success_at, next_attempt_at, last_error)
                   VALUES ('https://planet.example/rss', 'https://planet.example/rss', %s, 'ok', 200, 0,
                           now() - interval '5 minutes', now() - interval '5 minutes', NULL, NULL),
                          ('https://star.example/feed', 'https://star.example/feed', %s, 'timeout', NULL, 3,
                           now() - interval '5 minutes', now() - interval '3 days', now() + interval '2 hours',
                           'read timed out after 20 s <i>x</i>')
                   RETURNING feed_id""",
                (planet, star),
            )
            ok_feed, bad_feed = (r[0] for r in cur.fetchall())
            cur.execute(
                """INSERT INTO newsflow.fetch_log (run_id, feed_id, kind, url, status, http_status, duration_ms)
                   VALUES (%(r)s, %(ok)s, 'feed', 'https://planet.example/rss', 'ok', 200, 180),
                          (%(r)s, %(bad)s, 'feed', 'https://star.example/feed', 'timeout', NULL, 20000),
                          (%(r)s, %(ok)s, 'article', 'https://planet.example/a1', 'ok', 200, 420),
                          (%(r)s, %(ok)s, 'article', 'https://planet.example/a2', 'ok', 200, 1300),
                          (%(r)s, %(bad)s, 'article', 'https://star.example/b1', 'ok', 200, 75)""",
                {"r": RUN_ID, "ok": ok_feed, "bad": bad_feed},
            )
            articles = [
                # url_key, outlet, feed, title, status, words
                ("planet.example/a1", planet, ok_feed, HOSTILE_TITLE, "ok", 640),
                ("planet.example/a2", planet, ok_feed, "Council approves the new bridge", "ok", 410),
                ("star.example/b1", star, bad_feed, "Council approves bridge (wire copy)", "ok", 405),
                ("star.example/b2", star, bad_feed, None, "failed", 0),
            ]
            ids = []
            for key, outlet, feed, title, status, words in articles:
                cur.execute(
                    """INSERT INTO newsflow.articles (url_key, url, outlet_id, feed_id, title, text, extraction_status,
                           word_count, published_at, first_seen_at, last_changed_at, first_run_id)
                       VALUES (%s, %s, %s, %s, %s, 'body', %s, %s, now() - interval '2 hours',
                               now() - interval '1 hour', now() - interval '1 hour', %s)
                       RETURNING article_id""",
                    (key, "https://" + key, outlet, feed, title, status, words, RUN_ID),
                )
                ids.append(cur.fetchone()[0])
            hostile, bridge, copy, failed = ids
            cur.execute("INSERT INTO newsflow.duplicates (article_id, duplicate_of, kind, score, run_id) "
                        "VALUES (%s, %s, 'near', 0.93, %s)", (copy, bridge, RUN_ID))
            for story_id, headline, outlet, n_outlets, n_articles in (
                (hostile, HOSTILE_TITLE, planet, 1, 1),
                (bridge, "Council approves the new bridge", planet, 1, 2),
            ):
                cur.execute(
                    """INSERT INTO newsflow.stories (story_id, headline, first_seen_at, first_published_at,
                           first_outlet_id, n_outlets, n_articles, last_article_at, created_run_id)
                       VALUES (%s, %s, now() - interval '1 hour', now() - interval '2 hours', %s, %s, %s,
                               now() - interval '1 hour', %s)""",
                    (story_id, headline, outlet, n_outlets, n_articles, RUN_ID),
                )
            cur.execute(
                """INSERT INTO newsflow.story_members (article_id, story_id, score, is_copy, run_id)
                   VALUES (%s, %s, 1.0, false, %s), (%s, %s, 1.0, false, %s), (%s, %s, 0.93, true, %s)""",
                (hostile, hostile, RUN_ID, bridge, bridge, RUN_ID, copy, bridge, RUN_ID),
            )
            # Provenance of the bridge story: the Planet reported it (its own reporting, an AP mention out of the
            # lead); the Star's copy is a Reuters wire copy whose lead cites Reuters.
            cur.execute(
                """INSERT INTO newsflow.article_provenance (article_id, outlet_key, original_markers, version)
                   VALUES (%s, 'Daily Planet', '{self_report}', 'test'), (%s, 'Evening Star', '{}', 'test'),
                          (%s, 'Daily Planet', '{}', 'test')""",
                (bridge, copy, hostile),
            )
            cur.execute(
                """INSERT INTO newsflow.article_citations
                       (article_id, cited_outlet, cited_kind, kind, sentence, position)
                   VALUES (%s, 'Associated Press', 'agency', 'report',
                           'The Associated Press first reported the council''s schedule.', 8),
                          (%s, 'Reuters', 'agency', 'agency_wire', %s, 0)""",
                (bridge, copy, HOSTILE_SENTENCE),
            )
            cur.execute("INSERT INTO newsflow.article_wire_marks (article_id, agency, evidence, detail) "
                        "VALUES (%s, 'Reuters', 'dateline', 'LONDON (Reuters) -')", (copy,))
            # Headline versions: both articles were first seen with another headline and edited since.
            first_headline = {a: h for a, r, h in BRIDGE_TIMELINE if r == 1}
            for article, first, minutes in ((bridge, first_headline["bridge"], 30), (copy, first_headline["copy"], 20)):
                cur.execute(
                    """INSERT INTO newsflow.article_revisions (article_id, revision, title, text, captured_at)
                       VALUES (%s, 1, %s, 'first body', now() - interval '1 hour')""",
                    (article, first),
                )
                cur.execute("UPDATE newsflow.articles SET revision = 2, "
                            "last_changed_at = now() - %s * interval '1 minute' WHERE article_id = %s",
                            (minutes, article))
            durations = {
                "prepare_run": {"wall_s": 0.21, "cpu_s": 0.05},
                "fetch_feeds[0]": {"wall_s": 3.5, "cpu_s": 0.4},
                "fetch_feeds[1]": {"wall_s": 20.25, "cpu_s": 0.3},
                "fetch_articles[0]": {"wall_s": 7.75, "cpu_s": 6.1},
                "group_stories": {"wall_s": 1.125, "cpu_s": 1.0},
            }
            cur.execute(
                """INSERT INTO newsflow.ingest_runs (run_id, dag_id, started_at, finished_at, status, feeds_total,
                       feeds_ok, feeds_failed, entries_seen, entries_new, pages_fetched, articles_new,
                       duplicates_new, stories_new, durations, warnings)
                   VALUES (%s, 'news_ingest', now() - interval '70 minutes', now() - interval '65 minutes',
                           'success', 2, 1, 1, 12, 9, 3, %s, 1, 2, %s, '["feed star.example timed out"]'),
                          ('scheduled__older', 'news_ingest', now() - interval '1 day',
                           now() - interval '1 day' + interval '2 minutes', 'failed', 2, 0, 2, 0, 0, 0, 0, 0, 0,
                           '{}', '[]')""",
                (RUN_ID, ARTICLES_NEW, json.dumps(durations)),
            )
    finally:
        conn.close()
    return {"ok_feed": ok_feed, "bad_feed": bad_feed, "hostile_story": hostile, "bridge_story": bridge,
            "copy_article": copy, "failed_article": failed}
