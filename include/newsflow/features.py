"""Grouping inputs stored with each article (story features, dedup's text keys): computed where the article is
extracted (parallel tasks), read by the grouping (one task the whole run waits for) instead of computed again.

A stored row is trusted only for the same code and the same title, text and URL.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from newsflow.dedup import pack_shingles, text_keys
from newsflow.models import Doc, StoredFeatures
from newsflow.stories import doc_features, pack_features

_PACKAGE = Path(__file__).resolve().parent
#: The modules whose code decides what is stored. Their bytes version the stored rows: any edit to them makes
#: every stored row stale (recomputed when grouped), so no one has to remember to bump a number.
FEATURE_CODE = ("stories.py", "storygraph.py", "textfeatures.py", "dedup.py")
FEATURES_VERSION = hashlib.sha1(b"".join((_PACKAGE / name).read_bytes() for name in FEATURE_CODE)).hexdigest()[:16]
#: Columns of newsflow.article_features as staged by the extraction (keyed by url_key until upserted).
FEATURE_COLUMNS = ("url_key", "version", "source_sha1", "terms", "weights", "is_short", "text_key", "shingles")


def source_sha1(title: str | None, text: str | None, url: str | None) -> str:
    """Digest of what doc_features reads from a doc."""
    h = hashlib.sha1()
    for part in (title or "", text or "", url or ""):
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()


def feature_row(url_key: str, title: str | None, text: str | None, url: str) -> tuple | None:
    """The stage row of one extracted article's features, or None when they cannot be stored."""
    doc = Doc(article_id=0, url=url, canonical_url=url, outlet="", title=title or "", text=text or "",
              published_at=None, first_seen_at=None)  # type: ignore[arg-type]
    packed = pack_features(*doc_features(doc))
    if packed is None:
        return None
    keys = text_keys(doc.text)
    text_key, shingles = (keys[0], pack_shingles(keys[1])) if keys is not None else (None, None)
    return (url_key, FEATURES_VERSION, source_sha1(doc.title, doc.text, doc.url), *packed, text_key, shingles)


def stored_features(doc: Doc, version: str | None, sha1: str | None, terms: bytes | None, weights: bytes | None,
                    is_short: bool | None, text_key: str | None = None,
                    shingles: bytes | None = None) -> StoredFeatures | None:
    """`doc.features` from an article_features row read with the doc, if that row was made from this doc."""
    if version != FEATURES_VERSION or terms is None or weights is None or is_short is None:
        return None
    if sha1 != source_sha1(doc.title, doc.text, doc.url):
        return None
    if (text_key is None) != (shingles is None):
        return None
    return StoredFeatures(bytes(terms), bytes(weights), bool(is_short), text_key,
                          bytes(shingles) if shingles is not None else None)
