"""Quality status of an extracted article: ok, empty, too_short, paywalled or not_article.

Statuses are decided from the text and a few page signals; `failed` is set by the caller on errors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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


def _visible_texts(node: lxml_html.HtmlElement):
    """Text pieces under node, skipping scripts and styles (itertext would include them)."""
    for element in node.iter():
        if not isinstance(element.tag, str) or element.tag in _INVISIBLE:
            if element is not node and element.tail:
                yield element.tail
            continue
        if element.text:
            yield element.text
        if element is not node and element.tail:
            yield element.tail


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
        link = sum(len(t.strip()) for a in body.iter("a") for t in _visible_texts(a))
        density = link / total if total else 0.0
    linked = 0.0
    if words and page_type != "article":
        anchors = {" ".join(a.text_content().split()) for a in body.iter("a")}
        lines = [line.lstrip("-•* ").strip() for line in text.split("\n") if line.strip()]
        linked = sum(line in anchors for line in lines) / len(lines) if len(lines) >= LISTING_MIN_LINES else 0.0
    marker = False
    if 0 < words < PAYWALL_TEASER_MAX_WORDS:
        for node in body.xpath("//*[@class or @id]"):
            tokens = f"{node.get('class', '')} {node.get('id', '')}".lower().split()
            if not PAYWALL_CLASSES.isdisjoint(tokens):
                marker = True
                break
        marker = marker or bool(PAYWALL_TEXTS.search(" ".join(_visible_texts(body))[:MAX_SCANNED_CHARS]))
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
