"""Feed parsing: bytes we fetched ourselves -> `ParsedFeed`, robust to broken encodings, HTML and bad GUIDs.
feedparser's `bozo` is a warning; only a document with no feed version and no entries is `malformed`.
"""

from __future__ import annotations

import codecs
import hashlib
import html
import io
import json
import re
import time
import typing
from collections import Counter
from datetime import datetime, timedelta, UTC
from urllib.parse import urljoin, urlsplit

from newsflow.models import FeedEntry, ParsedFeed

#: Entries kept per feed document (first ones in document order, usually the newest).
MAX_ENTRIES = 500
#: Links longer than this are dropped (a sign of tracking junk or corruption).
MAX_URL_LENGTH = 2048
#: GUIDs longer than this are replaced by their sha256 (keys must fit an index).
MAX_GUID_LENGTH = 512
#: A feed's GUIDs are distrusted when more than this fraction are missing, duplicated or changing.
BAD_GUID_FRACTION = 0.05
#: Dates further in the future than this are rejected as bogus.
MAX_FUTURE_SKEW = timedelta(days=2)
#: Dates before this are rejected as bogus (epoch-zero and 1900 placeholders).
MIN_DATE = datetime(1980, 1, 1, tzinfo=UTC)
#: Identity strengths, strongest first; a feed never goes back up once downgraded (see `previous_identity`).
IDENTITIES = ("guid", "link", "hash")

# Characters XML 1.0 forbids (C0 controls except tab/newline/CR, and the two non-characters).
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_PROLOG_ENCODING = re.compile(rb"""^(\s*<\?xml[^>]*?encoding\s*=\s*["'])([A-Za-z0-9._:-]+)(["'])""")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.I)
_FEED_ROOT = re.compile(r"<(rss|feed|rdf:rdf|rdf|channel)[\s>/:]", re.I)
_HTML_ROOT = re.compile(r"<(!doctype\s+html|html|head|body)[\s>]", re.I)
_ALT_FEED = re.compile(r"""<link[^>]+type\s*=\s*["']application/(?:rss|atom)\+xml["'][^>]*>""", re.I)
_HREF = re.compile(r"""href\s*=\s*["']([^"']+)["']""", re.I)

#: Signatures of anti-bot / challenge pages, checked case-insensitively in the first 64 KB.
CHALLENGE_MARKERS: tuple[tuple[str, str], ...] = (
    ("<title>just a moment...</title>", "Cloudflare 'Just a moment...'"),
    ("just a moment...", "Cloudflare 'Just a moment...'"),
    ("attention required! | cloudflare", "Cloudflare 'Attention Required'"),
    ("attention required!", "Cloudflare 'Attention Required'"),
    ("cf-browser-verification", "Cloudflare browser verification"),
    ("/cdn-cgi/challenge-platform/", "Cloudflare challenge platform"),
    ("cf_chl_", "Cloudflare challenge"),
    ("ddos-guard", "DDoS-Guard"),
    ("sucuri website firewall", "Sucuri firewall"),
    ("px-captcha", "PerimeterX captcha"),
    ("captcha-delivery.com", "DataDome captcha"),
    ("g-recaptcha", "reCAPTCHA"),
    ("h-captcha", "hCaptcha"),
    ("hcaptcha", "hCaptcha"),
    ("captcha", "captcha"),
    ("are you a robot", "bot check"),
    ("please enable cookies", "cookie wall / bot check"),
)


def detect_challenge(body_prefix: bytes, headers: typing.Mapping[str, str] | None = None) -> str | None:
    """Name of the anti-bot challenge in a response, or None. Headers keys must be lowercase."""
    headers = headers or {}
    if headers.get("cf-mitigated", "").strip().lower() == "challenge":
        return "Cloudflare cf-mitigated: challenge"
    text = body_prefix[:65536].decode("latin-1").lower()
    for marker, name in CHALLENGE_MARKERS:
        if marker in text:
            return name
    return None


def _head_text(body: bytes, n: int = 4096) -> str:
    head = body[:n]
    for bom in (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        if head.startswith(bom):
            try:
                return head.decode("utf-8-sig" if bom == codecs.BOM_UTF8 else "utf-16", "ignore").lstrip()
            except UnicodeError:  # pragma: no cover
                break
    return head.decode("latin-1").lstrip()


def _root(head: str) -> str:
    """`head` from its root element on: prolog, comments, doctype and processing instructions skipped."""
    return re.sub(r"^(\s*(<\?.*?\?>|<!--.*?-->|<!doctype\s+(?!html)[^>]*>))*", "", head, flags=re.S | re.I).lstrip()


def _looks_like_feed(head: str) -> bool:
    return bool(_FEED_ROOT.match(_root(head)))


def advertised_feeds(body: bytes, base_url: str) -> list[str]:
    """Feed URLs an HTML page advertises with <link rel="alternate" type="application/rss+xml">."""
    text = body[:262144].decode("utf-8", "replace")
    out = []
    for tag in _ALT_FEED.findall(text):
        m = _HREF.search(tag)
        if m:
            link = _clean_link(m.group(1), base_url)
            if link and link not in out:
                out.append(link)
    return out


def detect_not_a_feed(body: bytes, content_type: str | None) -> str | None:
    """Why `body` is not a feed (empty, HTML page, anti-bot challenge), or None if it may be one."""
    head = _head_text(body)
    if not head.strip():
        return "empty response: the server returned no content where a feed was expected; check the feed URL"
    if _looks_like_feed(head):
        return None
    challenge = detect_challenge(body)
    if challenge:
        return (
            f"an anti-bot challenge page ({challenge}) was served instead of a feed: we are blocked, "
            "not broken; ask the publisher to allow our User-Agent or find another feed URL"
        )
    mime = (content_type or "").split(";", 1)[0].strip().lower()
    if _HTML_ROOT.match(_root(head)) or (mime in ("text/html", "application/xhtml+xml") and "<html" in head.lower()):
        return "HTML page, not a feed: check the feed URL"
    return None


# --- encoding ------------------------------------------------------------------------------


def _normalize_codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        codec = codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None
    # WHATWG: "ISO-8859-1"/"latin-1"/"ascii" labels mean windows-1252 in the wild
    if codec in ("latin-1", "iso8859-1", "ascii"):
        return "cp1252"
    return codec


def decode_feed(body: bytes, charset: str | None = None) -> tuple[str, str, list[str]]:
    """(text, encoding used, warnings). Valid UTF-8 stays UTF-8; otherwise BOM, header, prolog/meta, detection."""
    warnings: list[str] = []
    for bom, enc in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if body.startswith(bom):
            try:
                return body.decode(enc), enc, warnings
            except UnicodeDecodeError:
                break
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        declared = _normalize_codec(charset) or _prolog_encoding(body)
        if declared and declared != "utf-8" and not text.isascii():
            warnings.append(f"declared encoding {charset or declared} ignored: the bytes are valid UTF-8")
        return text, "utf-8", warnings
    candidates = [("header", _normalize_codec(charset)), ("prolog", _prolog_encoding(body))]
    for source, enc in candidates:
        if enc and enc not in ("utf-8",):
            try:
                return body.decode(enc), enc, warnings
            except (UnicodeDecodeError, LookupError):
                if enc == "cp1252":  # the 5 bytes windows-1252 leaves undefined: really ISO-8859-1
                    return body.decode("latin-1"), "latin-1", warnings
                warnings.append(f"{source} encoding {enc} does not decode the document")
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(body[:262_144]).best()
        if best is not None and best.encoding:
            enc = _normalize_codec(best.encoding) or best.encoding
            try:
                return body.decode(enc), enc, warnings + [f"encoding detected as {enc}"]
            except (UnicodeDecodeError, LookupError):
                pass
    except ImportError:  # pragma: no cover
        pass
    warnings.append("unknown encoding: decoded as windows-1252 with replacement characters")
    return body.decode("cp1252", "replace"), "cp1252", warnings


def _prolog_encoding(body: bytes) -> str | None:
    m = _PROLOG_ENCODING.match(body[:512])
    if m:
        return _normalize_codec(m.group(2).decode("ascii", "ignore"))
    m = _META_CHARSET.search(body[:4096])
    if m:
        return _normalize_codec(m.group(1).decode("ascii", "ignore"))
    return None


def _to_clean_utf8(text: str) -> tuple[bytes, int]:
    """UTF-8 bytes with illegal XML characters removed and the prolog saying utf-8; (bytes, removed)."""
    text = text.lstrip("\ufeff")
    cleaned, removed = _ILLEGAL_XML.subn("", text)
    cleaned = cleaned.encode("utf-8", "replace").decode("utf-8")  # lone surrogates
    data = cleaned.lstrip().encode("utf-8")
    data = _PROLOG_ENCODING.sub(rb"\1utf-8\3", data, count=1)
    return data, removed


# --- links, dates, identity ---------------------------------------------------------------


def _clean_link(link: str | None, base_url: str) -> str | None:
    if not link or not isinstance(link, str):
        return None
    link = link.strip()
    try:
        absolute = urljoin(base_url, link)
        parts = urlsplit(absolute)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    if len(absolute) > MAX_URL_LENGTH:
        return None
    return absolute


def _to_utc(st: typing.Any, now: datetime) -> datetime | None:
    """feedparser's UTC struct_time -> aware UTC datetime; None if missing or implausible."""
    if not st:
        return None
    try:
        dt = datetime(*st[:6], tzinfo=UTC)
    except (TypeError, ValueError, OverflowError):
        return None
    if dt < MIN_DATE or dt > now + MAX_FUTURE_SKEW:
        return None
    return dt


def _hash_key(link: str | None, title: str | None) -> str:
    return hashlib.sha256(f"{link or ''}\n{title or ''}".encode()).hexdigest()


def entry_identity(*, guid: str | None, link: str | None, title: str | None, mode: str = "guid") -> str:
    """Stable key of one entry under the feed's identity `mode` ("guid", "link" or "hash").

    "guid" falls back to the link, then the hash, for an entry without a GUID; "link" falls back to the hash.
    The hash is sha256 hex of ``link + "\\n" + title``.
    """
    if mode not in IDENTITIES:
        raise ValueError(f"unknown identity mode {mode!r}: use one of {IDENTITIES}")
    if mode == "guid" and guid:
        return guid
    if mode in ("guid", "link") and link:
        return link
    return _hash_key(link, title)


PreviousKeys = typing.Mapping[str, str | None] | typing.Iterable[typing.Any] | None


def _previous_pairs(previous_keys: PreviousKeys) -> list[tuple[str, str | None]]:
    if previous_keys is None:
        return []
    if isinstance(previous_keys, typing.Mapping):
        return [(str(g), link) for g, link in previous_keys.items()]
    pairs = []
    for item in previous_keys:
        if isinstance(item, (tuple, list)) and len(item) == 2:
            pairs.append((str(item[0]), item[1]))
        elif isinstance(item, str):
            pairs.append((item, None))
    return pairs


def choose_identity(
    items: typing.Sequence[tuple[str | None, str | None, str | None]],
    previous_keys: PreviousKeys = None,
    previous_identity: str | None = None,
) -> tuple[str, str | None]:
    """(identity mode, reason for a downgrade) for one feed document's (guid, link, title) items.

    GUIDs are distrusted when more than BAD_GUID_FRACTION of the items have none, share one, or (given
    `previous_keys`, the GUID->link pairs of the last fetch) have a new GUID for a link seen before.
    Then links are used if every item has a distinct one, else sha256(link + title).
    `previous_identity` makes the downgrade sticky: the result is never stronger than it.
    """
    n = len(items)
    floor = IDENTITIES.index(previous_identity) if previous_identity in IDENTITIES else 0
    if n == 0:
        return IDENTITIES[floor], None
    guid_counts = Counter(g for g, _, _ in items if g)
    missing = sum(1 for g, _, _ in items if not g)
    dupes = sum(1 for g, _, _ in items if g and guid_counts[g] > 1)
    changing = 0
    pairs = _previous_pairs(previous_keys)
    if pairs:
        prev_guids = {g for g, _ in pairs}
        prev_link_guid = {link: g for g, link in pairs if link}
        for g, link, _ in items:
            if g and link and link in prev_link_guid and g not in prev_guids:
                changing += 1
    reasons = []
    if missing:
        reasons.append(f"{missing} without GUID")
    if dupes:
        reasons.append(f"{dupes} with a duplicated GUID")
    if changing:
        reasons.append(f"{changing} whose GUID changed since the last fetch while the link stayed")
    bad = missing + dupes + changing
    level = 0
    if bad / n > BAD_GUID_FRACTION:
        links = [link for _, link, _ in items]
        level = 1 if all(links) and len(set(links)) == len(links) else 2
    level = max(level, floor)
    reason = None
    if level > 0:
        reason = f"identity by {IDENTITIES[level]}: " + (
            ", ".join(reasons) if reasons else "sticky from previous fetches"
        )
        reason += f" out of {n} items"
    return IDENTITIES[level], reason


# --- parsing --------------------------------------------------------------------------------


_SCRIPT_STYLE = re.compile(r"<(script|style|noscript)\b.*?</\1\s*>", re.S | re.I)
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
#: Summaries are hints, not article bodies: longer ones are cut.
MAX_SUMMARY_CHARS = 10_000


def _text(markup: str | None, limit: int | None = None) -> str | None:
    """Plain text of a title/summary that may contain HTML (tags dropped, entities decoded)."""
    if not markup or not isinstance(markup, str):
        return None
    if "<" in markup:
        markup = _TAG.sub(" ", _SCRIPT_STYLE.sub(" ", markup))
    if "&" in markup:
        markup = html.unescape(markup)
    text = _SPACE.sub(" ", markup).strip()
    if limit is not None and len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + " …"
    return text or None


def _entry_link(e: typing.Mapping[str, typing.Any], base: str) -> str | None:
    link = _clean_link(e.get("link"), base)
    if link:
        return link
    for alt in e.get("links") or ():
        if alt.get("rel", "alternate") == "alternate":
            link = _clean_link(alt.get("href"), base)
            if link:
                return link
    # RSS items whose GUID is a permalink
    guid = e.get("id")
    if guid and e.get("guidislink", False):
        return _clean_link(guid, base)
    return None


#: Documents longer than this (characters) are cut after their `max_entries`-th entry before parsing:
#: feedparser handles ~1 MB/s, and entries past the cap would be dropped anyway.
TRUNCATE_ABOVE_CHARS = 1_000_000
_ROOT_NAME = re.compile(r"^(?:\s|<\?.*?\?>|<!--.*?-->|<!doctype[^>]*>)*<([A-Za-z_][\w:.-]*)", re.S | re.I)


def _truncate_entries(text: str, max_entries: int) -> str | None:
    """The document cut after its `max_entries`-th item/entry and properly closed, or None if not needed."""
    if len(text) < TRUNCATE_ABOVE_CHARS or max_entries <= 0:
        return None
    m = _ROOT_NAME.match(text[:100_000])
    if not m:
        return None
    root = m.group(1)
    local = root.rsplit(":", 1)[-1].lower()
    if local == "feed":
        child, closers = "entry", f"</{root}>"
    elif local == "rdf":
        child, closers = "item", f"</{root}>"
    elif local == "rss":
        ch = re.search(r"<((?:[\w.-]+:)?channel)[\s>]", text[:100_000])
        if not ch:
            return None
        child, closers = "item", f"</{ch.group(1)}></{root}>"
    else:
        return None
    end = re.compile(rf"</(?:[\w.-]+:)?{child}\s*>", re.I)
    for count, hit in enumerate(end.finditer(text), start=1):
        if count == max_entries:
            return text[: hit.end()] + closers if end.search(text, hit.end()) else None
    return None


def _is_json_feed(text: str, content_type: str | None) -> bool:
    head = text[:4096].lstrip("\ufeff \t\r\n")
    if not head.startswith("{"):
        return False
    mime = (content_type or "").split(";", 1)[0].strip().lower()
    return "jsonfeed.org/version" in head or mime in ("application/feed+json", "application/json")


def _iso_struct(value: typing.Any) -> time.struct_time | None:
    if not isinstance(value, str) or not value.strip():
        return None
    v = value.strip()
    if v.endswith(("Z", "z")):
        v = v[:-1] + "+00:00"
    try:
        dt = datetime.fromisoformat(v)
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).timetuple()


def _json_feed(text: str) -> dict[str, typing.Any]:
    """A JSON Feed (1.0/1.1) document reshaped like feedparser's result."""
    doc = json.loads(text)
    if not isinstance(doc, dict) or not isinstance(doc.get("items", []), list):
        raise ValueError("not a JSON Feed object with an items list")
    entries = []
    for item in doc.get("items") or []:
        if not isinstance(item, dict):
            continue
        authors = item.get("authors") or ([item["author"]] if isinstance(item.get("author"), dict) else [])
        html = item.get("summary") or item.get("content_text") or item.get("content_html")
        entries.append(
            {
                "id": str(item["id"]) if item.get("id") is not None else None,
                "link": item.get("url") or item.get("external_url"),
                "title": item.get("title"),
                "summary": html if isinstance(html, str) else None,
                "published": item.get("date_published"),
                "published_parsed": _iso_struct(item.get("date_published")),
                "updated": item.get("date_modified"),
                "updated_parsed": _iso_struct(item.get("date_modified")),
                "authors": [{"name": a.get("name")} for a in authors if isinstance(a, dict) and a.get("name")],
                "tags": [{"term": str(t)} for t in item.get("tags") or [] if t],
            }
        )
    version = str(doc.get("version", "")).rstrip("/").rsplit("/", 1)[-1]
    return {
        "version": f"json{version}" if version else "json",
        "feed": {"title": doc.get("title"), "link": doc.get("home_page_url")},
        "entries": entries,
    }


def parse_feed(
    body: bytes,
    *,
    url: str,
    content_type: str | None = None,
    charset: str | None = None,
    max_entries: int = MAX_ENTRIES,
    previous_keys: PreviousKeys = None,
    previous_identity: str | None = None,
    now: datetime | None = None,
) -> ParsedFeed:
    """Parse a fetched feed body. Never raises for bad input: returns status ok / not_a_feed / malformed.

    `previous_keys`: GUID->link pairs (mapping or iterable of pairs) from the last fetch, to spot GUIDs
    that change on every fetch; store `{e.guid: e.link}` of the entries after each fetch and pass them back.
    """
    import feedparser

    now = now or datetime.now(UTC)
    reason = detect_not_a_feed(body or b"", content_type)
    if reason:
        extra = ""
        if reason.startswith("HTML page"):
            alts = advertised_feeds(body, url)
            extra = f"; the page advertises {alts[0]}" if alts else ""
        return ParsedFeed(status="not_a_feed", error=f"{url} returned {reason}{extra}")

    text, encoding, warnings = decode_feed(body, charset)
    if _is_json_feed(text, content_type):
        try:
            d = _json_feed(text)
        except (ValueError, TypeError, AttributeError) as exc:
            return ParsedFeed(
                status="malformed",
                warnings=warnings,
                error=f"{url}: broken JSON Feed ({type(exc).__name__}: {exc}); the publisher's feed is invalid",
            )
        return _build(d, url, warnings, max_entries, previous_keys, previous_identity, now)
    cut = _truncate_entries(text, max_entries)
    if cut is not None:
        warnings.append(f"more than {max_entries} entries: kept the first {max_entries}")
        text = cut
    data, removed = _to_clean_utf8(text)
    if removed:
        warnings.append(f"removed {removed} characters that are illegal in XML")
    try:
        d = feedparser.parse(
            io.BytesIO(data),
            response_headers={"content-type": "application/xml; charset=utf-8"},  # no base: GUIDs must stay verbatim
            sanitize_html=False,  # we keep plain text only, so feedparser's slow sanitizer buys nothing
            resolve_relative_uris=False,  # entry links are resolved by us against the feed URL
        )
    except Exception as exc:  # feedparser can still raise on pathological input
        return ParsedFeed(
            status="malformed",
            warnings=warnings,
            error=f"{url}: the feed parser crashed ({type(exc).__name__}: {exc}); the document is broken",
        )
    if d.get("bozo"):
        exc = d.get("bozo_exception")
        if exc is not None and type(exc).__name__ != "CharacterEncodingOverride":
            warnings.append(f"not well-formed, parsed leniently: {type(exc).__name__}: {exc}")

    raw_entries = list(d.get("entries") or [])
    version = d.get("version") or ""
    if not version and not raw_entries:
        mime = (content_type or "").split(";", 1)[0].strip().lower()
        if mime in ("text/html", "application/xhtml+xml"):
            return ParsedFeed(
                status="not_a_feed",
                warnings=warnings,
                error=f"{url} returned {mime} that is not a feed: check the feed URL",
            )
        return ParsedFeed(
            status="malformed",
            warnings=warnings,
            error=f"{url}: no feed found in the document (no RSS/Atom root, no entries): "
            "the feed is broken or the URL is wrong",
        )
    return _build(d, url, warnings, max_entries, previous_keys, previous_identity, now)


def _build(
    d: typing.Mapping[str, typing.Any],
    url: str,
    warnings: list[str],
    max_entries: int,
    previous_keys: PreviousKeys,
    previous_identity: str | None,
    now: datetime,
) -> ParsedFeed:
    """FeedEntry objects with identities from feedparser-shaped data (also produced for JSON Feed)."""
    raw_entries = list(d.get("entries") or [])
    if len(raw_entries) > max_entries:
        warnings.append(f"{len(raw_entries)} entries: kept the first {max_entries}")
        raw_entries = raw_entries[:max_entries]

    feed = d.get("feed") or {}
    site_url = _clean_link(feed.get("link"), url)
    items: list[tuple[str | None, str | None, str | None]] = []
    built: list[FeedEntry] = []
    dropped_links = bad_dates = 0
    for e in raw_entries:
        guid = (e.get("id") or "").strip() or None
        if guid and len(guid) > MAX_GUID_LENGTH:
            guid = "sha256:" + hashlib.sha256(guid.encode("utf-8")).hexdigest()
        link = _entry_link(e, url)
        if link is None and (e.get("link") or e.get("links")):
            dropped_links += 1
        title = _text(e.get("title"))
        published = _to_utc(e.get("published_parsed"), now)
        updated = _to_utc(e.get("updated_parsed"), now)
        if (e.get("published") and published is None) or (e.get("updated") and updated is None):
            bad_dates += 1
        authors = [a.get("name", "").strip() for a in (e.get("authors") or []) if a.get("name")]
        if not authors and e.get("author"):
            authors = [str(e.get("author")).strip()]
        tags = [t.get("term", "").strip() for t in (e.get("tags") or []) if t.get("term")]
        items.append((guid, link, title))
        built.append(
            FeedEntry(
                entry_key="",
                link=link,
                guid=guid,
                title=title,
                summary=_text(e.get("summary"), MAX_SUMMARY_CHARS),
                published_at=published,
                updated_at=updated,
                authors=authors,
                tags=tags,
            )
        )
    if dropped_links:
        warnings.append(f"{dropped_links} entries had a link that is not http(s) or too long: dropped the link")
    if bad_dates:
        warnings.append(f"{bad_dates} entries had an unparsable or implausible date: left empty")

    identity, why = choose_identity(items, previous_keys, previous_identity)
    if why:
        warnings.append(why)
    entries: list[FeedEntry] = []
    seen: set[str] = set()
    duplicates = 0
    for entry in built:
        key = entry_identity(guid=entry.guid, link=entry.link, title=entry.title, mode=identity)
        if key in seen:
            duplicates += 1
            continue
        seen.add(key)
        entry.entry_key = key
        entries.append(entry)
    if duplicates:
        warnings.append(f"{duplicates} entries repeated an earlier entry's identity: dropped")
    return ParsedFeed(
        status="ok",
        title=_text(feed.get("title")),
        site_url=site_url,
        entries=entries,
        identity=identity,
        warnings=warnings,
    )
