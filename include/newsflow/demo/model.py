"""The demo newsroom data model: outlets, articles (with editions) and the ground truth.

Shared by the hand-written demo and the generator; URLs are stored as paths and made absolute per base URL.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property
from pathlib import Path

#: Feed formats an outlet can publish.
FEED_FORMATS = ("rss", "atom")

#: Feed file extension per format (the path is what the pipeline's feeds file points at).
FEED_EXTENSIONS = {"rss": "xml", "atom": "atom"}

#: The first edition; the hand-written demo also has edition 2 (one story updated in place).
FIRST_EDITION = 1

_TRANSLIT = str.maketrans({"ß": "ss", "ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})


def slugify(text: str, max_words: int = 9) -> str:
    """A URL slug from a headline: ASCII, lower case, at most `max_words` words."""
    text = re.sub(r"(\w)['\u2019](\w)", r"\1\2", text)  # "Ardania's" -> "ardanias", not "ardania-s"
    ascii_text = unicodedata.normalize("NFKD", text.translate(_TRANSLIT)).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    return "-".join(words[:max_words]) or "article"


def default_now() -> datetime:
    """The real current UTC time rounded down to the hour: articles then look like the last 24-48 h."""
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class Outlet:
    """A publication: one feed, one page template, one URL style."""

    slug: str
    name: str
    language: str  # ISO 639-1
    feed_format: str  # "rss" or "atom"
    template: str  # page style key in `render.STYLES`
    url_style: str = "dated"  # "dated", "section" or "numbered"; see `article_path`
    tags: tuple[str, ...] = ("news",)
    is_wire: bool = False
    tagline: str = ""
    sections: tuple[str, ...] = ("News", "World", "Business", "Politics", "Culture", "Sport")

    @property
    def feed_path(self) -> str:
        return f"/feeds/{self.slug}.{FEED_EXTENSIONS[self.feed_format]}"

    @property
    def home_path(self) -> str:
        return f"/{self.slug}/"


@dataclass(frozen=True)
class Revision:
    """What an article looks like from `edition` on (the same URL, re-edited)."""

    edition: int
    title: str
    paragraphs: tuple[str, ...]
    modified: datetime


@dataclass(frozen=True)
class Article:
    """One article page. `paragraphs` are plain text; a paragraph starting with '## ' is a subheading."""

    outlet: str  # outlet slug
    path: str  # absolute path on the demo host, e.g. /harbor-ledger/2026/11/24/port-strike-ends.html
    title: str
    paragraphs: tuple[str, ...]
    author: str
    published: datetime  # timezone-aware UTC
    section: str = "News"
    story_key: str | None = None  # which event it reports; None for stand-alone pieces
    wire_copy_of: str | None = None  # path of the wire original this page republishes
    caption: str = ""
    credit: str = ""
    revisions: tuple[Revision, ...] = ()  # sorted by edition

    def at(self, edition: int) -> ArticleView:
        """The article as served in `edition`: the latest revision not newer than it."""
        view = ArticleView(self, self.title, self.paragraphs, self.published)
        for rev in self.revisions:
            if rev.edition <= edition:
                view = ArticleView(self, rev.title, rev.paragraphs, rev.modified)
        return view


@dataclass(frozen=True)
class ArticleView:
    """An article's text in one edition."""

    article: Article
    title: str
    paragraphs: tuple[str, ...]
    modified: datetime

    @property
    def summary(self) -> str:
        """The standfirst used in feeds and metadata: the first sentence of the first body paragraph."""
        first = next((p for p in self.paragraphs if not p.startswith("## ")), "")
        match = re.match(r"(.+?[.!?])(\s|$)", first)
        return match.group(1) if match else first

    @property
    def word_count(self) -> int:
        return sum(len(p.split()) for p in self.paragraphs if not p.startswith("## "))


def article_path(outlet: Outlet, title: str, published: datetime, section: str, serial: int) -> str:
    """Each outlet has its own URL shape, as real sites do; `serial` keeps numbered URLs unique."""
    slug = slugify(title)
    if outlet.url_style == "section":
        return f"/{outlet.slug}/{slugify(section, 2)}/{slug}-{serial:06d}"
    if outlet.url_style == "numbered":
        return f"/{outlet.slug}/article/{serial:07d}/{slug}/"
    return f"/{outlet.slug}/{published:%Y/%m/%d}/{slug}.html"


@dataclass
class Newsroom:
    """A set of outlets and their articles, with the truth about which articles report the same event."""

    name: str
    outlets: tuple[Outlet, ...]
    articles: tuple[Article, ...]
    now: datetime
    editions: int = FIRST_EDITION
    description: str = ""
    _by_outlet: dict[str, list[Article]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        # Feeds list newest first, like real feeds.
        for outlet in self.outlets:
            self._by_outlet[outlet.slug] = []
        for art in sorted(self.articles, key=lambda a: a.published, reverse=True):
            self._by_outlet[art.outlet].append(art)

    # --- lookups ---------------------------------------------------------------------------

    @cached_property
    def outlets_by_slug(self) -> dict[str, Outlet]:
        return {o.slug: o for o in self.outlets}

    @cached_property
    def outlet_names(self) -> frozenset[str]:
        return frozenset(o.name for o in self.outlets)

    @cached_property
    def articles_by_path(self) -> dict[str, Article]:
        return {a.path: a for a in self.articles}

    @cached_property
    def position_in_outlet(self) -> dict[str, int]:
        """path -> index in its outlet's newest-first list (used to pick neighbouring links)."""
        return {a.path: i for arts in self._by_outlet.values() for i, a in enumerate(arts)}

    def outlet(self, slug: str) -> Outlet:
        return self.outlets_by_slug[slug]

    def articles_of(self, outlet_slug: str) -> list[Article]:
        """The outlet's articles, newest first."""
        return self._by_outlet[outlet_slug]

    # --- URLs ------------------------------------------------------------------------------

    def feed_urls(self, base_url: str) -> list[str]:
        base = base_url.rstrip("/")
        return [base + o.feed_path for o in self.outlets]

    def url(self, base_url: str, path: str) -> str:
        return base_url.rstrip("/") + path

    # --- ground truth ----------------------------------------------------------------------

    def ground_truth(self, base_url: str = "", edition: int = FIRST_EDITION) -> list[dict]:
        """One record per article, in publication order. URLs are absolute when `base_url` is given."""
        base = base_url.rstrip("/")
        rows = []
        for art in sorted(self.articles, key=lambda a: (a.published, a.path)):
            outlet = self.outlets_by_slug[art.outlet]
            view = art.at(edition)
            rows.append(
                {
                    "url": base + art.path,
                    "outlet": outlet.name,
                    "outlet_slug": outlet.slug,
                    "feed_url": base + outlet.feed_path,
                    "language": outlet.language,
                    "story_key": art.story_key,
                    "wire_copy_of": base + art.wire_copy_of if art.wire_copy_of else None,
                    "title": view.title,
                    "author": art.author,
                    "published": art.published.isoformat(),
                    "modified": view.modified.isoformat(),
                    "updated_in_edition": max((r.edition for r in art.revisions if r.edition <= edition), default=None),
                }
            )
        return rows

    def expected_stories(self, base_url: str = "") -> dict[str, list[str]]:
        """story_key -> article URLs (first reporter first). Stand-alone articles are not stories."""
        base = base_url.rstrip("/")
        stories: dict[str, list[str]] = {}
        for art in sorted(self.articles, key=lambda a: (a.published, a.path)):
            if art.story_key is not None:
                stories.setdefault(art.story_key, []).append(base + art.path)
        return stories

    def ground_truth_json(self, base_url: str = "", edition: int = FIRST_EDITION) -> str:
        doc = {
            "newsroom": self.name,
            "now": self.now.isoformat(),
            "edition": edition,
            "base_url": base_url.rstrip("/"),
            "feeds": self.feed_urls(base_url) if base_url else [o.feed_path for o in self.outlets],
            "articles": self.ground_truth(base_url, edition),
            "stories": self.expected_stories(base_url),
        }
        return json.dumps(doc, indent=1, ensure_ascii=False)

    def write_ground_truth(self, path: str | Path, base_url: str = "", edition: int = FIRST_EDITION) -> Path:
        """Write `ground_truth_json` to `path` (for benchmarks that score a pipeline run against it)."""
        out = Path(path)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(self.ground_truth_json(base_url, edition), encoding="utf-8")
        return out

    def stats(self) -> dict[str, int]:
        """Counts a newcomer (and the tests) care about."""
        stories = self.expected_stories()
        outlets_per_story = {
            key: len({self.articles_by_path[p].outlet for p in paths}) for key, paths in stories.items()
        }
        return {
            "outlets": len(self.outlets),
            "articles": len(self.articles),
            "stories": len(stories),
            "multi_outlet_stories": sum(1 for n in outlets_per_story.values() if n >= 2),
            "wire_copies": sum(1 for a in self.articles if a.wire_copy_of),
            "standalone": sum(1 for a in self.articles if a.story_key is None),
            "updated_articles": sum(1 for a in self.articles if a.revisions),
            "languages": len({o.language for o in self.outlets}),
        }


def minutes_before(now: datetime, hours_ago: float) -> datetime:
    """A publication time `hours_ago` before `now`, on a whole minute (as CMSes stamp them)."""
    return (now - timedelta(hours=hours_ago)).replace(second=0, microsecond=0)
