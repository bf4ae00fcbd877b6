"""Grouping inputs stored at extraction (story features, dedup keys): they give the grouping exactly what computing
them from the doc gives, and a row made from another text or by other code is never used. Over the demo newsroom, grouping with the stored rows,
without them, and with stale ones lands the same stories.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from newsflow import dedup, features, stories
from newsflow.dedup import doc_keys, text_keys
from newsflow.demo import demo_newsroom, serve, write_feeds_yaml
from newsflow.feeds_config import load_feeds
from newsflow.models import Doc
from newsflow.pipeline.grouping import group_stories
from newsflow.pipeline.inline import run_inline
from newsflow.stories import TermSpace, doc_features, pack_features, unpack_features
from wh import count, rows

TEXT = ("Firefighters in Harlow contained a warehouse blaze on Tuesday after 14 hours. The Harlow fire service said "
        "120 residents were evacuated and no one was hurt. The cause is under investigation, officials said.")


def _doc(article_id: int = 1, title: str = "Harlow warehouse blaze contained", text: str = TEXT,
         url: str = "https://ledger.example/news/harlow-warehouse-blaze") -> Doc:
    return Doc(article_id=article_id, url=url, canonical_url=url, outlet="Ledger", title=title, text=text,
               published_at=None, first_seen_at=datetime(2026, 11, 24, tzinfo=UTC))


def _stored(doc: Doc, **changes) -> tuple | None:
    """What the grouping makes of the row that extraction would store for `doc`, read back with `changes`."""
    names = ("version", "sha1", "terms", "weights", "is_short", "text_key", "shingles")
    row = {**dict(zip(names, features.feature_row("k", doc.title, doc.text, doc.url)[1:])), **changes}
    return features.stored_features(doc, *(row[n] for n in names))


def test_stored_features_give_the_same_term_space_rows():
    for doc in (_doc(), _doc(2, title="Blaze", text="Harlow fire: 14 hours.", url="https://x.example/a")):
        plain, stored = TermSpace(), TermSpace()
        plain.add(doc)
        doc.features = _stored(doc)
        assert doc.features is not None
        stored.add(doc)
        assert plain.vocab == stored.vocab
        a, b = plain.counts([doc]), stored.counts([doc])
        assert (a != b).nnz == 0 and a.dtype == b.dtype == np.float32
        assert plain.is_short(doc) == stored.is_short(doc)


def test_stored_dedup_keys_are_the_computed_ones():
    long_doc, short_doc = _doc(), _doc(2, text="Harlow fire: 14 hours.")
    for doc in (long_doc, short_doc):
        computed = doc_keys(doc)
        doc.features = _stored(doc)
        stored = doc_keys(doc)
        assert stored[:2] == computed[:2]
        for a, b in zip(stored[2:], computed[2:]):
            assert (a is None and b is None) or (a.dtype == b.dtype and np.array_equal(a, b))
    assert long_doc.features.text_key is not None and short_doc.features.text_key is None
    # A row with one of the two keys only is not trusted.
    assert _stored(long_doc, shingles=None) is None


def test_a_row_of_another_text_or_other_code_is_not_used():
    doc = _doc()
    assert _stored(doc) is not None
    edited = _doc(text=TEXT.replace("14 hours", "15 hours"))
    retitled = _doc(title="Harlow blaze out")
    moved = _doc(url="https://ledger.example/news/harlow-blaze")
    row = features.feature_row("k", doc.title, doc.text, doc.url)
    for other in (edited, retitled, moved):
        assert features.stored_features(other, *row[1:]) is None
    assert _stored(doc, version="0" * 16) is None
    assert _stored(doc, terms=None) is None


def test_packing_round_trips_and_refuses_what_it_cannot_split():
    terms, weights, short = doc_features(_doc())
    back = unpack_features(pack_features(terms, weights, short))
    assert back[0] == terms and np.array_equal(back[1], weights) and back[2] == short
    assert pack_features(["w:a\x1fb"], np.ones(1, dtype=np.float32), False) is None
    with pytest.raises(ValueError, match="2 terms and 1 weights"):
        unpack_features((b"a\x1fb", np.ones(1, dtype="<f4").tobytes(), False))


def test_the_version_follows_the_featurization_code():
    assert len(features.FEATURES_VERSION) == 16
    assert set(features.FEATURE_CODE) == {"stories.py", "storygraph.py", "textfeatures.py", "dedup.py"}


def _grouping(warehouse) -> tuple:
    return (rows(warehouse, "SELECT article_id, story_id, score, is_copy FROM newsflow.story_members ORDER BY 1"),
            rows(warehouse, "SELECT article_id, duplicate_of, kind, score FROM newsflow.duplicates ORDER BY 1"),
            rows(warehouse, "SELECT story_id, headline, n_outlets, n_articles FROM newsflow.stories ORDER BY 1"))


def _regroup(warehouse, before_sql: str) -> tuple:
    with warehouse.cursor() as cur:
        cur.execute("DELETE FROM newsflow.story_members; DELETE FROM newsflow.duplicates; "
                    "DELETE FROM newsflow.stories;" + before_sql)
    warehouse.commit()
    group_stories(warehouse, "run-1", story_window_hours=72, dedup_window_hours=168)
    return _grouping(warehouse)


def test_extraction_stores_features_and_grouping_lands_the_same_stories_with_or_without_them(
        warehouse_url, warehouse, tmp_path, monkeypatch):
    newsroom = demo_newsroom()
    with serve(newsroom, host="127.0.0.1", port=0) as server:
        path = tmp_path / "feeds.yaml"
        write_feeds_yaml(newsroom, server.url, path, min_delay_s=0)
        run_inline(warehouse_url, load_feeds(path), "run-1")
    ok = count(warehouse, "SELECT count(*) FROM newsflow.articles WHERE extraction_status = 'ok'")
    assert ok and count(warehouse, "SELECT count(*) FROM newsflow.article_features WHERE version = %s",
                        (features.FEATURES_VERSION,)) == ok
    with_rows = _grouping(warehouse)
    assert with_rows[0] and with_rows[1], "the demo has stories and copies"

    featurized, shingled = [], []
    monkeypatch.setattr(stories, "doc_features", lambda doc: featurized.append(doc) or doc_features(doc))
    monkeypatch.setattr(dedup, "text_keys", lambda text: shingled.append(text) or text_keys(text))
    assert _regroup(warehouse, "") == with_rows
    assert featurized == [] and shingled == [], "the stored rows were read, nothing was computed again"
    # Stale rows (another text) and missing rows: featurized again, same result.
    assert _regroup(warehouse, "UPDATE newsflow.article_features SET source_sha1 = 'stale';") == with_rows
    assert len(featurized) == len(shingled) == ok
    assert _regroup(warehouse, "DELETE FROM newsflow.article_features;") == with_rows
    assert len(featurized) == len(shingled) == 2 * ok
