"""Headline-only story clustering (newsflow.storygraph through newsflow.stories.assign_stories): slug words,
pinned old stories, a story growing over two runs with a stable id, distinct events apart, determinism."""

import random
from datetime import UTC, datetime, timedelta

import numpy as np
from newsflow import storygraph
from newsflow.models import Doc
from newsflow.stories import assign_stories, cluster_batch, doc_terms
from scipy import sparse

T0 = datetime(2026, 3, 1, 8, tzinfo=UTC)

BIEBER = [
    "Justin Bieber sued by neighbor over egg attack",
    "Bieber neighbor files lawsuit after egging of home",
    "Justin Bieber faces lawsuit from neighbor in egg case",
    "Neighbor sues Justin Bieber for egging damages",
    "Bieber egging: neighbor seeks damages in lawsuit",
    "Justin Bieber hit with lawsuit by egged neighbor",
    "Egg attack: Bieber sued by his Calabasas neighbor",
    "Justin Bieber's neighbor sues over egg attack on house",
]
MALAYSIA = [
    "Malaysia Airlines flight MH370 missing over South China Sea",
    "Search widens for missing Malaysia Airlines jet MH370",
    "Missing Malaysian jet: search for MH370 enters fourth day",
    "MH370: Malaysia Airlines plane still missing, search expands",
    "Malaysia Airlines jet missing with 239 aboard, search goes on",
    "No trace of missing Malaysia Airlines MH370 flight",
    "Vietnam joins search for missing Malaysia Airlines plane",
    "Malaysia widens search area for missing flight MH370",
]


def slugify(title):
    return "-".join(w.strip(":,'.").lower() for w in title.split())


def headline_docs(titles, start_id=1, minutes=0, outlet_salt=0):
    docs = []
    for j, title in enumerate(titles):
        aid = start_id + j
        url = f"https://outlet{(aid + outlet_salt) % 11}.example/news/{slugify(title)}-{1000 + aid}.html?utm_source=rss"
        docs.append(Doc(aid, url, url, f"outlet{aid % 11}", title, "", None, T0 + timedelta(minutes=minutes + j)))
    return docs


def mixed(titles_a, titles_b, start_id=1, minutes=0):
    """The two events' headlines interleaved in time (the way a feed delivers them)."""
    out = []
    for j, (a, b) in enumerate(zip(titles_a, titles_b)):
        out += [a, b]
    return headline_docs(out, start_id, minutes)


def stored(docs, assignments):
    sid = {a.article_id: a.story_id for a in assignments}
    return [Doc(**{**d.__dict__, "story_id": sid[d.article_id]}) for d in docs]


def groups(labels):
    out = {}
    for aid, sid in labels.items():
        out.setdefault(sid, set()).add(aid)
    return sorted(sorted(g) for g in out.values())


def test_slug_words_keep_headline_words_and_drop_ids_and_query():
    url = "https://www.x.com/news/world/bieber-sued-by-neighbor-1234-a1b2c3d4e5.html?utm_source=rss&id=9"
    assert storygraph.slug_words(url) == ["bieber", "sued", "by", "neighbor"]
    assert storygraph.slug_words("https://x.com/world-news/2014/03/10/") == []  # sections and dates: no slug
    assert storygraph.slug_words("") == storygraph.slug_words(None) == []
    assert storygraph.slug_words("http://[::1") == []  # junk never raises


def test_headline_terms_include_slug_words_from_doc_url():
    d = Doc(1, "https://x.com/a/bieber-egg-lawsuit-neighbor", "https://x.com/other", "o", "Pop star sued", "",
            None, T0)
    terms = doc_terms(d)
    assert "w:egg" in terms and "w:lawsuit" in terms and "w:pop" in terms  # slug from Doc.url, not canonical_url
    full = Doc(2, d.url, d.url, "o", "Pop star sued", "A long body " * 10, None, T0)
    assert "w:egg" not in doc_terms(full)  # full text: slug words are not used


def test_louvain_pinned_groups_never_merge_and_free_nodes_join_them():
    # Two pinned groups (0, 1) joined by a strong edge, and a free node (4) tied to group 1.
    edges = {(0, 1): 1.0, (2, 3): 1.0, (1, 2): 1.0, (3, 4): 1.0, (4, 5): 0.2}
    n = 6
    r, c, w = zip(*[(i, j, v) for (i, j), v in edges.items()])
    a = sparse.csr_matrix((w, (r, c)), shape=(n, n))
    a = a.maximum(a.T).tocsr()
    pinned = np.array([0, 0, 1, 1, -1, -1])
    labels = storygraph.louvain(a, pinned, resolution=1.0)
    assert labels[0] == labels[1] != labels[2] == labels[3]
    assert labels[4] == labels[3]


def test_two_headline_events_stay_apart_and_get_founder_ids():
    docs = mixed(BIEBER, MALAYSIA)
    labels = cluster_batch(docs)
    bieber = {d.article_id for d in docs if d.title in BIEBER}
    mh370 = {d.article_id for d in docs if d.title in MALAYSIA}
    assert groups(labels) == sorted([sorted(bieber), sorted(mh370)])
    assert {labels[a] for a in bieber} == {min(bieber)}
    assert {labels[a] for a in mh370} == {min(mh370)}


def test_headline_story_grows_over_two_runs_and_keeps_its_id():
    run1_docs = mixed(BIEBER[:4], MALAYSIA[:4])
    run1 = assign_stories(run1_docs, [])
    recent = stored(run1_docs, run1)
    run2_docs = mixed(BIEBER[4:], MALAYSIA[4:], start_id=100, minutes=600)
    run2 = assign_stories(run2_docs, recent)
    old = {a.article_id: a.story_id for a in run1}
    new = {a.article_id: a.story_id for a in run2}
    assert set(old.values()) == {1, 2}  # first Bieber and first MH370 headline founded the stories
    assert not any(a.is_new_story for a in run2)
    for d in run2_docs:
        assert new[d.article_id] == (1 if d.title in BIEBER else 2)
    assert all(0.0 < a.score <= 1.0 for a in run2)
    # replaying run 1 against its stored result changes nothing (pinned: old stories never renumbered)
    assert {a.article_id: a.story_id for a in assign_stories(run1_docs, recent)} == old


def test_headline_past_the_window_opens_a_new_story():
    run1_docs = headline_docs(BIEBER[:4])
    recent = stored(run1_docs, assign_stories(run1_docs, []))
    late = headline_docs(BIEBER[4:6], start_id=50, minutes=100 * 60)
    got = assign_stories(late, recent, window_hours=72)
    assert {a.story_id for a in got} == {50}
    assert [a.is_new_story for a in got] == [True, False]
    got = assign_stories(late, recent, window_hours=120)
    assert {a.story_id for a in got} == {1}


def test_deterministic_and_order_independent():
    docs = mixed(BIEBER, MALAYSIA)
    ref = assign_stories(docs, [])
    rnd = random.Random(5)
    for _ in range(4):
        rnd.shuffle(docs)
        assert assign_stories(docs, []) == ref


def test_headline_joins_a_full_text_story_of_its_event():
    body = ("Pop singer Justin Bieber was sued on Monday by his Calabasas neighbor, who says Bieber threw eggs "
            "at his house in January and caused thousands of dollars in damage.\nThe lawsuit seeks damages.\n"
            "Detectives searched Bieber's home in the egging case.")
    full = [Doc(1, "https://a.example/1", "https://a.example/1", "a", "Bieber sued by neighbor over egging",
                body, None, T0)]
    recent = stored(full, assign_stories(full, []))
    heads = headline_docs(BIEBER[:3], start_id=10, minutes=30)
    got = assign_stories(heads, recent)
    assert {a.story_id for a in got} == {1}
