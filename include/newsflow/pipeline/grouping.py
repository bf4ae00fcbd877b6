"""Stage: mark copies (duplicate_of) and place every new article in a story, in one transaction.

Reads the run's ungrouped articles and the recent grouped ones; writes duplicates, memberships and story summaries.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import psycopg2.extensions

from newsflow.cluster import group_docs
from newsflow.dedup import DocKeys, doc_keys
from newsflow.features import FEATURES_VERSION, stored_features
from newsflow.models import Doc
from newsflow.pipeline.runs import run_clock
from newsflow.stories import TermSpace, summarize_story
from newsflow.warehouse.db import copy_rows, create_stage, load_sql, transaction

log = logging.getLogger(__name__)

STORY_COLUMNS = ("story_id", "headline", "first_seen_at", "first_published_at", "first_outlet_id", "n_outlets",
                 "n_articles", "last_article_at", "created_run_id", "updated_at")
# Timestamps are the run's clock, not now(): re-running or replaying a run writes identical rows.
MEMBER_COLUMNS = ("article_id", "story_id", "score", "is_copy", "run_id", "assigned_at")
#: Rows per round-trip when reading the run's articles and the members of the touched stories back.
MEMBER_FETCH_ROWS = 2000
DUPLICATE_COLUMNS = ("article_id", "duplicate_of", "kind", "score", "run_id", "detected_at")


def _doc(row: tuple, story_id: int | None = None, duplicate_of: int | None = None,
         features: tuple | None = None) -> Doc:
    """A Doc from the first ten columns of a grouping query; `features`: the seven article_features columns."""
    aid, url, canonical, outlet, title, text, published, first_seen, lang, sig = row[:10]
    doc = Doc(article_id=aid, url=url, canonical_url=canonical, outlet=outlet, title=title, text=text,
              published_at=published, first_seen_at=first_seen, language=lang, story_id=story_id,
              duplicate_of=duplicate_of, signature=bytes(sig) if sig is not None else None)
    if features is not None:
        doc.features = stored_features(doc, *features)
    return doc


def group_stories(
    conn: psycopg2.extensions.connection, run_id: str, *, story_window_hours: float, dedup_window_hours: float,
    only_run_articles: bool = False,
) -> dict[str, int]:
    """Dedup and cluster the articles not yet grouped (with `only_run_articles`, those first seen by this run:
    replay regroups run by run); returns counts."""
    now = run_clock(conn, run_id)
    since = now - timedelta(hours=max(story_window_hours, dedup_window_hours))
    with transaction(conn) as cur:
        # One grouping at a time: two concurrent runs must not open two stories for one event.
        cur.execute("SELECT pg_advisory_xact_lock(hashtext('newsflow.group_stories'))")
        # One featurization per doc for the clustering and the story summaries alike.
        space, keys = TermSpace(), {}
        new = _featurized_new_docs(cur, run_id if only_run_articles else None, now, space, keys)
        cur.execute(load_sql("revised_stories"), {"as_of": now})
        revised = {r[0] for r in cur.fetchall()}
        if not new and not revised:
            return {"articles": 0, "duplicates": 0, "stories_new": 0, "stories_touched": 0}
        cur.execute(load_sql("recent_grouped_docs"),
                    {"since": since, "as_of": now, "features_version": FEATURES_VERSION})
        recent = [_doc(r, story_id=r[10], duplicate_of=r[11], features=r[12:19]) for r in cur.fetchall()]
        recent_story = {d.article_id: d.story_id for d in recent}

        grouping = group_docs(new, recent, story_window_hours=story_window_hours, space=space, dedup_keys=keys)
        del recent
        links, assignments = grouping.duplicates, grouping.stories
        dup_of = {link.article_id: link for link in links}
        story_of = grouping.story_of(recent_story)
        members = [(a.article_id, a.story_id, a.score, False, run_id, now) for a in assignments]
        members += [(link.article_id, story_of[link.article_id], link.score, True, run_id, now) for link in links]
        touched = sorted({m[1] for m in members} | revised)
        new_story_ids = {a.story_id for a in assignments if a.is_new_story}

        # Stories first (memberships reference them), with summaries over all members old and new.
        summaries = _summaries(cur, touched, new, story_of, dup_of, run_id, new_story_ids, now, space)
        create_stage(cur, "stage_stories", "stories", STORY_COLUMNS)
        copy_rows(cur, "stage_stories", STORY_COLUMNS, summaries)
        cur.execute(load_sql("upsert_stories"))
        create_stage(cur, "stage_members", "story_members", MEMBER_COLUMNS)
        copy_rows(cur, "stage_members", MEMBER_COLUMNS, members)
        cur.execute(load_sql("insert_story_members"))
        create_stage(cur, "stage_duplicates", "duplicates", DUPLICATE_COLUMNS)
        copy_rows(cur, "stage_duplicates", DUPLICATE_COLUMNS,
                  [(lk.article_id, lk.duplicate_of, lk.kind, lk.score, run_id, now) for lk in links])
        cur.execute(load_sql("insert_duplicates"))
    return {"articles": len(new), "duplicates": len(links), "stories_new": len(new_story_ids),
            "stories_touched": len(touched)}


def _featurized_new_docs(cur, run_id: str | None, now, space: TermSpace, keys: dict[int, DocKeys]) -> list[Doc]:
    """The docs to group, streamed: each is featurized (`space`) and keyed for dedup (`keys`) as it arrives and
    kept without its text, which nothing reads after that. A run of 20,000 articles would otherwise hold every
    text twice at once (the client's result buffer and the docs) for the whole grouping."""
    docs = []
    with cur.connection.cursor(name="docs_to_group") as rows:
        rows.itersize = MEMBER_FETCH_ROWS
        rows.execute(load_sql("docs_to_group"), {"run_id": run_id, "as_of": now, "features_version": FEATURES_VERSION})
        for r in rows:
            doc = _doc(r, features=r[10:17])
            space.add(doc)
            keys[doc.article_id] = doc_keys(doc)
            docs.append(Doc(**{**doc.__dict__, "text": "", "features": None}))
    return docs


def _summaries(cur, story_ids, new, story_of, dup_of, run_id, new_story_ids, now, space: TermSpace) -> list[tuple]:
    """One stage_stories row per touched story, from every member (stored ones are read back)."""
    by_story: dict[int, dict[int, Doc]] = {sid: {} for sid in story_ids}
    copies: set[int] = set(dup_of)
    outlet_ids: dict[str, int] = {}
    # Streamed in blocks, and each member's text dropped once featurized: a run that touches every story of
    # a busy window must not hold every member's text at once.
    with cur.connection.cursor(name="story_member_docs") as members:
        members.itersize = MEMBER_FETCH_ROWS
        members.execute(load_sql("story_member_docs"),
                        {"story_ids": list(story_ids), "as_of": now, "features_version": FEATURES_VERSION})
        for r in members:
            sid, row = r[0], r[1:]
            doc = _doc((*row[:9], None), story_id=sid, features=r[13:20])
            space.add(doc)
            by_story[sid][doc.article_id] = Doc(**{**doc.__dict__, "text": "", "features": None})
            if r[11]:
                copies.add(doc.article_id)
            outlet_ids[doc.outlet] = r[12]
    for d in new:
        by_story[story_of[d.article_id]][d.article_id] = Doc(**{**d.__dict__, "story_id": story_of[d.article_id]})
    if any(d.outlet not in outlet_ids for docs in by_story.values() for d in docs.values()):
        cur.execute("SELECT name, outlet_id FROM newsflow.outlets")
        outlet_ids.update(dict(cur.fetchall()))
    rows = []
    for sid in story_ids:
        docs = list(by_story[sid].values())
        summary = summarize_story(docs, copies & set(by_story[sid]), space=space)
        first_pub = min((d.published_at for d in docs if d.published_at and d.article_id not in copies), default=None)
        last_seen = max(d.first_seen_at for d in docs)
        rows.append((sid, summary.headline, summary.first_seen_at, first_pub, outlet_ids.get(summary.first_outlet),
                     summary.n_outlets, summary.n_articles, last_seen, run_id if sid in new_story_ids else None,
                     now))
    return rows
