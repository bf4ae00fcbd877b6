"""Provenance: which outlets an article cites (and how), which articles carry a wire report, who broke a story.

Pure functions over text and metadata, driven by the gazetteer (data/outlets_gazetteer.yaml) and provenance_rules.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from newsflow.provenance_rules import (
    FILLER,
    FILLER_TOKEN,
    FOLLOWER_OK,
    LEAD_PARAGRAPHS,
    LEFT_WINDOW,
    ORIGINAL_MARKERS,
    RIGHT_WINDOW,
    SEP,
    AGENCY_NOUNS,
    STATEMENT_AFTER,
    CueRule,
    rules_for,
)

GAZETTEER_PATH = Path(__file__).parent / "data" / "outlets_gazetteer.yaml"
#: Bump when rules or gazetteer change in a way that changes output; stored with each analysed article.
PROVENANCE_VERSION = "1"

# --- gazetteer ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outlet:
    name: str
    kind: str  # "agency" | "outlet"
    domains: tuple[str, ...] = ()


@dataclass(frozen=True)
class Alias:
    text: str
    outlet: Outlet
    person: bool = False  # also a surname: "Michael Bloomberg said" is a person
    requires_after: re.Pattern | None = None


@dataclass(frozen=True)
class Gazetteer:
    outlets: dict[str, Outlet]
    aliases: dict[str, Alias]
    not_after: dict[str, re.Pattern]
    by_domain: dict[str, Outlet]
    by_fold: dict[str, Outlet]
    mention_rx: re.Pattern

    def resolve(self, name: str | None) -> Outlet | None:
        """The gazetteer outlet a free-form name refers to ("DER SPIEGEL", "France 24 (English)", "Reuters Staff")."""
        if not name:
            return None
        name = " ".join(name.split())
        for candidate in (name, re.sub(r"\s*\([^)]*\)$", "", name), re.sub(r"^(?:the|The|THE)\s+", "", name)):
            hit = self.by_fold.get(candidate.casefold())
            if hit:
                return hit
        return None

    def outlet_for_url(self, url: str | None) -> Outlet | None:
        host = _host(url)
        labels = host.split(".")
        # Longest suffix first: "abcnews.go.com" before "go.com".
        for i in range(len(labels) - 1):
            hit = self.by_domain.get(".".join(labels[i:]))
            if hit:
                return hit
        return None


def _compile_gazetteer(data: dict) -> Gazetteer:
    outlets: dict[str, Outlet] = {}
    aliases: dict[str, Alias] = {}
    not_after: dict[str, re.Pattern] = {}
    by_domain: dict[str, Outlet] = {}
    by_fold: dict[str, Outlet] = {}
    for row in data["outlets"]:
        if row["kind"] not in ("agency", "outlet"):
            raise ValueError(f"gazetteer: {row['name']}: kind must be agency or outlet")
        outlet = Outlet(row["name"], row["kind"], tuple(row.get("domains") or ()))
        if outlet.name in outlets:
            raise ValueError(f"gazetteer: {outlet.name} listed twice")
        outlets[outlet.name] = outlet
        if row.get("not_after"):
            not_after[outlet.name] = re.compile(row["not_after"])
        for d in outlet.domains:
            by_domain[d.lower()] = outlet
        by_fold.setdefault(outlet.name.casefold(), outlet)
        for item in row["aliases"]:
            spec = item if isinstance(item, dict) else {"text": item}
            text = spec["text"]
            if text in aliases and aliases[text].outlet is not outlet:
                raise ValueError(f"gazetteer: alias {text!r} belongs to two outlets")
            req = re.compile(spec["requires_after"]) if spec.get("requires_after") else None
            aliases[text] = Alias(text, outlet, bool(spec.get("person")), req)
            # Conditional aliases ("Sun" + newspaper) never name an outlet on their own.
            if req is None:
                by_fold.setdefault(text.casefold(), outlet)
    # Whole words only, and not part of a URL, handle or compound ("reuters.com", "AP-NORC").
    mention_rx = re.compile(rf"(?<![\w@#/.-])(?:{_trie_pattern(aliases)})(?![\w-]|\.\w)")
    return Gazetteer(outlets, aliases, not_after, by_domain, by_fold, mention_rx)


def _trie_pattern(words: Iterable[str]) -> str:
    """One regex for many literals, shared prefixes merged: far faster than a flat alternation of 400 names.
    Longer continuations are tried first, so the longest alias wins ("Interfax-Ukraine" over "Interfax")."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        ends = "" in node
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if ends else body

    return build(trie)


#: Extra gazetteer files (same format), separated by os.pathsep: regional outlets, or a demo's fictional ones.
GAZETTEER_EXTRA_ENV = "NEWSFLOW_GAZETTEER_EXTRA"


def load_gazetteer(path: Path = GAZETTEER_PATH, extra: str | None = None) -> Gazetteer:
    """The bundled gazetteer plus the files named in NEWSFLOW_GAZETTEER_EXTRA (or `extra`); cached."""
    extra = os.environ.get(GAZETTEER_EXTRA_ENV, "") if extra is None else extra
    return _load_gazetteer(Path(path), extra)


@lru_cache(maxsize=4)
def _load_gazetteer(path: Path, extra: str) -> Gazetteer:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    for item in filter(None, extra.split(os.pathsep)):
        try:
            more = yaml.safe_load(Path(item).read_text(encoding="utf-8")) or {}
        except OSError as exc:
            raise ValueError(f"{GAZETTEER_EXTRA_ENV}: cannot read {item} ({exc.strerror}); fix or unset it") from None
        data = {**data, "outlets": list(data.get("outlets", [])) + list(more.get("outlets", []))}
    return _compile_gazetteer(data)


# --- results -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Citation:
    """One outlet an article cites as a source."""

    outlet: str  # gazetteer canonical name
    cited_kind: str  # "agency" | "outlet"
    kind: str  # "report" | "told" | "statement" | "agency_wire"
    sentence: str
    position: int  # paragraph index (0-based): the lead is position < LEAD_PARAGRAPHS
    offset: int  # character offset of the mention in the text
    rule: str  # the CueRule that matched, for debugging and tests
    alias: str  # the text that named the outlet


@dataclass(frozen=True)
class WireMark:
    """The article carries another newsroom's report."""

    agency: str  # gazetteer name, or the canonical URL's domain when the gazetteer does not know it
    evidence: str  # "dateline" | "byline" | "canonical" | "site_name" | "credit"
    detail: str  # the text or URL that showed it


# --- text helpers ------------------------------------------------------------------------------

_ABBREV = frozenset(
    "mr mrs ms dr sen rep gov gen col lt sgt st jan feb mar apr jun jul aug sep sept oct nov dec no vs etc inc co "
    "corp jr sr prof u.s u.k u.n e.u z.b nr bzw ca dt mme mlle sra sr dña art abs ff vol pp".split()
)
_BOUNDARY = re.compile(r"(?<=[.!?…])[\"”»’)]*\s+(?=[\"“«„(\[¿¡]?[A-ZÀ-ÖØ-ÞА-Я0-9])")


def _sentences(paragraph: str) -> Iterable[tuple[int, str]]:
    """(start offset, sentence) pairs; abbreviations ("Sen.", "U.S.") and initials do not end a sentence."""
    start = 0
    for m in _BOUNDARY.finditer(paragraph):
        word = re.search(r"([\w.]+)[.!?…]$", paragraph[start:m.start()].rstrip("\"”»’)"))
        # "Sen.", "U.S.", "L.A.", an initial: an abbreviation, not the end of a sentence.
        if word and (word.group(1).lower() in _ABBREV or len(word.group(1)) == 1 or "." in word.group(1)):
            continue
        yield start, paragraph[start:m.start()].strip()
        start = m.end()
    if paragraph[start:].strip():
        yield start, paragraph[start:].strip()


def _host(url: str | None) -> str:
    if not url:
        return ""
    try:
        host = (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""
    for prefix in ("www.", "amp.", "m.", "mobile."):
        if host.startswith(prefix) and host.count(".") >= 2:
            host = host[len(prefix):]
    return host


_SECOND_LEVEL = frozenset("co com org net gov ac edu or ne go gob nic".split())


def registrable_domain(url: str | None) -> str:
    """eTLD+1 without a suffix list: good enough for the news domains we see ("bbc.co.uk", "cnn.com")."""
    labels = _host(url).split(".")
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


# --- citations ---------------------------------------------------------------------------------


_COMPILED: dict[str, re.Pattern | None] = {}


def _compiled(rule: CueRule) -> re.Pattern | None:
    rx = _COMPILED.get(rule.name)
    if rx is None and rule.name not in _COMPILED:
        rx = _COMPILED[rule.name] = _compile_rule(rule)
    return rx


def _compile_rule(rule: CueRule) -> re.Pattern | None:
    if rule.side == "left":
        return re.compile(rf"(?P<cue>(?i:{rule.pattern})){SEP}{FILLER}$")
    if rule.side == "right":
        return re.compile(rule.pattern)
    return None


_FOLLOWER = re.compile(r"\s+([A-ZÀ-ÖØ-Þ][\w.-]*)")
_PREV_WORD = re.compile(r"([^\s„“”\"«»‚‘(]+)[\s„“”\"«»‚‘]*$")
_AGENCY_BEFORE = re.compile(rf"\b{AGENCY_NOUNS}{SEP}(?:[a-zà-ÿ]{{3,}}{SEP}){{0,2}}$")
_AGENCY_AFTER = re.compile(rf"^[\s„“”\"»]*{AGENCY_NOUNS}\b")
_PAREN_LEFT = re.compile(r"\(\s*$")
_PAREN_RIGHT = re.compile(r"^\s*\)")


def _vetoed(alias: Alias, gz: Gazetteer, right: str) -> bool:
    """False friends: "Reuters Institute", "Guardian Council", "AP exam", "Times Square", "El País Vasco"."""
    if alias.requires_after is not None and not alias.requires_after.match(right):
        return True
    rx = gz.not_after.get(alias.outlet.name)
    if rx is not None and rx.match(right):
        return True
    m = _FOLLOWER.match(right)
    # A capitalized word right after the name makes it part of a longer name (a street, a council, a course).
    return bool(m and m.group(1) not in FOLLOWER_OK)


def _part_of_name(left: str, person: bool) -> bool:
    """A capitalized word right before the mention ("Michael Bloomberg", "Mayor Bloomberg") makes it a name."""
    m = _PREV_WORD.search(left)
    if not m:
        return False
    word = m.group(1)
    if not word[:1].isupper() or word.endswith(("'s", "’s", ",", ";", ":")) or FILLER_TOKEN.fullmatch(word):
        return False
    sentence_initial = not left[: m.start()].strip()
    # "Yesterday CNN reported" is fine; "Michael Bloomberg said" is not, even at the start of a sentence.
    return person or not sentence_initial


def _classify(alias: Alias, left: str, right: str, rules: Sequence[CueRule]) -> tuple[CueRule, str] | None:
    """The first rule whose cue sits next to the mention, and the kind it gives."""
    for rule in rules:
        if rule.side == "left":
            if _compiled(rule).search(left):
                return rule, rule.kind
        elif rule.side == "right":
            if alias.person and not rule.strong:
                continue
            if _compiled(rule).match(right) and not _part_of_name(left, alias.person):
                return rule, rule.kind
        elif rule.side == "paren":
            if _PAREN_LEFT.search(left) and _PAREN_RIGHT.match(right):
                return rule, rule.kind
    return None


def _final_kind(kind: str, outlet: Outlet, left: str, right: str) -> str:
    if kind in ("told", "report") and STATEMENT_AFTER.match(right):
        return "statement"
    if kind == "report" and outlet.kind == "agency" and (_AGENCY_BEFORE.search(left) or _AGENCY_AFTER.match(right)):
        return "agency_wire"
    # Only a news agency has a wire: "CNN contributed to this report" is a plain report.
    if kind == "agency_wire" and outlet.kind != "agency":
        return "report"
    return kind


def _scan(text: str, own: Outlet | None, own_name: str | None, language: str | None, gz: Gazetteer):
    """All cited mentions in reading order, as (citation, is_self)."""
    rules = rules_for(language)
    skip_until = _dateline_end(text, gz)
    offset = 0
    for para_no, para in enumerate(text.split("\n")):
        for s_start, sentence in _sentences(para):
            s_abs = offset + para.find(sentence, s_start) if sentence else offset
            for m in gz.mention_rx.finditer(sentence):
                if s_abs + m.start() < skip_until:
                    continue  # the dateline's "(Reuters)" is a wire mark, not a citation
                alias = gz.aliases[m.group(0)]
                left = sentence[max(0, m.start() - LEFT_WINDOW): m.start()]
                right = sentence[m.end(): m.end() + RIGHT_WINDOW]
                if _vetoed(alias, gz, right):
                    continue
                hit = _classify(alias, left, right, rules)
                if hit is None:
                    continue
                rule, kind = hit
                outlet = alias.outlet
                is_self = outlet == own or (own is None and own_name is not None
                                            and own_name.casefold() == outlet.name.casefold())
                yield Citation(outlet.name, outlet.kind, _final_kind(kind, outlet, left, right), sentence, para_no,
                               s_abs + m.start(), rule.name, m.group(0)), is_self
        offset += len(para) + 1


def extract_citations(
    text: str, *, own_outlet: str | None = None, language: str | None = None, gazetteer: Gazetteer | None = None
) -> list[Citation]:
    """Outlets and agencies the text cites, one per (outlet, kind), first sentence kept; never the own outlet."""
    gz = gazetteer or load_gazetteer()
    own = gz.resolve(own_outlet)
    seen: set[tuple[str, str]] = set()
    out: list[Citation] = []
    for cit, is_self in _scan(text or "", own, own_outlet, language, gz):
        key = (cit.outlet, cit.kind)
        if is_self or key in seen:
            continue
        seen.add(key)
        out.append(cit)
    return out


_MARKER_RX = tuple((name, re.compile(pattern, re.M)) for name, pattern, _ in ORIGINAL_MARKERS)


def original_markers(
    text: str, *, own_outlet: str | None = None, language: str | None = None, gazetteer: Gazetteer | None = None
) -> list[str]:
    """Signs of the article's own reporting: it cites itself ("told the Guardian", "the BBC understands"),
    or says "our correspondent", "EXCLUSIVE:", "reporting from"."""
    gz = gazetteer or load_gazetteer()
    own = gz.resolve(own_outlet)
    found: list[str] = []
    if own is not None or own_outlet:
        for cit, is_self in _scan(text or "", own, own_outlet, language, gz):
            marker = f"self_{cit.kind}"
            if is_self and marker not in found:
                found.append(marker)
    for name, rx in _MARKER_RX:
        if rx.search(text or "") and name not in found:
            found.append(name)
    return found


# --- wire marks --------------------------------------------------------------------------------

# A dateline's place and date: capitalized words, numbers and short month abbreviations ("Madrid, 5 mar").
_PLACE = r"(?:[A-ZÀ-ÖØ-Þ][\w'’.-]*|\d{1,4}\.?|[a-zé]{1,4}\.?)(?:[\s,]+(?:[A-ZÀ-ÖØ-Þ][\w'’.-]*|\d{1,4}\.?|[a-zé]{1,4}\.?)){0,6}"
_DL_PAREN = re.compile(rf"^\s*(?:{_PLACE}\s*)?\(\s*([^()\n]{{1,60}}?)\s*\)\s*(?:\.?\s*[-–—:]+|\.-)?")
_DL_SLASH = re.compile(rf"^\s*(?:{_PLACE}\s*)?/\s*([^/\n]{{1,30}}?)\s*/\s*\.?")
_DL_BARE = re.compile(r"^\s*([A-Za-z][\w .-]{0,30}?)\s*(?:[-–—]{1,2}|:)\s+(?=\S)")
_BYLINE_LINE = re.compile(r"^\s*(?:By|BY|Von|VON|Par|PAR|Por|POR|Di|DI)\s+(.{2,60}?)\s*$")
_AUTHOR_SPLIT = re.compile(r"\s*(?:[,|/;•·]|\s(?:and|und|et|y|e|avec|with|for|für|pour|para)\s)\s*")
_STAFF = re.compile(r"\s+(?:staff|Staff|STAFF|Redaktion|newsroom|Newsroom|reporters?|writers?|wire|Wire|desk|Desk)$")
_CREDIT = re.compile(
    r"^\s*(?:(?:copyright|©|\(c\))\s*(?:©\s*)?(?:\d{4}(?:\s*[-–]\s*\d{4})?\s*,?\s*)?"
    r"|(?:this (?:story|article|report) (?:was )?(?:provided|supplied|distributed|written) by)\s+)"
    r"(?P<name>[^.,;\n]{2,60}?)\s*(?:\.|,|;|\s+all rights reserved|$)",
    re.I,
)


def _resolve_parts(raw: str, gz: Gazetteer) -> list[Outlet]:
    found = []
    # "Samira Khoury (Meridian Wire)": the agency often stands in parentheses after the reporter.
    for part in [raw, *_AUTHOR_SPLIT.split(raw), *re.findall(r"\(([^()]{1,60})\)", raw)]:
        part = part.strip().strip("()[]")
        # "Reuters staff" names Reuters, but "Meridian Wire" is a name that ends in a staff word: try it whole first.
        hit = gz.resolve(part) or gz.resolve(_STAFF.sub("", part))
        if hit and hit not in found:
            found.append(hit)
    return found


def _dateline(text: str, gz: Gazetteer) -> tuple[Outlet, str, int] | None:
    """The agency in a dateline at the very start of the text ("KYIV (Reuters) -", "AFP -", "/TASS/")."""
    head = text[:200]
    for rx in (_DL_PAREN, _DL_SLASH):
        m = rx.match(head)
        if m:
            hits = _resolve_parts(m.group(1), gz)
            if hits:
                return hits[0], m.group(0).strip(), m.end()
    m = _DL_BARE.match(head)
    if m:
        hit = gz.resolve(m.group(1))
        if hit:
            return hit, m.group(0).strip(), m.end()
    return None


def _dateline_end(text: str, gz: Gazetteer) -> int:
    dl = _dateline(text or "", gz)
    return dl[2] if dl else 0


def detect_wire(
    text: str,
    *,
    authors: Sequence[str] = (),
    url: str | None = None,
    canonical_url: str | None = None,
    site_name: str | None = None,
    own_outlet: str | None = None,
    gazetteer: Gazetteer | None = None,
) -> WireMark | None:
    """The wire report an article carries, by the strongest evidence: dateline, byline, canonical, site name, credit.

    An agency's own article is not a wire copy: evidence naming the own outlet (or the URL's outlet) is ignored.
    """
    gz = gazetteer or load_gazetteer()
    text = text or ""
    own = {o for o in (gz.resolve(own_outlet), gz.outlet_for_url(url)) if o is not None}

    def other(outlet: Outlet | None) -> bool:
        return outlet is not None and outlet not in own

    dl = _dateline(text, gz)
    if dl and other(dl[0]):
        return WireMark(dl[0].name, "dateline", dl[1])
    first_line = text.split("\n", 1)[0]
    by = _BYLINE_LINE.match(first_line)
    for raw in [*(a for a in authors or () if a), *([by.group(1)] if by else [])]:
        raw = re.sub(r"^(?:By|Von|Par|Por)\s+", "", raw.strip())
        for hit in _resolve_parts(raw, gz):
            if other(hit):
                return WireMark(hit.name, "byline", raw)
    if canonical_url and url and registrable_domain(canonical_url) and \
            registrable_domain(canonical_url) != registrable_domain(url):
        target = gz.outlet_for_url(canonical_url)
        same = target is not None and target == gz.outlet_for_url(url)
        if not same and (target is None or other(target)):
            return WireMark(target.name if target else registrable_domain(canonical_url), "canonical", canonical_url)
    site = gz.resolve(site_name)
    # Only when we know whose page it is: otherwise site_name is just the publisher naming itself.
    if own and other(site):
        return WireMark(site.name, "site_name", site_name or "")
    for para in [p for p in text.split("\n") if p.strip()][-3:]:
        m = _CREDIT.match(para)
        if m:
            hit = gz.resolve(m.group("name"))
            if other(hit):
                return WireMark(hit.name, "credit", para.strip()[:200])
    return None


# --- per story ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoryArticle:
    """One member article of a story, as provenance sees it."""

    article_id: int
    outlet: str
    published_at: datetime | None
    first_seen_at: datetime
    title: str | None = None
    citations: tuple[Citation, ...] = ()
    wire: WireMark | None = None
    is_copy: bool = False
    original_markers: tuple[str, ...] = ()

    @property
    def at(self) -> datetime:
        # Same clock as newsflow.story_coverage: the publisher's date when it gives one.
        return self.published_at or self.first_seen_at


@dataclass(frozen=True)
class HeadlineChange:
    outlet: str
    at: datetime
    headline: str
    article_id: int


@dataclass(frozen=True)
class StoryProvenance:
    first_outlet: str | None  # the wire agency when the first article is a wire copy
    first_published_at: datetime | None
    first_article_id: int | None
    original_outlets: tuple[str, ...]
    relaying_outlets: tuple[str, ...]  # outlets whose every article in the story is a relay
    wire_agencies: tuple[str, ...]
    citation_graph: dict[tuple[str, str], int]  # (citing outlet, cited outlet) -> citing articles
    headline_timeline: tuple[HeadlineChange, ...]
    relay_reasons: dict[int, str] = field(default_factory=dict)  # article_id -> why it is a relay


def outlet_key(name: str, gazetteer: Gazetteer | None = None) -> str:
    """The name citations use for an outlet: the gazetteer's canonical name when it knows the outlet."""
    gz = gazetteer or load_gazetteer()
    hit = gz.resolve(name)
    return hit.name if hit else name


def relay_reason(article: StoryArticle, story_outlet_keys: frozenset[str], gazetteer: Gazetteer | None = None) -> str | None:
    """Why an article relays others' reporting, or None when it is original. The rule, in order:

    1. "copy": the dedup stage marked it a copy of an earlier article;
    2. "wire": it carries a wire mark (dateline, byline, canonical, site name, credit);
    3. "lead_citation": it has no original-reporting marker and a citation in its lead (first LEAD_PARAGRAPHS
       paragraphs) names a news agency or another outlet that has an article in the same story.
    """
    if article.is_copy:
        return "copy"
    if article.wire is not None:
        return "wire"
    if article.original_markers:
        return None
    own = outlet_key(article.outlet, gazetteer)
    for c in article.citations:
        if c.position < LEAD_PARAGRAPHS and (c.cited_kind == "agency" or (c.outlet in story_outlet_keys and c.outlet != own)):
            return "lead_citation"
    return None


def _norm_headline(title: str | None) -> str:
    return " ".join((title or "").casefold().split())


def story_provenance(members: Sequence[StoryArticle], gazetteer: Gazetteer | None = None) -> StoryProvenance:
    """First reporter, original vs relaying outlets, wire agencies, citation graph and headline timeline of a story."""
    gz = gazetteer or load_gazetteer()
    ordered = sorted(members, key=lambda a: (a.at, a.first_seen_at, a.article_id))
    if not ordered:
        return StoryProvenance(None, None, None, (), (), (), {}, ())
    keys = frozenset(outlet_key(a.outlet, gz) for a in ordered)
    reasons = {a.article_id: r for a in ordered if (r := relay_reason(a, keys, gz)) is not None}
    original = sorted({a.outlet for a in ordered if a.article_id not in reasons})
    relaying = sorted({a.outlet for a in ordered if a.article_id in reasons} - set(original))
    first = ordered[0]
    graph = Counter((a.outlet, c.outlet) for a in ordered for c in {c.outlet: c for c in a.citations}.values())
    timeline: list[HeadlineChange] = []
    for a in ordered:
        # Only changes: a headline equal to the previous one (a copy, a re-post) adds nothing.
        if a.title and (not timeline or _norm_headline(timeline[-1].headline) != _norm_headline(a.title)):
            timeline.append(HeadlineChange(a.outlet, a.at, a.title, a.article_id))
    return StoryProvenance(
        first_outlet=first.wire.agency if first.wire else first.outlet,
        first_published_at=first.at,
        first_article_id=first.article_id,
        original_outlets=tuple(original),
        relaying_outlets=tuple(relaying),
        wire_agencies=tuple(sorted({a.wire.agency for a in ordered if a.wire})),
        citation_graph=dict(graph),
        headline_timeline=tuple(timeline),
        relay_reasons=reasons,
    )


# --- warehouse ---------------------------------------------------------------------------------

CITATION_COLUMNS = ("article_id", "cited_outlet", "cited_kind", "kind", "sentence", "position")
WIRE_COLUMNS = ("article_id", "agency", "evidence", "detail")
ANALYSIS_COLUMNS = ("article_id", "outlet_key", "original_markers", "version")


@dataclass(frozen=True)
class ArticleProvenance:
    article_id: int
    outlet_key: str
    citations: tuple[Citation, ...]
    wire: WireMark | None
    original_markers: tuple[str, ...]


def analyse_article(
    article_id: int, outlet: str, text: str, authors: Sequence[str] | None, url: str | None,
    canonical_url: str | None, site_name: str | None, language: str | None, gazetteer: Gazetteer | None = None,
) -> ArticleProvenance:
    gz = gazetteer or load_gazetteer()
    return ArticleProvenance(
        article_id=article_id,
        outlet_key=outlet_key(outlet, gz),
        citations=tuple(extract_citations(text, own_outlet=outlet, language=language, gazetteer=gz)),
        wire=detect_wire(text, authors=list(authors or ()), url=url, canonical_url=canonical_url,
                         site_name=site_name, own_outlet=outlet, gazetteer=gz),
        original_markers=tuple(original_markers(text, own_outlet=outlet, language=language, gazetteer=gz)),
    )


def load_provenance(conn, rows: Iterable[Sequence]) -> dict[str, int]:
    """Analyse (article_id, outlet, text, authors, url, canonical_url, site_name, language) rows and store the
    results in one transaction. Re-analysing an article replaces its citations and wire mark."""
    from newsflow.warehouse.db import transaction

    with transaction(conn) as cur:
        return write_provenance(cur, rows)


def write_provenance(cur, rows: Iterable[Sequence]) -> dict[str, int]:
    """`load_provenance` inside the caller's transaction (the extraction stage's, so both land or neither)."""
    from newsflow.warehouse.db import copy_rows, create_stage, load_sql

    gz = load_gazetteer()
    results = [analyse_article(*row[:8], gazetteer=gz) for row in rows]
    if not results:
        return {"articles": 0, "citations": 0, "wire_marks": 0}
    citations = [(r.article_id, c.outlet, c.cited_kind, c.kind, c.sentence, c.position)
                 for r in results for c in r.citations]
    wires = [(r.article_id, r.wire.agency, r.wire.evidence, r.wire.detail) for r in results if r.wire]
    analysed = [(r.article_id, r.outlet_key, list(r.original_markers), PROVENANCE_VERSION) for r in results]
    create_stage(cur, "stage_article_provenance", "article_provenance", ANALYSIS_COLUMNS)
    copy_rows(cur, "stage_article_provenance", ANALYSIS_COLUMNS, analysed)
    create_stage(cur, "stage_article_citations", "article_citations", CITATION_COLUMNS)
    copy_rows(cur, "stage_article_citations", CITATION_COLUMNS, citations)
    create_stage(cur, "stage_article_wire_marks", "article_wire_marks", WIRE_COLUMNS)
    copy_rows(cur, "stage_article_wire_marks", WIRE_COLUMNS, wires)
    cur.execute(load_sql("upsert_provenance"))
    return {"articles": len(results), "citations": len(citations), "wire_marks": len(wires)}
