"""Cross-source story clustering: independent reports of one event share one stable story_id.
Incremental online centroid clustering over TF-IDF of title, lead, body and entities, limited to a time window."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache

import numpy as np
from scipy import sparse

from newsflow.dedup import seen_order
from newsflow.models import Doc, StoryAssignment
from newsflow.textfeatures import content_terms, entities

#: Similarity (doc vs story centroid, combined cosine below) needed to join a story; below it, a
#: new story opens. Chosen on ECB+ DEV train topics (full-text articles).
JOIN_THRESHOLD = 0.08
#: Headline-only docs (body under SHORT_DOC_WORDS words: feed items whose page was not extracted)
#: share few terms with anything, so their cosines live on a lower scale; they use this threshold.
JOIN_THRESHOLD_SHORT = 0.1
SHORT_DOC_WORDS = 10
#: Short docs are described by their stemmed words plus character SHORT_NGRAM-grams of those words.
SHORT_NGRAM = 4
SHORT_NGRAM_WEIGHT = 1.0
#: Extra weight of headline terms over body terms (a headline states the event).
TITLE_WEIGHT = 2.0
#: The first LEAD_LINES lines of the body (who/what/where/when) get LEAD_WEIGHT extra.
LEAD_LINES = 3
LEAD_WEIGHT = 1.0
#: Weight of entity features (names, places, numbers) relative to plain words: what separates
#: two events of the same kind (two fires, two earthquakes) is mostly who, where and how many.
ENTITY_WEIGHT = 1.0
#: Second-order similarity: each doc is also described by its K_NEIGHBORS most similar docs in the
#: window (their TF-IDF cosines). Two reports of one event share neighbors even when their own words
#: differ, while two events of the same kind (two fires) each keep their own neighborhood.
K_NEIGHBORS = 5
#: Only docs at least this similar count as neighbors: in a small window (few docs per event) the
#: nearest docs may be unrelated, and sharing them must not look like sharing an event.
NEIGHBOR_MIN_SIM = 0.2
#: ... and at least this share of the doc's best cosine: where many docs of one kind look alike
#: (templated copy, same-kind events), only the clearly closest count as neighbors.
NEIGHBOR_REL_SIM = 0.0
#: A doc's background: its mean TF-IDF cosine to the docs ranked BACKGROUND_RANKS (0-based) in the
#: window, i.e. docs that look alike without being the same event (templated copy, many events of
#: one kind). The join threshold rises by BACKGROUND_WEIGHT x background.
BACKGROUND_RANKS = (20, 50)
BACKGROUND_WEIGHT = 2.0
#: Share of the second-order part in the combined cosine (the rest is plain TF-IDF cosine).
SECOND_ORDER_WEIGHT = 0.5
#: Featurized (title, text) pairs kept per process (doc_terms memo).
TERMS_CACHE_SIZE = 8192
#: New docs are clustered in chunks of this size, so memory stays O(CHUNK^2) on any batch size.
CHUNK = 2048
#: Rows per block when finding neighbors (a dense block is NEIGHBOR_BLOCK x window docs).
NEIGHBOR_BLOCK = 512


@dataclass
class StorySummary:
    """What the warehouse keeps about one story."""

    story_id: int
    headline: str
    first_seen_at: datetime
    first_outlet: str
    n_outlets: int  # distinct outlets of independent (non-duplicate) members
    n_articles: int  # all members, copies included
    member_scores: dict[int, float] = field(default_factory=dict)  # article_id -> similarity to the story


def doc_terms(doc: Doc) -> Counter[str]:
    """Weighted raw term counts of a doc: words ("w:"), entities ("e:"), for headline-only docs
    character n-grams ("c:"). Memoized on (title, text): `recent` docs come back on every chunk and
    run of one process. The result is shared: read it, never change it."""
    return _terms(doc.title or "", doc.text or "")


@lru_cache(maxsize=TERMS_CACHE_SIZE)
def _terms(title: str, text: str) -> Counter[str]:
    doc = Doc(0, "", "", "", title, text, None, datetime.min)
    counts: Counter[str] = Counter()
    if _is_short(doc):
        # Headline only: Title-Case headlines capitalize every word, so no entity features; char
        # n-grams of the words let "Bieber"/"Bieber's", "Fyffes"/"Fyffe" and short forms meet.
        for t in content_terms(f"{title}\n{doc.text or ''}"):
            counts["w:" + t] += 1.0
            padded = f"<{t}>"
            for i in range(max(1, len(padded) - SHORT_NGRAM + 1)):
                counts["c:" + padded[i : i + SHORT_NGRAM]] += SHORT_NGRAM_WEIGHT
        return counts
    lines = [ln for ln in (doc.text or "").splitlines() if ln.strip()]
    lead = "\n".join(lines[:LEAD_LINES])
    body = "\n".join(lines)
    for t in content_terms(title):
        counts["w:" + t] += TITLE_WEIGHT
    for t in content_terms(lead):
        counts["w:" + t] += LEAD_WEIGHT
    for t in content_terms(body):
        counts["w:" + t] += 1.0
    ents = entities(title) * int(TITLE_WEIGHT) + entities(lead) + entities(body)
    for e in ents:
        counts["e:" + e] += 1.0
    return counts


def _is_short(doc: Doc) -> bool:
    return len((doc.text or "").split()) < SHORT_DOC_WORDS


def _vectors(term_counts: list[Counter[str]]) -> sparse.csr_matrix:
    """L2-normalized sublinear TF-IDF rows; IDF from the given docs (the clustering window)."""
    vocab: dict[str, int] = {}
    df: Counter[int] = Counter()
    rows, cols, vals = [], [], []
    for i, counts in enumerate(term_counts):
        for term, c in counts.items():
            j = vocab.setdefault(term, len(vocab))
            df[j] += 1
            rows.append(i)
            cols.append(j)
            vals.append(1.0 + math.log(c) if c >= 1 else c)
    n = len(term_counts)
    idf = np.ones(len(vocab))
    for j, d in df.items():
        idf[j] = math.log((n + 1) / (d + 1)) + 1.0
    m = sparse.csr_matrix((vals, (rows, cols)), shape=(n, len(vocab)), dtype=np.float64)
    m = m.multiply(idf[np.newaxis, :]).tocsr()
    # Entity features get their weight after IDF so that the weight is a real ratio.
    ent_cols = np.array([j for t, j in vocab.items() if t.startswith("e:")], dtype=np.int64)
    if len(ent_cols) and ENTITY_WEIGHT != 1.0:
        scale = np.ones(len(vocab))
        scale[ent_cols] = ENTITY_WEIGHT
        m = m.multiply(scale[np.newaxis, :]).tocsr()
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1))).ravel()
    norms[norms == 0] = 1.0
    return sparse.diags(1.0 / norms) @ m


def _neighbor_profiles(x: sparse.csr_matrix) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Row i: cosines of doc i to its K_NEIGHBORS nearest docs with cosine >= NEIGHBOR_MIN_SIM
    (self weighted as the nearest), L2-normed. The floor keeps unrelated docs out of sparse windows.
    Also returns each doc's background: its mean cosine to the docs ranked BACKGROUND_RANKS."""
    n = x.shape[0]
    k = min(K_NEIGHBORS, n - 1)
    lo, hi = BACKGROUND_RANKS
    kb = min(hi, n - 1)
    xt = x.T.tocsc()
    parts = []
    background = np.zeros(n)
    for start in range(0, n, NEIGHBOR_BLOCK):
        block = (x[start : start + NEIGHBOR_BLOCK] @ xt).toarray()
        b = block.shape[0]
        idx = np.arange(b)
        block[idx, start + idx] = 0.0
        if kb > lo:
            ranked = -np.sort(-np.partition(block, n - kb, axis=1)[:, n - kb :], axis=1)
            background[start : start + b] = ranked[:, lo:kb].sum(axis=1) / (hi - lo)
        # Ties at the k-th value are broken by argpartition; cosines of distinct texts rarely tie exactly.
        top = np.argpartition(-block, k - 1, axis=1)[:, :k] if k > 0 else np.zeros((b, 0), dtype=np.int64)
        tv = np.take_along_axis(block, top, axis=1)
        floor = np.maximum(NEIGHBOR_MIN_SIM, NEIGHBOR_REL_SIM * (tv.max(axis=1, keepdims=True) if k > 0 else 0.0))
        tv[tv < floor] = 0.0
        self_w = np.maximum(tv.max(axis=1) if k > 0 else np.zeros(b), 1e-6)
        rows = np.repeat(start + idx, k + 1)
        cols = np.hstack([(start + idx)[:, None], top]).ravel()
        vals = np.hstack([self_w[:, None], tv]).ravel()
        parts.append(sparse.csr_matrix((vals, (rows, cols)), shape=(n, n)))
    p = sum(parts[1:], parts[0]).tocsr()
    p.eliminate_zeros()
    norms = np.sqrt(np.asarray(p.multiply(p).sum(axis=1))).ravel()
    return sparse.diags(1.0 / np.maximum(norms, 1e-12)) @ p, background


def _doc_space(docs: Sequence[Doc]) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Combined rows [sqrt(1-w) * TF-IDF, sqrt(w) * neighbor profile]: their dot product is the mix
    (1-w) * cosine + w * second-order cosine, and centroid sums stay exact. Plus per-doc background."""
    x = _vectors([doc_terms(d) for d in docs])
    if SECOND_ORDER_WEIGHT <= 0 or len(docs) < 2:
        return x, np.zeros(len(docs))
    p, background = _neighbor_profiles(x)
    w = SECOND_ORDER_WEIGHT
    # Headlines share too few words for neighbor profiles to help (measured on UCI): short docs
    # keep plain TF-IDF rows (unit norm), full-text docs get the mix.
    short = np.array([_is_short(d) for d in docs])
    a = np.where(short, 1.0, math.sqrt(1 - w))
    b = np.where(short, 0.0, math.sqrt(w))
    return sparse.hstack([sparse.diags(a) @ x, sparse.diags(b) @ p]).tocsr(), background


def assign_stories(
    new: Sequence[Doc], recent: Sequence[Doc], *, window_hours: float = 72.0
) -> list[StoryAssignment]:
    """Assign this run's docs to stories of `recent` (already assigned) or to new stories.

    Docs are taken in `seen_order`; each joins the most similar story whose last member was seen
    within `window_hours` when the cosine to its centroid reaches JOIN_THRESHOLD, else founds a new
    story whose id is its own article_id. Order-independent and deterministic; earlier stories are
    never renumbered. A doc of `new` already present in `recent` keeps its story.
    """
    recent_docs = sorted((d for d in recent if d.story_id is not None), key=seen_order)
    known = {d.article_id: d for d in recent_docs}
    out: list[StoryAssignment] = []
    todo = []
    for d in sorted({d.article_id: d for d in new}.values(), key=seen_order):
        if d.article_id in known:
            sid = known[d.article_id].story_id
            out.append(StoryAssignment(d.article_id, sid, 1.0, is_new_story=d.article_id == sid))
        else:
            todo.append(d)
    assigned = list(recent_docs)
    for start in range(0, len(todo), CHUNK):
        chunk = todo[start : start + CHUNK]
        got = _assign_chunk(chunk, assigned, window_hours)
        out.extend(got)
        sid = {a.article_id: a.story_id for a in got}
        for d in chunk:
            assigned.append(_with_story(d, sid[d.article_id]))
    order = {d.article_id: i for i, d in enumerate(sorted(new, key=seen_order))}
    out.sort(key=lambda a: order.get(a.article_id, -1))
    return out


def _with_story(doc: Doc, story_id: int) -> Doc:
    return Doc(**{**doc.__dict__, "story_id": story_id})


def _assign_chunk(chunk: list[Doc], recent: list[Doc], window_hours: float) -> list[StoryAssignment]:
    window = timedelta(hours=window_hours)
    all_docs = recent + chunk
    x, background = _doc_space(all_docs)
    n_old, n_new = len(recent), len(chunk)
    x_old, x_new = x[:n_old], x[n_old:]

    story_ids: list[int] = []
    story_index: dict[int, int] = {}
    last_seen: list = []
    member_rows: list[list[int]] = []
    for i, d in enumerate(recent):
        k = story_index.setdefault(d.story_id, len(story_ids))
        if k == len(story_ids):
            story_ids.append(d.story_id)
            last_seen.append(d.first_seen_at)
            member_rows.append([])
        member_rows[k].append(i)
        last_seen[k] = max(last_seen[k], d.first_seen_at)
    k_old = len(story_ids)
    cap = k_old + n_new
    # sims[i, k] = x_i . (sum of story k's member vectors); norm2[k] = |that sum|^2.
    sims = np.zeros((n_new, cap))
    norm2 = np.zeros(cap)
    if k_old:
        memb = sparse.csr_matrix(
            (np.ones(n_old), ([k for k, rows in enumerate(member_rows) for _ in rows],
                              [r for rows in member_rows for r in rows])),
            shape=(k_old, n_old),
        )
        cent = (memb @ x_old).tocsr()
        sims[:, :k_old] = (x_new @ cent.T).toarray()
        norm2[:k_old] = np.asarray(cent.multiply(cent).sum(axis=1)).ravel()
    pair = (x_new @ x_new.T).toarray()
    last = np.array([t.timestamp() for t in last_seen] + [0.0] * n_new)
    out: list[StoryAssignment] = []
    n_stories = k_old
    thresholds = [
        JOIN_THRESHOLD + BACKGROUND_WEIGHT * background[n_old + i]
        if not _is_short(d) else JOIN_THRESHOLD_SHORT for i, d in enumerate(chunk)
    ]
    for i, d in enumerate(chunk):
        t = d.first_seen_at.timestamp()
        best_k, best = -1, -1.0
        if n_stories:
            scores = sims[i, :n_stories] / np.sqrt(np.maximum(norm2[:n_stories], 1e-12))
            scores[last[:n_stories] < t - window.total_seconds()] = -1.0
            best_k = int(np.argmax(scores))
            best = float(scores[best_k])
        if best >= thresholds[i]:
            k = best_k
            out.append(StoryAssignment(d.article_id, story_ids[k], round(best, 4)))
        else:
            k = n_stories
            n_stories += 1
            story_ids.append(d.article_id)
            out.append(StoryAssignment(d.article_id, d.article_id, 1.0, is_new_story=True))
        norm2[k] += 2.0 * sims[i, k] + pair[i, i]
        sims[:, k] += pair[:, i]
        last[k] = max(last[k], t)
    return out


def cluster_batch(docs: Sequence[Doc], *, window_hours: float = 72.0) -> dict[int, int]:
    """article_id -> story_id for one batch with no history: the code path the pipeline runs."""
    return {a.article_id: a.story_id for a in assign_stories(docs, [], window_hours=window_hours)}


def summarize_story(members: Sequence[Doc], duplicates: set[int]) -> StorySummary:
    """Headline, provenance and coverage of one story from its member docs.

    `duplicates` holds the article_ids of members that are copies: they count as articles but not
    as outlets, and never provide the headline or the first outlet. Member scores are cosines to the
    story centroid (TF-IDF over the members); the headline is the title of the most central
    independent member.
    """
    if not members:
        raise ValueError("a story has at least one member")
    docs = sorted(members, key=seen_order)
    originals = [d for d in docs if d.article_id not in duplicates] or docs
    founder = originals[0]
    ids = Counter(d.story_id for d in docs if d.story_id is not None)
    story_id = ids.most_common(1)[0][0] if ids else founder.article_id
    x = _vectors([doc_terms(d) for d in docs])
    centroid = np.asarray(x.sum(axis=0)).ravel()
    cn = float(np.linalg.norm(centroid)) or 1.0
    scores = (x @ centroid) / cn
    member_scores = {d.article_id: round(float(s), 4) for d, s in zip(docs, scores)}
    titled = [d for d in originals if (d.title or "").strip()]
    headline = ""
    if titled:
        best = max(titled, key=lambda d: (member_scores[d.article_id], -docs.index(d)))
        headline = best.title.strip()
    return StorySummary(
        story_id=story_id,
        headline=headline,
        first_seen_at=docs[0].first_seen_at,
        first_outlet=founder.outlet,
        n_outlets=len({d.outlet for d in originals if d.outlet}),
        n_articles=len(docs),
        member_scores=member_scores,
    )
