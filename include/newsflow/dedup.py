"""Duplicate detection: same canonical URL, same normalized text, or near-identical text (wire copies).
Each duplicate points at the earliest-seen original; MinHash LSH finds candidates, exact shingle overlap decides."""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Sequence
from datetime import datetime, timezone

import numpy as np

from newsflow.models import Doc, DuplicateLink
from newsflow.textfeatures import normalize_text
from newsflow.urlnorm import canonicalize_url

#: Word n-gram length of the shingles. 4 words: one edited word breaks only 4 shingles, while
#: independent reports of one event rarely share 4-word runs outside quotes.
SHINGLE_WORDS = 4
#: MinHash permutations; 128 x 4 bytes = 512-byte signature, Jaccard estimate error ~0.04.
NUM_PERM = 128
#: Fixed seed: signatures stored by one process must compare with those computed by another.
MINHASH_SEED = 1
#: LSH banding: LSH_BANDS bands of LSH_ROWS hash values each. A pair becomes a candidate when one
#: band matches; with 42 x 3 the 50%-chance point is Jaccard (1/42)^(1/3) ~ 0.29, so copies trimmed
#: to half of the original (Jaccard ~0.5) are candidates with probability > 0.99.
LSH_BANDS = 42
LSH_ROWS = 3
#: A candidate is a near-duplicate when this share of the *shorter* text's shingles appear in the
#: other (containment): robust to trimmed paragraphs and added bylines.
NEAR_CONTAINMENT = 0.7
#: ... and the shorter text must be at least this share of the longer one, so that a brief quoted
#: in full inside a long feature is not called a copy of it.
MIN_LENGTH_RATIO = 0.25
#: A candidate whose MinHash Jaccard estimate is below this is not checked exactly. Containment >= 0.7 with a
#: length ratio >= 0.25 implies Jaccard >= 0.7 / (1 + 4 - 0.7) ~ 0.16; the estimate's error with 128
#: permutations is ~0.035 (one sigma), so 0.08 keeps every true copy with a margin of two sigmas.
MIN_JACCARD_ESTIMATE = 0.08
#: ... and, pair by pair, not more than ESTIMATE_SIGMAS standard deviations below the least Jaccard a copy of
#: those two lengths can have (`_min_estimate`): ~99% of the LSH candidates of templated copy are dropped there.
ESTIMATE_SIGMAS = 4.0
#: Candidate pairs enumerated at once (codes, 8 bytes each) and estimated at once (NUM_PERM bytes each).
MAX_PAIRS = 1 << 21
ESTIMATE_PAIRS = 1 << 15
#: Texts with fewer words than this are not compared by content (headline-only items, stubs):
#: two different 8-word briefs can be identical without being one article.
MIN_WORDS = 25

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MASK32 = np.uint64(0xFFFFFFFF)
_SHIFT = np.uint64(32)
# Multiply-shift hashing h -> ((a*h + b) mod 2**64) >> 32, a universal family that needs no
# modulo (uint64 wrap-around is the mod); a odd. Fixed by the seed, identical in every process.
_rng = np.random.RandomState(MINHASH_SEED)
_PERM_A = _rng.randint(0, 1 << 62, size=NUM_PERM, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
_PERM_B = _rng.randint(0, 1 << 62, size=NUM_PERM, dtype=np.uint64)
del _rng
_GRAM_MULT = np.uint64(0x9E3779B1)  # odd multiplier to combine word hashes into a shingle hash


def _shingle_hashes(norm: str) -> np.ndarray:
    """Distinct 32-bit hashes of the word 4-shingles, from crc32 word hashes (stable everywhere)."""
    toks = norm.split()
    if not toks:
        return np.zeros(0, dtype=np.uint64)
    cache: dict[str, int] = {}
    w = np.fromiter((cache.get(t) or cache.setdefault(t, zlib.crc32(t.encode())) for t in toks),
                    dtype=np.uint64, count=len(toks))
    k = min(SHINGLE_WORDS, len(toks))
    n = len(toks) - k + 1
    h = w[:n].copy()
    for j in range(1, k):
        h = (h * _GRAM_MULT + w[j : j + n]) & _MASK32
    return np.unique(h)


def _minhash(hashes: np.ndarray) -> np.ndarray:
    out = np.full(NUM_PERM, 0xFFFFFFFF, dtype=np.uint64)
    for start in range(0, len(hashes), 1024):  # bounded temporary (1024 x NUM_PERM)
        h = hashes[start : start + 1024, np.newaxis]
        out = np.minimum(out, ((h * _PERM_A + _PERM_B) >> _SHIFT).min(axis=0))
    return out.astype(np.uint32)


def text_signature(text: str) -> bytes:
    """MinHash of the text's word 4-shingles: NUM_PERM little-endian uint32 (512 bytes)."""
    return _minhash(_shingle_hashes(normalize_text(text))).astype("<u4").tobytes()


def _signature_values(sig: bytes | None) -> np.ndarray | None:
    if not sig or len(sig) != NUM_PERM * 4:
        return None  # absent, or written by another configuration: recompute from text instead
    return np.frombuffer(sig, dtype="<u4").astype(np.uint32)


def normalized_text_hash(text: str) -> str:
    """sha1 hex of the normalized text (case, punctuation and whitespace ignored)."""
    return hashlib.sha1(normalize_text(text).encode()).hexdigest()


def _aware(dt: datetime | None) -> datetime:
    if dt is None:
        return _EPOCH
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def seen_order(doc: Doc) -> tuple:
    """Sort key: earliest seen first, then earliest published (unknown last), then article_id."""
    return (_aware(doc.first_seen_at), doc.published_at is None, _aware(doc.published_at), doc.article_id)


def _url_key(doc: Doc) -> str | None:
    """Canonical URL of a doc, or None when it has no usable http(s) URL (never equal to another)."""
    for raw in (doc.canonical_url, doc.url):
        url = canonicalize_url(raw or "")
        if url.startswith("https://"):
            return url
    return None


#: What dedup derives from one doc: canonical URL key, normalized-text key, shingle hashes, MinHash values.
DocKeys = tuple[str | None, str | None, np.ndarray | None, np.ndarray | None]


def text_keys(text: str) -> tuple[str, np.ndarray] | None:
    """Normalized-text key and word-shingle hashes of a text; None below MIN_WORDS (never a copy by its text)."""
    norm = normalize_text(text)
    if norm.count(" ") + 1 < MIN_WORDS:
        return None
    return hashlib.sha1(norm.encode()).hexdigest(), _shingle_hashes(norm)


def pack_shingles(shingles: np.ndarray) -> bytes:
    """Shingle hashes as stored (little-endian uint32: they are 32-bit hashes)."""
    return shingles.astype("<u4").tobytes()


def doc_keys(doc: Doc) -> DocKeys:
    """What dedup compares of a doc; the text's keys come from `doc.features` when extraction stored them."""
    url = _url_key(doc)
    stored = doc.features
    if stored is not None:
        if stored.text_key is None or stored.shingles is None:
            return url, None, None, None
        text_key, sh = stored.text_key, np.frombuffer(stored.shingles, dtype="<u4").astype(np.uint64)
    else:
        keys = text_keys(doc.text)
        if keys is None:
            return url, None, None, None
        text_key, sh = keys
    mh = _signature_values(doc.signature)
    if mh is None:
        mh = _minhash(sh)
    return url, text_key, sh, mh


def find_duplicates(new: Sequence[Doc], existing: Sequence[Doc], *,
                    keys: dict[int, DocKeys] | None = None) -> list[DuplicateLink]:
    """Links for the docs of `new` that copy an earlier doc (of `existing` or of `new`).

    Checks, in order: same canonical URL ("url"), same normalized text ("text"), then MinHash LSH
    candidates verified by exact shingle containment ("near"). A link points at the root original:
    an existing doc's own `duplicate_of` chain is followed, and among several matches the earliest
    root (existing docs first, then this run in `seen_order`) wins. Deterministic and independent
    of input order. Existing docs are never re-linked; their stored `signature` is reused.
    `keys`: article_id -> doc_keys(doc), kept between calls by a streaming caller so that the docs it
    passes again as `existing` are not normalized and shingled again; filled for every doc seen here.

    The near-copy candidates of the whole run are found and verified at once (`_near_matches`, numpy over
    band keys), so the per-doc loop below only follows links: a full window costs sorting its band keys,
    not a Python dict insert per band per window doc per run.
    """
    keys = keys if keys is not None else {}
    existing_ids = {d.article_id for d in existing}
    old_docs = sorted(existing, key=seen_order)
    new_docs = sorted({d.article_id: d for d in new if d.article_id not in existing_ids}.values(), key=seen_order)
    parent = {d.article_id: d.duplicate_of for d in old_docs if d.duplicate_of is not None}

    def root(aid: int) -> int:
        seen = set()
        while aid in parent and aid not in seen:  # the set guards against a corrupt cycle
            seen.add(aid)
            aid = parent[aid]
        return aid

    docs = old_docs + new_docs
    got = []
    for doc in docs:
        k = keys.get(doc.article_id)
        if k is None:
            k = keys[doc.article_id] = doc_keys(doc)
        got.append(k)
    near = _near_matches(got, len(old_docs)) if new_docs else {}
    rank: dict[int, int] = {}
    by_url: dict[str, int] = {}
    by_text: dict[str, int] = {}
    links: list[DuplicateLink] = []

    for pos, (doc, (url, text_key, _, _)) in enumerate(zip(docs, got)):
        aid = doc.article_id
        rank[aid] = pos
        if pos >= len(old_docs):
            match = _match(url, text_key, [(docs[c].article_id, v) for c, v in near.get(pos, ())],
                           by_url, by_text, root, rank)
            if match is not None and match[0] != aid:
                parent[aid] = match[0]
                links.append(DuplicateLink(aid, match[0], match[1], round(match[2], 4)))
        # Keys keep their earliest holder: existing docs come first, then this run in seen order.
        if url:
            by_url.setdefault(url, aid)
        if text_key:
            by_text.setdefault(text_key, aid)
    return links


def _match(url, text_key, near, by_url, by_text, root, rank):
    """(root original, kind, score) of the first rule that fires, or None. `near`: the verified near-copy
    candidates (article_id, containment) among the earlier docs."""
    if url and url in by_url:
        return root(by_url[url]), "url", 1.0
    if text_key and text_key in by_text:
        return root(by_text[text_key]), "text", 1.0
    best = None
    for cand, contain in near:
        r = root(cand)
        # Roots outside the window (not in rank) are older than anything here.
        key = (rank.get(r, -1), -contain)
        if best is None or key < best[0]:
            best = (key, r, contain)
    return None if best is None else (best[1], "near", best[2])


def _min_estimate(small: np.ndarray, large: np.ndarray) -> np.ndarray:
    """The lowest MinHash Jaccard estimate worth an exact check, per pair of shingle counts (small <= large).

    Containment >= NEAR_CONTAINMENT of the smaller set means an intersection of at least c x small, hence a
    Jaccard of at least j = c x small / (small + large - c x small); the estimate of a true copy falls below j
    by more than ESTIMATE_SIGMAS standard deviations (sqrt(j (1 - j) / NUM_PERM)) with probability ~3e-5.
    Never below MIN_JACCARD_ESTIMATE, the bound for the loosest pair that can still be a copy."""
    c = NEAR_CONTAINMENT * small
    j = c / np.maximum(small + large - c, 1.0)
    return np.maximum(MIN_JACCARD_ESTIMATE, j - ESTIMATE_SIGMAS * np.sqrt(j * (1.0 - j) / NUM_PERM))


def _band_groups(mh: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per LSH band: (rows sorted by band key, position of the first row with the same key), so that the rows
    sharing a bucket are one contiguous run and, within it, in row order (lexsort is stable)."""
    out = []
    n = mh.shape[0]
    for b in range(LSH_BANDS):
        band = mh[:, b * LSH_ROWS : (b + 1) * LSH_ROWS].astype(np.uint64)
        # The band's LSH_ROWS uint32 values, as sort keys: the first two packed in one uint64, then the rest.
        head = (band[:, 0] << _SHIFT) | band[:, 1] if LSH_ROWS > 1 else band[:, 0]
        keys = [band[:, j] for j in range(LSH_ROWS - 1, 1, -1)] + [head]
        order = np.lexsort(keys)
        same = np.ones(max(n - 1, 0), dtype=bool)  # row q has the key of row q - 1 (sorted order)
        for key in keys:
            sk = key[order]
            same &= sk[1:] == sk[:-1]
        first = np.concatenate([[True], ~same])[:n]
        start = np.maximum.accumulate(np.where(first, np.arange(n), 0))
        out.append((order, start))
    return out


def _near_matches(got: list[DocKeys], n_old: int) -> dict[int, list[tuple[int, float]]]:
    """Position (in `got`) of each new doc -> [(position of an earlier doc, containment)] for the earlier docs
    that share an LSH band with it, pass the MinHash prefilter and the length ratio, and contain or are
    contained at NEAR_CONTAINMENT: exactly the near-copy candidates a per-doc bucket index would verify.

    Candidate pairs are enumerated per band from the sorted band keys, for consecutive slices of new docs of at
    most MAX_PAIRS pairs (memory stays bounded however many docs share a bucket)."""
    pos = np.array([p for p, k in enumerate(got) if k[2] is not None], dtype=np.int64)
    if not len(pos) or pos[-1] < n_old:
        return {}
    mh = np.stack([got[p][3] for p in pos])
    size = np.array([len(got[p][2]) for p in pos], dtype=np.float64)
    first_new = int(np.searchsorted(pos, n_old))
    groups = _band_groups(mh)
    # Pairs per row: a new row meets every earlier row of its bucket, in every band.
    per_row = np.zeros(len(pos), dtype=np.int64)
    for order, start in groups:
        per_row += np.bincount(order, weights=np.arange(len(order)) - start, minlength=len(pos)).astype(np.int64)
    per_row[:first_new] = 0
    out: dict[int, list[tuple[int, float]]] = {}
    lo = first_new
    cum = np.cumsum(per_row)
    while lo < len(pos):
        base = cum[lo - 1] if lo else 0
        hi = max(lo + 1, int(np.searchsorted(cum, base + MAX_PAIRS, side="right")))
        hi = min(hi, len(pos))
        _verify(_pairs(groups, lo, hi, len(pos)), pos, mh, size, got, out)
        lo = hi
    return out


def _pairs(groups, lo: int, hi: int, n: int) -> np.ndarray:
    """Distinct (earlier row, row) pairs sharing a band, for rows lo..hi-1, as codes row * n + earlier,
    sorted (so by row, then earlier row)."""
    codes = []
    for order, start in groups:
        q = np.nonzero((order >= lo) & (order < hi))[0]
        count = q - start[q]
        q, count = q[count > 0], count[count > 0]
        if not len(q):
            continue
        total = int(count.sum())
        offsets = np.arange(total) - np.repeat(np.cumsum(count) - count, count)
        partner = order[np.repeat(start[q], count) + offsets]
        codes.append(np.repeat(order[q], count).astype(np.int64) * n + partner)
    if not codes:
        return np.zeros(0, dtype=np.int64)
    # A pair sharing several bands is enumerated once per band: sorted, then each code kept once.
    codes = np.sort(np.concatenate(codes))
    keep = np.ones(len(codes), dtype=bool)
    keep[1:] = codes[1:] != codes[:-1]
    return codes[keep]


def _verify(codes: np.ndarray, pos: np.ndarray, mh: np.ndarray, size: np.ndarray, got: list[DocKeys],
            out: dict[int, list[tuple[int, float]]]) -> None:
    """Keep the pairs of `codes` that pass the cheap filters, then the exact containment check."""
    n = len(pos)
    for s in range(0, len(codes), ESTIMATE_PAIRS):
        c = codes[s : s + ESTIMATE_PAIRS]
        row, other = c // n, c % n
        small, large = np.minimum(size[row], size[other]), np.maximum(size[row], size[other])
        ok = small >= MIN_LENGTH_RATIO * large
        row, other, small, large = row[ok], other[ok], small[ok], large[ok]
        # Templated copy (same-kind events told with one house style) makes many LSH candidates; the MinHash
        # estimate of Jaccard drops the clearly dissimilar before the exact (costlier) containment check.
        est = np.count_nonzero(mh[row] == mh[other], axis=1) / mh.shape[1]
        ok = est >= _min_estimate(small, large)
        for r, o in zip(row[ok].tolist(), other[ok].tolist()):
            a, b = got[pos[r]][2], got[pos[o]][2]
            small_set, large_set = (a, b) if len(a) <= len(b) else (b, a)
            contain = np.intersect1d(small_set, large_set, assume_unique=True).size / len(small_set)
            if contain >= NEAR_CONTAINMENT:
                out.setdefault(int(pos[r]), []).append((int(pos[o]), contain))
