"""Quality status of an extracted article: ok, empty, too_short, paywalled or not_article.

Statuses are decided from the text and a few page signals; `failed` is set by the caller on errors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree
from lxml import html as lxml_html

#: An article body shorter than this many words is kept but flagged `too_short`.
MIN_ARTICLE_WORDS = 60
#: With a paywall marker, a text shorter than this is a teaser, not the article.
PAYWALL_TEASER_MAX_WORDS = 250
#: A page whose visible text is mostly link text is an index / section front.
LISTING_LINK_DENSITY = 0.55
#: A text whose lines are mostly whole link texts is a list of headlines, whatever its length.
LISTING_LINKED_LINES = 0.5
#: Listings rarely yield more than this many words of prose; longer texts are articles
#: even on link-heavy pages.
LISTING_MAX_WORDS = 400
#: Paywall texts are searched in this much of the page's visible text at most.
MAX_SCANNED_CHARS = 500_000
#: Scripts where words are not separated by spaces: each character counts as a word.
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"\w+", re.U)

#: Text shown instead of (or after) a paywalled article, in the benchmark's languages.
PAYWALL_TEXTS = re.compile(
    r"(subscribe|subscription|sign in|log in) to (continue|keep) reading|"
    r"this (article|story|content) is (only )?(available )?(exclusively )?(for|to) (paying )?subscribers|"
    r"(already a|become a) subscriber\?|to continue reading,? (please )?(subscribe|log in|sign in)|"
    r"you('ve| have) (reached|used) (your|all of your) (free|monthly) (article|story|limit)|"
    r"dieser (artikel|beitrag|inhalt) ist (nur )?(für|exklusiv für) (abonnenten|abonnements|abonnierende)|"
    r"(weiterlesen|jetzt weiterlesen) mit (z\+|sz plus|f\+|spiegel\+|\w+\+)|"
    r"(cet article est |article )?réservé aux abonnés|la suite est réservée aux abonnés|"
    r"(este|el) (artículo|contenido) es exclusivo para suscriptores|contenido exclusivo para suscriptores|"
    r"(conteúdo|matéria) exclusiv[oa] para assinantes|articolo riservato agli abbonati|"
    r"(материал|статья) доступ(ен|на) (только )?(для )?подписчик",
    re.I | re.U,
)
#: Every match of PAYWALL_TEXTS contains one of these (lower-case) strings. Scanning a whole
#: page with the full pattern costs ~15 ms (an alternation tried at every position); finding
#: these in C and trying the pattern only around them costs well under 1 ms.
PAYWALL_KEYWORDS = (
    "continue reading", "keep reading", "subscriber", "free article", "free story", "free limit",
    "monthly article", "monthly story", "monthly limit", "abonn", "weiterlesen mit",
    "para suscriptores", "para assinantes", "agli abbonati", "подписчик",
)
#: Characters on each side of a keyword that the pattern is tried on (longer than any match).
PAYWALL_WINDOW = 120


def has_paywall_text(text: str) -> bool:
    """PAYWALL_TEXTS.search(text), tried only around the keywords every match contains."""
    lowered = text.lower()
    for keyword in PAYWALL_KEYWORDS:
        start = lowered.find(keyword)
        while start != -1:
            if PAYWALL_TEXTS.search(lowered, max(0, start - PAYWALL_WINDOW), start + len(keyword) + PAYWALL_WINDOW):
                return True
            start = lowered.find(keyword, start + len(keyword))
    return False


#: Whole class tokens / ids of paywall overlays and truncated-article containers. Whole tokens:
#: login widgets are often called "paywall-login-link" on pages that are free to read.
PAYWALL_CLASSES = frozenset(
    "paywall pay-wall paywall-overlay paywall-container article-paywall paywall-content subscriber-only "
    "subscribers-only premium-content premium-article regwall piano-offer meteredcontent js-paywall".split()
)
#: Fewer extracted lines than this say too little about whether the text is a list of links.
LISTING_MIN_LINES = 5


@dataclass(frozen=True)
class PageSignals:
    """What the page (not the text) says about itself."""

    link_density: float = 0.0  # share of visible body text inside <a>
    linked_lines: float = 0.0  # share of the extracted lines that are a link's whole text
    page_type: str | None = None  # "article", "listing" or None, from metadata
    accessible_for_free: bool | None = None  # schema.org isAccessibleForFree
    paywall_marker: bool = False  # a paywall text or overlay class is present


def word_count(text: str) -> int:
    """Words of the text; CJK characters count one each, as those scripts do not use spaces."""
    cjk = len(_CJK.findall(text))
    if not cjk:
        return len(_WORD.findall(text))
    return len(_WORD.findall(_CJK.sub(" ", text))) + cjk


_INVISIBLE = frozenset(("script", "style", "noscript", "template"))
_NOT_INVISIBLE = " or ".join(f"ancestor::{tag}" for tag in sorted(_INVISIBLE))
#: Text pieces (texts and tails) under a node, outside scripts and styles, as plain strings:
#: evaluated in libxml2, without a Python proxy per element (those are the expensive part).
_VISIBLE_TEXTS = etree.XPath(f".//text()[not({_NOT_INVISIBLE})]", smart_strings=False)
#: The same, only inside links.
_LINK_TEXTS = etree.XPath(f".//a//text()[not({_NOT_INVISIBLE})]", smart_strings=False)
#: Every class and id value of the page, as plain strings.
_ATTRIBUTE_VALUES = etree.XPath("//@class | //@id", smart_strings=False)


def _visible_texts(node: lxml_html.HtmlElement) -> list[str]:
    """Text pieces under node, skipping scripts and styles (itertext would include them)."""
    return _VISIBLE_TEXTS(node)


def has_paywall_class(tree: lxml_html.HtmlElement) -> bool:
    """True when an element of the page has a paywall class token or id (whole tokens)."""
    return any(not PAYWALL_CLASSES.isdisjoint(value.lower().split()) for value in set(_ATTRIBUTE_VALUES(tree)))


def page_signals(
    tree: lxml_html.HtmlElement, page_type: str | None, accessible_for_free: bool | None, text: str, words: int
) -> PageSignals:
    """Measure link density and look for paywall markers, but only where `classify` needs them:
    long texts are never listings, and paywall texts only matter for teaser-length texts."""
    body = tree.find(".//body")
    body = body if body is not None else tree
    density = 0.0
    if 0 < words < LISTING_MAX_WORDS and page_type != "article":
        total = sum(len(t.strip()) for t in _visible_texts(body))
        link = sum(len(t.strip()) for t in _LINK_TEXTS(body))
        density = link / total if total else 0.0
    linked = 0.0
    if words and page_type != "article":
        lines = [line.lstrip("-•* ").strip() for line in text.split("\n") if line.strip()]
        if len(lines) >= LISTING_MIN_LINES:
            anchors = {" ".join(a.text_content().split()) for a in body.iter("a")}
            linked = sum(line in anchors for line in lines) / len(lines)
    marker = False
    if 0 < words < PAYWALL_TEASER_MAX_WORDS:
        marker = has_paywall_class(tree) or has_paywall_text(" ".join(_visible_texts(body))[:MAX_SCANNED_CHARS])
    return PageSignals(link_density=density, linked_lines=linked, page_type=page_type, accessible_for_free=accessible_for_free, paywall_marker=marker)


def classify(text: str, words: int, signals: PageSignals) -> tuple[str, str | None]:
    """(status, reason). Checked from the most to the least specific verdict."""
    if words == 0:
        return "empty", "no main text found"
    paywalled = signals.accessible_for_free is False or signals.paywall_marker
    if paywalled and (words < PAYWALL_TEASER_MAX_WORDS or PAYWALL_TEXTS.search(text[-600:])):
        return "paywalled", "paywall marker with a teaser-length text"
    if signals.page_type != "article" and (
        signals.linked_lines > LISTING_LINKED_LINES
        or (words < LISTING_MAX_WORDS and (signals.page_type == "listing" or signals.link_density > LISTING_LINK_DENSITY))
    ):
        return "not_article", f"index-like page (link density {signals.link_density:.2f}, linked lines {signals.linked_lines:.2f})"
    if words < MIN_ARTICLE_WORDS:
        return "too_short", f"{words} words < {MIN_ARTICLE_WORDS}"
    return "ok", None
