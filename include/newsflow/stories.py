"""Cross-source story clustering: independent reports of one event share one stable story_id, within a time window.
Full text: online centroid clustering over TF-IDF of title, lead, body, entities; headlines: kNN-graph communities."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from scipy import sparse

from newsflow import storygraph
from newsflow.dedup import seen_order
from newsflow.models import Doc, StoryAssignment
from newsflow.textfeatures import content_terms, entities

#: Similarity (doc vs story centroid, combined cosine below) needed to join a story; below it, a
#: new story opens. Chosen on ECB+ DEV train topics (full-text articles).
JOIN_THRESHOLD = 0.08
#: Headline-only docs (body under SHORT_DOC_WORDS words: feed items whose page was not extracted) share
#: few terms with anything, so one centroid threshold cannot both gather a story's ~80 differently worded
#: headlines and keep stories apart (UCI: online centroid tops out at 0.74 B3 F1). They are grouped as
#: communities of their kNN graph instead (newsflow.storygraph; UCI 0.84).
SHORT_DOC_WORDS = 10
#: Weight of URL slug words (newsflow.storygraph.slug_words of Doc.url) relative to headline words for
#: headline-only docs: the slug often restates the headline in other words (UCI: 0 -> 0.78, 1 -> 0.82, 2 -> 0.81
#: before the centroid polish).
SLUG_WEIGHT = 1.0
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
#: Terms in at least this share of the rows (and DENSE_DF_MIN_ROWS rows) are multiplied as dense columns in the
#: neighbor and story candidate searches (`_DotBlocks`): on a full window of generated news (~9,000 docs, ~550
#: such terms) the neighbor search's product costs ~1/3 of the all-sparse one.
DENSE_DF_SHARE = 0.05
DENSE_DF_MIN_ROWS = 64
#: ... in tiles of this many rows of y (1,024 x ~550 float32 columns: ~2 MiB, cache-sized): ~30% faster than
#: one pass over the whole window.
DOT_TILE_ROWS = 1024
#: The neighbor search bounds each row's top cosines from every TOP_SAMPLE_STRIDE-th column first (`_top_columns`).
TOP_SAMPLE_STRIDE = 4
#: New docs are assigned in chunks of this size: the dense chunk x chunk matrices stay O(CHUNK^2).
CHUNK = 2048
#: Cells of one dense similarity block (rows x docs or rows x stories), float32: 2**23 cells = 32 MiB, so the
#: neighbor and candidate searches stay within a fixed memory whatever the size of the window.
BLOCK_CELLS = 1 << 23


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
    """Weighted raw term counts of a doc: words ("w:") and entities ("e:"); for headline-only docs the
    words of the headline and of the URL slug."""
    return _terms(doc.title or "", doc.text or "", doc.url or "")


def _terms(title: str, text: str, url: str = "") -> Counter[str]:
    doc = Doc(0, url, "", "", title, text, None, datetime.min)
    counts: Counter[str] = Counter()
    if _is_short(doc):
        # Headline only: Title-Case headlines capitalize every word, so no entity features.
        for t in content_terms(f"{title}\n{doc.text or ''}"):
            counts["w:" + t] += 1.0
        if SLUG_WEIGHT:
            for t in content_terms(" ".join(storygraph.slug_words(url))):
                counts["w:" + t] += SLUG_WEIGHT
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


def doc_features(doc: Doc) -> tuple[list[str], np.ndarray, bool]:
    """What TermSpace keeps of a doc: its terms, their float32 weights (same order), whether it is headline-only."""
    counts = doc_terms(doc)
    return list(counts), np.fromiter(counts.values(), dtype=np.float32, count=len(counts)), _is_short(doc)


#: Separates the terms of packed features (terms never contain control characters: see textfeatures).
_TERM_SEP = "\x1f"


def pack_features(terms: list[str], weights: np.ndarray, short: bool) -> tuple[bytes, bytes, bool] | None:
    """doc_features as stored in newsflow.article_features: UTF-8 terms, little-endian float32 weights; None
    if a term holds the separator (then nothing is stored and the grouping featurizes the doc itself)."""
    if any(_TERM_SEP in t for t in terms):
        return None
    return _TERM_SEP.join(terms).encode("utf-8"), weights.astype("<f4").tobytes(), short


def unpack_features(packed: Sequence) -> tuple[list[str], np.ndarray, bool]:
    """The first three fields of packed features (StoredFeatures or pack_features' triple) as doc_features."""
    terms_blob, weights_blob, short = packed[:3]
    weights = np.frombuffer(weights_blob, dtype="<f4").astype(np.float32)
    terms = terms_blob.decode("utf-8").split(_TERM_SEP) if weights.size else []
    if len(terms) != weights.size:
        raise ValueError(f"packed features hold {len(terms)} terms and {weights.size} weights")
    return terms, weights, short


def _is_short(doc: Doc) -> bool:
    return len((doc.text or "").split()) < SHORT_DOC_WORDS


class TermSpace:
    """Term counts of many docs over one shared vocabulary, kept compact (int32 ids, float32 counts).

    One grouping featurizes each doc once, here, and the clustering and the story summaries read the
    same rows; a doc costs ~8 bytes per distinct term instead of a Counter of strings (~100 bytes per
    term). Keyed by article_id: one space serves docs of one as-of (one grouping, one benchmark run).
    """

    def __init__(self) -> None:
        self.vocab: dict[str, int] = {}
        self._rows: dict[int, tuple[np.ndarray, np.ndarray, bool]] = {}

    def __contains__(self, article_id: int) -> bool:
        return article_id in self._rows

    def add(self, doc: Doc) -> None:
        """Featurize `doc`, or take the features stored with it (`doc.features`, see newsflow.features)."""
        if doc.article_id in self._rows:
            return
        terms, vals, short = unpack_features(doc.features) if doc.features is not None else doc_features(doc)
        vocab = self.vocab
        ids = np.fromiter((vocab.setdefault(t, len(vocab)) for t in terms), dtype=np.int32, count=len(terms))
        self._rows[doc.article_id] = (ids, vals, short)

    def retain(self, article_ids) -> None:
        """Forget every doc not in `article_ids` (a streaming caller drops what left its window)."""
        self._rows = {aid: row for aid, row in self._rows.items() if aid in article_ids}

    def is_short(self, doc: Doc) -> bool:
        self.add(doc)
        return self._rows[doc.article_id][2]

    def counts(self, docs: Sequence[Doc]) -> sparse.csr_matrix:
        """Raw term counts, one row per doc (featurizing the ones not seen yet), over the whole vocabulary."""
        for d in docs:
            self.add(d)
        rows = [self._rows[d.article_id] for d in docs]
        indptr = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum([len(r[0]) for r in rows], out=indptr[1:])
        indices = np.concatenate([r[0] for r in rows]) if rows else np.zeros(0, dtype=np.int32)
        data = np.concatenate([r[1] for r in rows]) if rows else np.zeros(0, dtype=np.float32)
        return sparse.csr_matrix((data, indices, indptr), shape=(len(rows), max(1, len(self.vocab))))

    def entity_columns(self) -> np.ndarray:
        return np.array([j for t, j in self.vocab.items() if t.startswith("e:")], dtype=np.int64)


def _vectors(space: TermSpace, docs: Sequence[Doc]) -> sparse.csr_matrix:
    """L2-normalized sublinear TF-IDF rows (float32); IDF from the given docs (the clustering window)."""
    m = space.counts(docs)
    n = m.shape[0]
    # Only the columns these docs use: a story's few members must not pay for the whole window's vocabulary.
    used, m.indices = np.unique(m.indices, return_inverse=True)
    m = sparse.csr_matrix((m.data, m.indices.astype(np.int32), m.indptr), shape=(n, max(1, len(used))))
    # Sublinear tf: 1 + log(c) for counts >= 1; fractional weights (n-gram weights < 1) stay as they are.
    d = m.data
    big = d >= 1.0
    d[big] = 1.0 + np.log(d[big])
    df = np.bincount(m.indices, minlength=m.shape[1])
    idf = (np.log((n + 1) / (df + 1)) + 1.0).astype(np.float32)
    if ENTITY_WEIGHT != 1.0:
        # Entity features get their weight after IDF so that the weight is a real ratio.
        idf[np.isin(used, space.entity_columns())] *= ENTITY_WEIGHT
    m.data = d * idf[m.indices]
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1), dtype=np.float64)).ravel()
    norms[norms == 0] = 1.0
    return (sparse.diags((1.0 / norms).astype(np.float32)) @ m).tocsr()


#: A doc's neighbor profile, kept between runs by a caller that streams (article_ids, weights: self first).
Profile = tuple[np.ndarray, np.ndarray]


def _neighbors(x: sparse.csr_matrix, rows: np.ndarray) -> tuple[list[Profile], np.ndarray]:
    """For each doc of `rows`: its K_NEIGHBORS nearest docs of `x` with cosine >= NEIGHBOR_MIN_SIM
    (as row numbers, self first with the weight of the nearest), and its background: the mean cosine
    to the docs ranked BACKGROUND_RANKS. The floor keeps unrelated docs out of sparse windows.
    One pass over the window in row blocks of at most BLOCK_CELLS dense cells: O(len(rows) x window)."""
    n = x.shape[0]
    k = min(K_NEIGHBORS, n - 1)
    lo, hi = BACKGROUND_RANKS
    kb = min(hi, n - 1)
    top_n = max(k, kb)
    product = _DotBlocks(x)
    step = max(1, min(n, BLOCK_CELLS // max(n, 1)))
    out: list[Profile] = []
    background = np.zeros(len(rows))
    for start in range(0, len(rows), step):
        sel = rows[start : start + step]
        block = product.dots(x[sel])
        b = block.shape[0]
        block[np.arange(b), sel] = 0.0
        # The top_n cosines of each row, sorted: neighbors and background ranks alike. Ties at the k-th value
        # are broken by column order; cosines of distinct texts rarely tie exactly.
        cut = _top_columns(block, top_n)
        vals = np.take_along_axis(block, cut, axis=1)
        del block
        if kb > lo:
            background[start : start + b] = vals[:, lo:kb].sum(axis=1) / (hi - lo)
        top, tv = cut[:, :k], vals[:, :k].copy()
        floor = np.maximum(NEIGHBOR_MIN_SIM, NEIGHBOR_REL_SIM * (tv.max(axis=1, keepdims=True) if k > 0 else 0.0))
        tv[tv < floor] = 0.0
        self_w = np.maximum(tv.max(axis=1) if k > 0 else np.zeros(b), 1e-6)
        for r in range(b):
            keep = tv[r] > 0
            out.append((np.concatenate([[sel[r]], top[r][keep]]).astype(np.int64),
                        np.concatenate([[self_w[r]], tv[r][keep]]).astype(np.float32)))
    return out, background


def _top_columns(block: np.ndarray, top_n: int) -> np.ndarray:
    """Columns of the top_n largest values of each row, largest first (ties: lower column first), as a stable
    sort of each row would give them.

    The top_n-th value of every TOP_SAMPLE_STRIDE-th column is a lower bound of the row's own top_n-th value (a
    subset's top_n can only be lower); only the cells reaching it (a few hundred per row) are then sorted. The
    partition runs over 1/TOP_SAMPLE_STRIDE of the block instead of all of it. Rows where too many cells reach
    the bound (ties, e.g. a doc with fewer non-zero cosines than top_n) take `_top_columns_exact`."""
    b, n = block.shape
    m = -(-n // TOP_SAMPLE_STRIDE)
    if top_n <= 0 or m < top_n:
        return _top_columns_exact(block, top_n)
    sample = block[:, ::TOP_SAMPLE_STRIDE]
    bound = np.partition(sample, m - top_n, axis=1)[:, m - top_n]
    rows, cols = np.nonzero(block >= bound[:, np.newaxis])
    counts = np.bincount(rows, minlength=b)
    cap = TOP_SAMPLE_STRIDE * top_n * 4
    wide = counts > cap
    if wide.any():
        keep = ~wide[rows]
        rows, cols = rows[keep], cols[keep]
        counts[wide] = 0
    width = max(int(counts.max()), top_n)
    starts = np.cumsum(counts) - counts
    slot = np.arange(len(rows)) - starts[rows]
    vals = np.full((b, width), -np.inf, dtype=np.float64)
    where = np.zeros((b, width), dtype=np.int64)
    vals[rows, slot] = block[rows, cols]
    where[rows, slot] = cols
    # Columns are ascending within a row (np.nonzero order): a stable sort keeps the lower column first.
    order = np.argsort(-vals, axis=1, kind="stable")[:, :top_n]
    out = np.take_along_axis(where, order, axis=1)
    if wide.any():
        out[wide] = _top_columns_exact(block[wide], top_n)
    return out


def _top_columns_exact(block: np.ndarray, top_n: int) -> np.ndarray:
    """_top_columns by a partition of whole rows: each row's top_n-th value, the cells reaching it (rows with
    ties there are sorted whole), then those top_n sorted."""
    b, n = block.shape
    if top_n <= 0:
        return np.zeros((b, 0), dtype=np.int64)
    kth = np.partition(block, n - top_n, axis=1)[:, n - top_n]
    rows, cols = np.nonzero(block >= kth[:, np.newaxis])
    counts = np.bincount(rows, minlength=b)
    starts = np.cumsum(counts) - counts
    exact = counts == top_n
    out = np.empty((b, top_n), dtype=np.int64)
    out[exact] = cols[starts[exact][:, np.newaxis] + np.arange(top_n)]
    tied = np.nonzero(~exact)[0]
    if len(tied):
        out[tied] = np.sort(np.argsort(-block[tied], axis=1, kind="stable")[:, :top_n], axis=1)
    # Columns ascending so far; a stable sort by value keeps the lower column first among equals.
    order = np.argsort(-np.take_along_axis(block, out, axis=1), axis=1, kind="stable")
    return np.take_along_axis(out, order, axis=1)


class _DotBlocks:
    """Dense blocks of left @ y.T for a sparse row matrix y (the window's docs, or story centroids), split by
    term frequency.

    A sparse x sparse product costs, per shared term, (its rows on the left) x (its rows in y): the few terms
    in many rows of y (DENSE_DF_SHARE of them or more) make most of that work and most of what grows with the
    window. Those columns of y are kept dense, in tiles of DOT_TILE_ROWS rows of y, and each left row adds its
    weight times a tile row per term (sparse x dense: no per-pair bookkeeping, and a tile stays in cache);
    the rest stay sparse x sparse, where they are cheap. Same dot products, summed in another order."""

    def __init__(self, y: sparse.csr_matrix) -> None:
        df = np.bincount(y.indices, minlength=y.shape[1])
        dense = df >= max(DENSE_DF_MIN_ROWS, DENSE_DF_SHARE * y.shape[0])
        self.cols = np.nonzero(dense)[0]
        self.rest = np.nonzero(~dense)[0]
        self.tiles: list[tuple[int, np.ndarray]] = []
        if len(self.cols):
            dense_t = y[:, self.cols].toarray().T
            self.tiles = [(a, np.ascontiguousarray(dense_t[:, a : a + DOT_TILE_ROWS]))
                          for a in range(0, y.shape[0], DOT_TILE_ROWS)]
        self.sparse_t = (y[:, self.rest] if len(self.cols) else y).T.tocsc()

    def dots(self, left: sparse.csr_matrix) -> np.ndarray:
        """left @ y.T as a dense array (left: rows over the same columns as y)."""
        if not self.tiles:
            return (left @ self.sparse_t).toarray()
        block = (left[:, self.rest] @ self.sparse_t).toarray()
        left_dense = left[:, self.cols].tocsr()
        for a, tile in self.tiles:
            block[:, a : a + tile.shape[1]] += left_dense @ tile
        return block


def _profile_matrix(profiles: list[Profile], n: int) -> sparse.csr_matrix:
    """Row i: profile i as a L2-normed vector over the n docs."""
    lengths = [len(p[0]) for p in profiles]
    indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    cols = np.concatenate([p[0] for p in profiles]) if profiles else np.zeros(0, dtype=np.int64)
    vals = np.concatenate([p[1] for p in profiles]) if profiles else np.zeros(0, dtype=np.float32)
    m = sparse.csr_matrix((vals, cols, indptr), shape=(len(profiles), n))
    m.sum_duplicates()
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1), dtype=np.float64)).ravel()
    return (sparse.diags((1.0 / np.maximum(norms, 1e-12)).astype(np.float32)) @ m).tocsr()


def _doc_space(space: TermSpace, docs: Sequence[Doc], known: dict[int, Profile] | None = None,
               ) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Combined rows [sqrt(1-w) * TF-IDF, sqrt(w) * neighbor profile]: their dot product is the mix
    (1-w) * cosine + w * second-order cosine, and centroid sums stay exact. Plus per-doc background.

    `known`: article_id -> profile (neighbor article_ids, weights) of docs that were profiled in an earlier
    run; those keep it (neighbors that left the window dropped) instead of a new search over the window,
    so a run costs O(new x window) rather than O(window^2). New profiles are added to it. Docs profiled
    here get a background; docs with a known profile get 0 (only new docs need one)."""
    x = _vectors(space, docs)
    n = len(docs)
    if SECOND_ORDER_WEIGHT <= 0 or n < 2:
        return x, np.zeros(n)
    row_of = {d.article_id: i for i, d in enumerate(docs)}
    known = known if known is not None else {}
    todo = np.array([i for i, d in enumerate(docs) if d.article_id not in known], dtype=np.int64)
    found, bg = _neighbors(x, todo)
    background = np.zeros(n)
    background[todo] = bg
    profiles: list[Profile | None] = [None] * n
    ids = np.array([d.article_id for d in docs], dtype=np.int64)
    for i, prof in zip(todo, found):
        profiles[i] = prof
        known[int(ids[i])] = (ids[prof[0]], prof[1])
    for i, d in enumerate(docs):
        if profiles[i] is None:
            aids, weights = known[d.article_id]
            rows = [row_of.get(int(a), -1) for a in aids]
            keep = [j for j, r in enumerate(rows) if r >= 0]
            profiles[i] = (np.array([rows[j] for j in keep], dtype=np.int64), weights[keep])
    p = _profile_matrix(profiles, n)
    w = SECOND_ORDER_WEIGHT
    # Headlines share too few words for neighbor profiles to help (measured on UCI): short docs
    # keep plain TF-IDF rows (unit norm), full-text docs get the mix.
    short = np.array([space.is_short(d) for d in docs])
    a = np.where(short, 1.0, math.sqrt(1 - w)).astype(np.float32)
    b = np.where(short, 0.0, math.sqrt(w)).astype(np.float32)
    return sparse.hstack([sparse.diags(a) @ x, sparse.diags(b) @ p]).tocsr(), background


def assign_stories(
    new: Sequence[Doc], recent: Sequence[Doc], *, window_hours: float = 72.0, space: TermSpace | None = None,
    profiles: dict[int, Profile] | None = None,
) -> list[StoryAssignment]:
    """Assign this run's docs to stories of `recent` (already assigned) or to new stories.

    Docs are taken in `seen_order`; each joins the most similar story whose last member was seen
    within `window_hours` when the cosine to its centroid reaches its join threshold, else founds a new
    story whose id is its own article_id. Order-independent and deterministic; earlier stories are
    never renumbered. A doc of `new` already present in `recent` keeps its story.

    The vector space (IDF, neighbor profiles, backgrounds) is built once over `recent` and all of `new`;
    docs are then assigned in chunks of CHUNK, so memory is O(window x terms + CHUNK^2 + BLOCK_CELLS) and
    the work O(window^2) for the neighbor search, linear in everything else. Pass `space` to share the
    featurized docs with `summarize_story`, and `profiles` (a dict kept between runs by a streaming caller)
    to reuse the neighbor profiles of docs grouped before: the search is then O(new x window).
    Recent stories whose last member is older than the window for every new doc cannot be joined and are
    left out of the space.
    """
    space = space if space is not None else TermSpace()
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
    if todo:
        horizon = min(d.first_seen_at for d in todo) - timedelta(hours=window_hours)
        last: dict[int, datetime] = {}
        for d in recent_docs:
            last[d.story_id] = max(last.get(d.story_id, d.first_seen_at), d.first_seen_at)
        joinable = [d for d in recent_docs if last[d.story_id] >= horizon]
        out.extend(_assign(space, joinable, todo, window_hours, profiles))
    order = {d.article_id: i for i, d in enumerate(sorted(new, key=seen_order))}
    out.sort(key=lambda a: order.get(a.article_id, -1))
    return out


class _Stories:
    """Stories known so far in one assignment: ids, members (row numbers of the doc space), last seen time."""

    def __init__(self) -> None:
        self.ids: list[int] = []
        self.index: dict[int, int] = {}
        self.members: list[list[int]] = []
        self.last: list[float] = []

    def open(self, story_id: int, seen: float) -> int:
        """The index of story `story_id`, created without members when new."""
        k = self.index.setdefault(story_id, len(self.ids))
        if k == len(self.ids):
            self.ids.append(story_id)
            self.members.append([])
            self.last.append(seen)
        return k

    def add(self, story_id: int, row: int, seen: float) -> int:
        k = self.open(story_id, seen)
        self.members[k].append(row)
        self.last[k] = max(self.last[k], seen)
        return k

    def centroids(self, z: sparse.csr_matrix) -> sparse.csr_matrix:
        """Row k: the sum of story k's member rows of `z`."""
        counts = [len(m) for m in self.members]
        memb = sparse.csr_matrix(
            (np.ones(sum(counts), dtype=np.float32), np.concatenate(self.members).astype(np.int64),
             np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)),
            shape=(len(self.ids), z.shape[0]),
        )
        return (memb @ z).tocsr()


def _assign(space: TermSpace, recent: list[Doc], todo: list[Doc], window_hours: float,
            profiles: dict[int, Profile] | None) -> list[StoryAssignment]:
    """Full-text docs of `todo` by online centroid assignment, then its headline-only docs by graph communities
    (the full-text docs of this run already placed and pinned, like `recent`)."""
    full = [d for d in todo if not space.is_short(d)]
    short = [d for d in todo if space.is_short(d)]
    docs = recent + full + short
    z, background = _doc_space(space, docs, profiles)
    n_old = len(recent)
    stories = _Stories()
    for i, d in enumerate(recent):
        stories.add(d.story_id, i, d.first_seen_at.timestamp())
    thresholds = JOIN_THRESHOLD + BACKGROUND_WEIGHT * background[n_old : n_old + len(full)]
    out: list[StoryAssignment] = []
    for start in range(0, len(full), CHUNK):
        stop = min(start + CHUNK, len(full))
        got = _assign_chunk(z, n_old + start, n_old + stop, full[start:stop], thresholds[start:stop], stories,
                            window_hours * 3600.0)
        out.extend(got)
    if short:
        placed = recent + full
        sids = [d.story_id for d in recent] + [a.story_id for a in out]
        out.extend(_assign_short(space, z, placed, sids, short, window_hours * 3600.0))
    return out


def _assign_short(space: TermSpace, z: sparse.csr_matrix, placed: list[Doc], sids: list[int], short: list[Doc],
                  window_s: float) -> list[StoryAssignment]:
    """Headline-only docs (the last rows of `z`, in seen order) by newsflow.storygraph communities over all
    rows; `placed` docs (the first rows) are pinned to their stories `sids`, which never move or merge.

    A community with an old story hands it to its new docs in seen order, as long as the story's last member
    is within the window of the doc; a community without one (or past the window) opens a story named after
    its earliest doc. The score is the cosine to the story centroid without the doc itself."""
    n_pin = len(placed)
    docs = placed + short
    n = len(docs)
    _, group = np.unique(np.array(sids, dtype=np.int64), return_inverse=True)
    pinned = np.concatenate([group, -np.ones(len(short), dtype=np.int64)]).astype(np.int64)
    is_short = np.array([space.is_short(d) for d in docs])
    labels = storygraph.communities(z, is_short, pinned, BLOCK_CELLS)
    times = np.array([d.first_seen_at.timestamp() for d in docs])
    current: dict[int, list] = {}  # community -> [story id, last seen]
    for i in range(n_pin):
        c = int(labels[i])
        if c in current:
            current[c][1] = max(current[c][1], times[i])
        else:
            current[c] = [sids[i], times[i]]
    story = list(sids)
    founders = set()
    for i in range(n_pin, n):
        c, t = int(labels[i]), times[i]
        if c in current and current[c][1] >= t - window_s:
            current[c][1] = max(current[c][1], t)
        else:
            current[c] = [docs[i].article_id, t]
            founders.add(i)
        story.append(current[c][0])
    # Scores: cosine of each new doc to its story's centroid, itself left out.
    _, sk = np.unique(np.array(story, dtype=np.int64), return_inverse=True)
    memb = sparse.csr_matrix((np.ones(n, dtype=np.float32), (sk, np.arange(n))), shape=(int(sk.max()) + 1, n))
    cent = (memb @ z).tocsr()
    rows = np.arange(n_pin, n)
    zr, cr = z[rows], cent[sk[rows]]
    dot = np.asarray(zr.multiply(cr).sum(axis=1), dtype=np.float64).ravel()
    self2 = np.asarray(zr.multiply(zr).sum(axis=1), dtype=np.float64).ravel()
    c2 = np.asarray(cr.multiply(cr).sum(axis=1), dtype=np.float64).ravel()
    score = (dot - self2) / np.sqrt(np.maximum(c2 - 2 * dot + self2, 1e-12))
    out = []
    for j, i in enumerate(rows):
        if i in founders:
            out.append(StoryAssignment(docs[i].article_id, story[i], 1.0, is_new_story=True))
        else:
            out.append(StoryAssignment(docs[i].article_id, story[i], round(float(min(max(score[j], 0.0), 1.0)), 4)))
    return out


def _candidates(zc: sparse.csr_matrix, cent: sparse.csr_matrix, norm: np.ndarray, last: np.ndarray,
                times: np.ndarray, thresholds: np.ndarray, window_s: float) -> list[dict[int, float]]:
    """Per chunk doc: {story: dot product with its centroid} for the stories already known whose cosine
    reaches the doc's threshold and whose last member is inside the window. Stories below the threshold
    can only come back by gaining members in this chunk, and those are rescored exactly."""
    k_old = cent.shape[0]
    out: list[dict[int, float]] = [{} for _ in range(zc.shape[0])]
    if not k_old:
        return out
    product = _DotBlocks(cent)
    step = max(1, min(zc.shape[0], BLOCK_CELLS // k_old))
    for start in range(0, zc.shape[0], step):
        dots = product.dots(zc[start : start + step])
        scores = dots / norm[np.newaxis, :]
        t = times[start : start + step, np.newaxis]
        ok = (scores >= thresholds[start : start + step, np.newaxis]) & (last[np.newaxis, :] >= t - window_s)
        for r, k in zip(*np.nonzero(ok)):
            out[start + r][int(k)] = float(dots[r, k])
    return out


def _assign_chunk(z: sparse.csr_matrix, lo: int, hi: int, chunk: list[Doc], thresholds: np.ndarray,
                  stories: _Stories, window_s: float) -> list[StoryAssignment]:
    """Online centroid assignment of rows lo..hi of `z` (the docs of `chunk`, in seen order).

    Stories known before the chunk are scored from a sparse candidate list (exact dot products, fixed
    while the story gains nothing); a story that gains a member in the chunk gets a dense column of
    exact dot products with every chunk doc, updated as members join."""
    zc = z[lo:hi]
    n = hi - lo
    k_old = len(stories.ids)
    times = np.array([d.first_seen_at.timestamp() for d in chunk])
    if k_old:
        cent = stories.centroids(z)
        norm2_old = np.asarray(cent.multiply(cent).sum(axis=1), dtype=np.float64).ravel()
    else:
        cent, norm2_old = sparse.csr_matrix((0, z.shape[1]), dtype=np.float32), np.zeros(0)
    cands = _candidates(zc, cent, np.sqrt(np.maximum(norm2_old, 1e-12)), np.array(stories.last), times,
                        thresholds, window_s)
    pair = (zc @ zc.T).toarray().astype(np.float64)
    # Slots: stories that gained a member in this chunk. col[:, s] = chunk docs . (sum of slot s's members).
    col = np.zeros((n, n))
    slot_story = np.zeros(n, dtype=np.int64)
    slot_norm2 = np.zeros(n)
    slot_last = np.zeros(n)
    slot_of: dict[int, int] = {}
    n_slots = 0
    out: list[StoryAssignment] = []
    for i, d in enumerate(chunk):
        t = times[i]
        best_k, best = -1, -1.0
        for k, dot in cands[i].items():
            if k not in slot_of:
                s = dot / math.sqrt(max(norm2_old[k], 1e-12))
                if s > best or (s == best and k < best_k):
                    best_k, best = k, s
        if n_slots:
            sc = col[i, :n_slots] / np.sqrt(np.maximum(slot_norm2[:n_slots], 1e-12))
            sc[slot_last[:n_slots] < t - window_s] = -1.0
            s_best = int(np.argmax(sc))
            k = int(slot_story[s_best])
            if sc[s_best] > best or (sc[s_best] == best and k < best_k):
                best_k, best = k, float(sc[s_best])
        if best_k >= 0 and best >= thresholds[i]:
            k = best_k
            out.append(StoryAssignment(d.article_id, stories.ids[k], round(best, 4)))
        else:
            k = stories.open(d.article_id, t)
            out.append(StoryAssignment(d.article_id, d.article_id, 1.0, is_new_story=True))
        s = slot_of.get(k)
        if s is None:
            s = slot_of[k] = n_slots
            n_slots += 1
            slot_story[s] = k
            slot_last[s] = stories.last[k] if k < k_old else t
            if k < k_old:
                # Sparse rows times one dense centroid: a fraction of a sparse x sparse product's cost.
                col[:, s] = zc @ cent[k].toarray().ravel()
                slot_norm2[s] = norm2_old[k]
        slot_norm2[s] += 2.0 * col[i, s] + pair[i, i]
        col[:, s] += pair[:, i]
        slot_last[s] = max(slot_last[s], t)
        stories.add(stories.ids[k], lo + i, t)
    return out


def cluster_batch(docs: Sequence[Doc], *, window_hours: float = 72.0) -> dict[int, int]:
    """article_id -> story_id for one batch with no history: the code path the pipeline runs."""
    return {a.article_id: a.story_id for a in assign_stories(docs, [], window_hours=window_hours)}


def summarize_story(members: Sequence[Doc], duplicates: set[int], *, space: TermSpace | None = None) -> StorySummary:
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
    x = _vectors(space if space is not None else TermSpace(), docs)
    centroid = np.asarray(x.sum(axis=0), dtype=np.float64).ravel()
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
