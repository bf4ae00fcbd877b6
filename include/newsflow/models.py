"""Plain dataclasses passed between the pipeline stages.

Each stage is a pure function over these; I/O (HTTP, PostgreSQL) stays at the edges.
"""

from __future__ import annotations

from typing import NamedTuple
from dataclasses import dataclass, field
from datetime import datetime

# --- fetch ----------------------------------------------------------------------------------

#: The fixed vocabulary of fetch / feed statuses. Every fetch and every feed carries one.
FETCH_STATUSES = (
    "ok",  # 2xx with a usable body
    "not_modified",  # 304, or 200 whose body hash equals the last one
    "http_error",  # 4xx/5xx other than the classes below
    "gone",  # 410: the publisher removed the feed
    "timeout",  # total deadline (connect + headers + body) exceeded
    "connection_error",  # refused, reset, DNS failure, TLS failure
    "too_large",  # decoded body exceeded the cap
    "not_a_feed",  # HTML or something else where a feed was expected
    "malformed",  # a feed that could not be parsed into any entry
    "blocked",  # 403 / anti-bot challenge
    "rate_limited",  # 429 / 503 with Retry-After
    "redirect_loop",  # a redirect cycle or more hops than allowed
    "forbidden_address",  # private-network guard refused the address
    "unsupported_content",  # article page that is not HTML (PDF, image...)
    "robots_disallowed",  # robots.txt forbids the article URL
    "deferred",  # not attempted: backoff or Retry-After still in force
    "invalid_url",  # not an http(s) URL
)


@dataclass(frozen=True)
class Politeness:
    """How gently we treat one host."""

    min_delay_s: float = 1.0
    max_concurrency_per_host: int = 2


@dataclass(frozen=True)
class FeedSpec:
    """One feed as declared in the feeds file."""

    url: str
    outlet: str
    language: str | None = None
    tags: tuple[str, ...] = ()
    politeness: Politeness | None = None  # None: use the file's global block
    tier: str = "daily"  # "daily" or "fast" (polled by the lighter DAG)
    line: int = 0  # line in the feeds file, for error messages


@dataclass
class Validators:
    """What we remember about a URL to make the next fetch conditional."""

    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None


@dataclass
class FetchResult:
    """The outcome of one HTTP fetch, success or not. Never raised: always returned."""

    url: str  # what we asked for
    status: str  # one of FETCH_STATUSES
    final_url: str | None = None  # after redirects
    http_status: int | None = None
    body: bytes | None = None  # decoded (decompressed) body, capped
    content_type: str | None = None
    charset: str | None = None  # from Content-Type, if any
    etag: str | None = None
    last_modified: str | None = None
    bytes_read: int = 0  # decoded bytes read
    duration_s: float = 0.0
    error: str | None = None  # human-readable, says what to do next
    redirects: list[tuple[int, str]] = field(default_factory=list)  # (code, location) per hop
    retry_after: datetime | None = None  # when the server asked us to come back
    permanent_redirect: str | None = None  # target of a 301/308 chain, if any
    headers: dict[str, str] = field(default_factory=dict)


# --- parse ----------------------------------------------------------------------------------


@dataclass
class FeedEntry:
    """One item of a feed, normalized."""

    entry_key: str  # stable identity within the feed (GUID, or link, or content hash)
    link: str | None
    guid: str | None = None
    title: str | None = None
    summary: str | None = None
    published_at: datetime | None = None  # timezone-aware UTC
    updated_at: datetime | None = None
    authors: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


@dataclass
class ParsedFeed:
    """A parsed feed document."""

    status: str  # "ok", "not_a_feed" or "malformed"
    title: str | None = None
    site_url: str | None = None
    entries: list[FeedEntry] = field(default_factory=list)
    identity: str = "guid"  # which identity the entry keys use: "guid", "link" or "hash"
    warnings: list[str] = field(default_factory=list)  # e.g. feedparser bozo messages
    error: str | None = None


# --- extract --------------------------------------------------------------------------------
#: Bounds on what one article may hold: a hostile page cannot blow the full-text index (tsvector < 1 MB), the
#: row or the clustering. Longer values are cut (titles with an ellipsis); real articles are far below these.
MAX_TITLE_CHARS = 1_000
MAX_TEXT_CHARS = 200_000
MAX_FIELD_CHARS = 2_000


#: Quality statuses of an extracted article.
EXTRACTION_STATUSES = ("ok", "empty", "too_short", "paywalled", "not_article", "failed")


@dataclass
class EntryHints:
    """What the feed said about an article; used as fallback metadata."""

    title: str | None = None
    published_at: datetime | None = None
    authors: list[str] = field(default_factory=list)
    language: str | None = None
    summary: str | None = None


@dataclass
class ExtractedArticle:
    """A cleaned article, as produced from one HTML page."""

    status: str  # one of EXTRACTION_STATUSES
    title: str | None = None
    text: str = ""  # paragraphs separated by "\n", subheadings kept as their own lines
    authors: list[str] = field(default_factory=list)
    published_at: datetime | None = None  # timezone-aware
    updated_at: datetime | None = None
    canonical_url: str | None = None
    site_name: str | None = None
    language: str | None = None  # ISO 639-1
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    image_url: str | None = None
    description: str | None = None
    word_count: int = 0
    method: str = ""  # which extractor produced the text, e.g. "trafilatura", "readability"
    error: str | None = None


# --- dedup / stories ------------------------------------------------------------------------


class StoredFeatures(NamedTuple):
    """An article's grouping inputs as stored in newsflow.article_features: story terms and their weights (packed
    by newsflow.stories.pack_features), whether it is headline-only, and dedup's normalized-text key and word
    shingle hashes (little-endian uint32), both None for a text too short to be a copy by its text."""

    terms: bytes
    weights: bytes
    is_short: bool
    text_key: str | None
    shingles: bytes | None


@dataclass
class Doc:
    """An article as the dedup and story stages see it."""

    article_id: int
    url: str
    canonical_url: str
    outlet: str
    title: str
    text: str
    published_at: datetime | None
    first_seen_at: datetime
    language: str | None = None
    story_id: int | None = None  # set for articles already assigned in earlier runs
    duplicate_of: int | None = None
    signature: bytes | None = None  # near-duplicate signature stored with the article
    # What extraction stored for the grouping (newsflow.features), set only when it was computed from this very
    # title, text and URL by this code: the grouping then reads it instead of featurizing and shingling again.
    features: StoredFeatures | None = None


@dataclass
class DuplicateLink:
    """`article_id` is a copy of `duplicate_of` (the earliest-seen original)."""

    article_id: int
    duplicate_of: int
    kind: str  # "url", "text" or "near"
    score: float  # similarity in [0, 1]


@dataclass
class StoryAssignment:
    """`article_id` belongs to story `story_id`; a new story's id is its founding article's id."""

    article_id: int
    story_id: int
    score: float  # similarity to the story at assignment time; 1.0 for a founding article
    is_new_story: bool = False
