"""Article metadata from JSON-LD, OpenGraph, meta tags, htmldate and the feed entry.

Each source yields candidates; `collect_metadata` picks one value per field in a fixed order of trust.
"""

from __future__ import annotations

import json
import re
import warnings
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from urllib.parse import urljoin, urlsplit

from lxml import html as lxml_html

from newsflow.models import EntryHints

#: Dates later than now + this are clock errors or placeholders, never publication dates.
FUTURE_TOLERANCE = timedelta(days=1)
#: Dates before this are defaults ("1970-01-01") or parse accidents on a news pipeline.
EARLIEST_DATE = datetime(1990, 1, 1, tzinfo=timezone.utc)
#: JSON-LD types that describe an article (schema.org Article and its common subtypes).
ARTICLE_TYPES = frozenset(
    "article newsarticle reportagenewsarticle analysisnewsarticle opinionnewsarticle "
    "backgroundnewsarticle reviewnewsarticle blogposting socialmediaposting liveblogposting "
    "scholarlyarticle techarticle report webpage".split()
)
#: JSON-LD types that say "this page is a listing, not one article".
LISTING_TYPES = frozenset("website collectionpage itemlist searchresultspage".split())
#: JSON-LD blocks larger than this are skipped: they are data dumps, not article metadata.
MAX_JSONLD_CHARS = 500_000
#: Separators between a headline and the site name in <title>.
TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " · ", " « ", " » ")
#: Meta names that carry a publication date, in order of trust.
PUBLISHED_META = (
    "article:published_time", "og:article:published_time", "datepublished", "publishdate",
    "pubdate", "publish-date", "publication_date", "parsely-pub-date", "sailthru.date",
    "dc.date.issued", "dcterms.created", "dc.date", "date", "citation_publication_date",
    "article.published", "published-date", "release_date",
)
#: Meta names that carry a last-modified date, in order of trust.
UPDATED_META = (
    "article:modified_time", "og:updated_time", "datemodified", "dcterms.modified",
    "last-modified", "lastmod", "article.updated",
)
#: UTC offsets (seconds) of zone abbreviations that news sites print in dates.
TZ_ABBREVIATIONS = {
    "UTC": 0, "GMT": 0, "Z": 0, "BST": 3600, "CET": 3600, "CEST": 7200, "MEZ": 3600, "MESZ": 7200,
    "EET": 7200, "EEST": 10800, "MSK": 10800, "IST": 19800, "WIB": 25200, "JST": 32400, "KST": 32400,
    "AEST": 36000, "AEDT": 39600, "EST": -18000, "EDT": -14400, "CST": -21600, "CDT": -18000,
    "MST": -25200, "MDT": -21600, "PST": -28800, "PDT": -25200, "BRT": -10800,
}
_AUTHOR_PREFIX = re.compile(r"^\s*(by|von|par|por|di|door|от|oleh)\s+", re.I)
_AUTHOR_SPLIT = re.compile(r"\s*(?:,|;|\band\b|\bund\b|\bet\b|\by\b|\be\b|&)\s*")
_WS = re.compile(r"\s+")


@dataclass
class PageMetadata:
    """Reconciled metadata of one page. Dates are timezone-aware UTC."""

    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    updated_at: datetime | None = None
    canonical_url: str | None = None
    site_name: str | None = None
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    image_url: str | None = None
    description: str | None = None
    declared_language: str | None = None
    page_type: str | None = None  # "article", "listing" or None (unknown)
    accessible_for_free: bool | None = None
    date_source: str | None = None  # where published_at came from


# --- small helpers ---------------------------------------------------------------------------


def _clean(value: object) -> str | None:
    """A stripped, whitespace-normalised string, or None for empty / non-string values."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    value = _WS.sub(" ", value).strip()
    return value or None


def parse_datetime(value: object) -> datetime | None:
    """Parse an ISO-like or free-form date; naive values are taken as UTC."""
    text = _clean(value)
    if not text or len(text) > 64:
        return None
    parsed: datetime | None = None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            from dateutil import parser as date_parser

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # unknown zone names: we fall back to UTC below
                parsed = date_parser.parse(text, fuzzy=False, tzinfos=TZ_ABBREVIATIONS)
        except (ValueError, OverflowError, TypeError):
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def plausible_date(value: datetime | None, now: datetime) -> datetime | None:
    """The date if it could be a real publication date, else None."""
    if value is None or value < EARLIEST_DATE or value > now + FUTURE_TOLERANCE:
        return None
    return value


def _as_list(value: object) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _name_of(value: object) -> str | None:
    """The name of a schema.org Person/Organization given as an object or a string."""
    if isinstance(value, dict):
        return _clean(value.get("name"))
    return _clean(value)


def _url_of(value: object) -> str | None:
    if isinstance(value, dict):
        return _clean(value.get("url")) or _clean(value.get("contentUrl")) or _clean(value.get("@id"))
    if isinstance(value, list):
        for item in value:
            url = _url_of(item)
            if url:
                return url
        return None
    return _clean(value)


def split_authors(values: list[str]) -> list[str]:
    """Author strings to a deduplicated list of names ("By A and B" -> ["A", "B"])."""
    names: list[str] = []
    for value in values:
        value = _AUTHOR_PREFIX.sub("", value or "")
        if not value or value.startswith("http"):
            continue  # article:author is often a profile URL, not a name
        for name in _AUTHOR_SPLIT.split(value):
            name = _AUTHOR_PREFIX.sub("", name).strip(" .|-")
            if 1 < len(name) <= 80 and name.lower() not in {n.lower() for n in names}:
                names.append(name)
    return names


# --- sources ---------------------------------------------------------------------------------


def _jsonld_objects(tree: lxml_html.HtmlElement) -> list[dict]:
    """All JSON-LD objects of the page, with @graph and nested lists flattened."""
    objects: list[dict] = []
    for script in tree.xpath('//script[contains(translate(@type, "LDJSON", "ldjson"), "ld+json")]'):
        raw = script.text or ""
        if not raw.strip() or len(raw) > MAX_JSONLD_CHARS:
            continue
        try:
            data = json.loads(raw.strip().rstrip(";"))
        except (ValueError, RecursionError):
            continue  # invalid JSON-LD is common; the other sources still work
        stack = [data]
        while stack and len(objects) < 200:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(reversed(item))
            elif isinstance(item, dict):
                objects.append(item)
                stack.extend(reversed(_as_list(item.get("@graph"))))
    return objects


def _types(obj: dict) -> set[str]:
    return {str(t).lower() for t in _as_list(obj.get("@type"))}


def _meta_map(tree: lxml_html.HtmlElement) -> dict[str, list[str]]:
    """meta property/name/itemprop (lower-cased) -> all content values, in page order."""
    found: dict[str, list[str]] = {}
    for meta in tree.iter("meta"):
        key = meta.get("property") or meta.get("name") or meta.get("itemprop")
        content = _clean(meta.get("content"))
        if key and content:
            found.setdefault(key.strip().lower(), []).append(content)
    return found


def _first(meta: dict[str, list[str]], *keys: str) -> str | None:
    for key in keys:
        if meta.get(key):
            return meta[key][0]
    return None


def _trim_site_suffix(title: str, site_name: str | None) -> str:
    """'Headline | Site' -> 'Headline' when the tail looks like the site name."""
    for sep in TITLE_SEPARATORS:
        if sep in title:
            head, tail = title.rsplit(sep, 1)
            tail_matches_site = site_name and tail.strip().lower() in site_name.lower()
            if head and (tail_matches_site or len(tail.split()) <= 3 < len(head.split())):
                return head.strip()
    return title


# --- public ----------------------------------------------------------------------------------


def collect_metadata(
    tree: lxml_html.HtmlElement,
    url: str,
    hints: EntryHints | None,
    now: datetime,
    *,
    use_htmldate: bool = True,
) -> PageMetadata:
    """Read every metadata source of the page and reconcile them into one `PageMetadata`."""
    hints = hints or EntryHints()
    meta = _meta_map(tree)
    objects = _jsonld_objects(tree)
    articles = [o for o in objects if _types(o) & ARTICLE_TYPES]
    # A NewsArticle beats a generic WebPage when both are present.
    articles.sort(key=lambda o: "webpage" in _types(o))
    article = articles[0] if articles else {}
    publisher = next((o for o in objects if _types(o) & {"organization", "newsmediaorganization"}), {})
    website = next((o for o in objects if "website" in _types(o)), {})

    result = PageMetadata()
    result.site_name = (
        _first(meta, "og:site_name", "application-name", "twitter:site")
        or _name_of(article.get("publisher"))
        or _name_of(publisher)
        or _name_of(website)
    )
    if result.site_name and result.site_name.startswith("@"):
        result.site_name = result.site_name[1:]

    title_tag = _clean(tree.findtext(".//title"))
    h1 = next((_clean(h.text_content()) for h in tree.iter("h1")), None)
    title = (
        _clean(article.get("headline"))
        or _first(meta, "og:title", "twitter:title", "dc.title")
        or (title_tag and _trim_site_suffix(title_tag, result.site_name))
        or h1
        or _clean(hints.title)
    )
    result.title = _trim_site_suffix(title, result.site_name) if title else None

    authors = [_name_of(a) for a in _as_list(article.get("author")) + _as_list(article.get("creator"))]
    result.authors = split_authors([a for a in authors if a]) or split_authors(
        meta.get("author", []) + meta.get("article:author", []) + meta.get("dc.creator", [])
        + meta.get("parsely-author", []) + meta.get("sailthru.author", [])
    ) or split_authors(list(hints.authors))

    result.published_at, result.date_source = _published(article, meta, tree, url, hints, now, use_htmldate)
    updated = plausible_date(parse_datetime(article.get("dateModified")) or parse_datetime(_first(meta, *UPDATED_META)), now)
    if updated and (result.published_at is None or updated >= result.published_at):
        result.updated_at = updated

    canonical = next((link.get("href") for link in tree.iter("link") if "canonical" in (link.get("rel") or "").lower().split() and link.get("href")), None)
    canonical = canonical or _first(meta, "og:url") or _url_of(article.get("mainEntityOfPage")) or _clean(article.get("url"))
    result.canonical_url = _absolute(canonical, url) or url or None

    section = article.get("articleSection")
    result.section = _clean(_as_list(section)[0] if _as_list(section) else None) or _first(meta, "article:section", "section", "parsely-section")
    result.tags = _tags(article, meta)
    result.image_url = _absolute(_url_of(article.get("image")) or _first(meta, "og:image", "og:image:url", "twitter:image", "twitter:image:src"), url)
    result.description = _first(meta, "description", "og:description", "twitter:description") or _clean(article.get("description"))

    html_lang = tree.get("lang") or tree.get("xml:lang")
    lang = _clean(article.get("inLanguage")) or _first(meta, "og:locale", "content-language", "language") or _clean(html_lang)
    result.declared_language = lang.replace("_", "-").split("-")[0].lower()[:3] if lang else None

    free = article.get("isAccessibleForFree")
    if free is not None:
        result.accessible_for_free = str(free).strip().lower() not in ("false", "0", "no")
    og_type = (_first(meta, "og:type") or "").lower()
    if articles and any(_types(o) & (ARTICLE_TYPES - {"webpage"}) for o in articles) or og_type == "article":
        result.page_type = "article"
    elif og_type == "website" or any(_types(o) & LISTING_TYPES for o in objects if o is not website):
        result.page_type = "listing"
    return result


def _published(article: dict, meta: dict, tree, url: str, hints: EntryHints, now: datetime, use_htmldate: bool):
    """(publication date, its source): page metadata, then htmldate, then the feed."""
    for source, raw in (
        ("json-ld", article.get("datePublished") or article.get("dateCreated")),
        ("meta", _first(meta, *PUBLISHED_META)),
    ):
        value = plausible_date(parse_datetime(raw), now)
        if value:
            return value, source
    time_tag = next((t.get("datetime") for t in tree.iter("time") if t.get("datetime")), None)
    value = plausible_date(parse_datetime(time_tag), now)
    if value:
        return value, "time-tag"
    if use_htmldate:
        value = _htmldate(tree, url, now)
        if value:
            return value, "htmldate"
    value = plausible_date(_aware(hints.published_at), now)
    if value:
        return value, "feed"
    return None, None


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def _htmldate(tree, url: str, now: datetime) -> datetime | None:
    """htmldate on the markup and URL only: its free-text guesses are less reliable than a feed date."""
    try:
        from copy import deepcopy

        import htmldate

        found = htmldate.find_date(
            deepcopy(tree), extensive_search=False, original_date=True, url=url or None,
            outputformat="%Y-%m-%dT%H:%M:%S", max_date=(now + FUTURE_TOLERANCE).strftime("%Y-%m-%d"),
        )
    except Exception:  # htmldate is a last resort; its failures must not fail the page
        return None
    return plausible_date(parse_datetime(found), now)


def _tags(article: dict, meta: dict[str, list[str]]) -> list[str]:
    raw: list[str] = []
    for value in _as_list(article.get("keywords")):
        raw.extend(str(value).split(",") if isinstance(value, str) else [])
    raw += meta.get("article:tag", [])
    for key in ("news_keywords", "keywords"):
        for value in meta.get(key, []):
            raw.extend(value.split(","))
    tags: list[str] = []
    for tag in raw:
        tag = tag.strip()
        if tag and len(tag) <= 80 and tag.lower() not in {t.lower() for t in tags}:
            tags.append(tag)
    return tags[:50]


def _absolute(value: str | None, base: str) -> str | None:
    if not value:
        return None
    try:
        absolute = urljoin(base or "", value.strip())
    except ValueError:
        return None
    return absolute if urlsplit(absolute).scheme in ("http", "https") else None
