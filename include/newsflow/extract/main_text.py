"""Main-text extraction: trafilatura first, readability-lxml as the second opinion.

Returns plain text, one paragraph or subheading per line, plus the name of the method that won.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from copy import deepcopy

from lxml import html as lxml_html

from newsflow.extract.limits import Deadline

#: Trafilatura's precision mode scored best alone on the DEV split (see docs/extraction.md).
TRAFILATURA_OPTIONS = dict(
    favor_precision=True,
    include_comments=False,
    include_tables=True,
    include_images=False,
    include_links=False,
    deduplicate=False,
    with_metadata=False,
    # Skips trafilatura's internal readability / jusText comparison: it re-prunes the raw tree
    # with regex XPaths (Python callbacks per element) and runs a second readability, about a
    # third of its time; our own second opinion below covers the same failure (on DEV, F1
    # goes from 0.979 to 0.980 with it: docs/extraction.md).
    fast=True,
)
#: Below this many words, trafilatura's result is doubted and the alternatives are tried.
MIN_CONFIDENT_WORDS = 100
#: Readability runs only when a container of paragraphs (the parent or grandparent of <p>
#: elements, the candidates readability itself scores) holds this many times trafilatura's words.
GATE_RATIO = 1.1
#: Paragraphs shorter than this many words are not counted (readability skips them too).
GATE_MIN_PARAGRAPH_WORDS = 5
#: Readability wins when it returns this many times trafilatura's words ...
SECOND_OPINION_RATIO = 1.3
#: ... and contains at least this share of trafilatura's text (so it is the same article).
MIN_COVERAGE = 0.9
#: Word n-gram size for containment checks (the benchmark metric uses 4 as well).
SHINGLE = 4
#: Block-level tags whose text becomes one line of readability's output.
_BLOCK_TAGS = frozenset("p h1 h2 h3 h4 h5 h6 li blockquote pre dd dt figcaption td th tr div section article".split())
_WORD = re.compile(r"\w+", re.U)


@dataclass(frozen=True)
class MainText:
    text: str
    method: str


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def run_trafilatura(tree: lxml_html.HtmlElement, url: str | None, **overrides) -> str:
    """Trafilatura on a copy of the (already pruned) tree: it modifies the tree it is given."""
    import trafilatura

    options = {**TRAFILATURA_OPTIONS, **overrides}
    return trafilatura.extract(deepcopy(tree), url=url or None, **options) or ""


def _fast_readability_class():
    """readability-lxml's Document, fed our parsed tree instead of a string.

    Its own parse step re-parses the page and runs lxml's Cleaner (about half of its time);
    our tree is already parsed and pruned, so the override only drops what Cleaner would
    (scripts, styles, links) and what readability hides itself (hidden / display:none).
    """
    from lxml import etree
    from readability import Document

    class TreeDocument(Document):
        def _parse(self, input):  # readability-lxml 0.9 hook: called before every pass
            doc = deepcopy(input)
            etree.strip_elements(doc, "script", "style", "link", "noscript", with_tail=False)
            for elem in doc.xpath("//*[@hidden] | //*[contains(translate(@style, ' ', ''), 'display:none')]"):
                if elem.getparent() is not None:
                    elem.drop_tree()
            self.encoding = "utf-8"
            return doc

    return TreeDocument


_TreeDocument = None


def run_readability(tree: lxml_html.HtmlElement) -> str:
    """readability-lxml's article of the pruned tree, one line per block element."""
    global _TreeDocument
    if _TreeDocument is None:
        _TreeDocument = _fast_readability_class()
    summary = _TreeDocument(tree).summary(html_partial=True)
    if not summary.strip():
        return ""
    return "\n".join(_block_lines(lxml_html.fromstring(summary)))


def _block_lines(tree) -> list[str]:
    """Text of a tree as lines: a new line at every block element boundary."""
    lines: list[str] = []
    current: list[str] = []

    def flush() -> None:
        line = " ".join("".join(current).split())
        if line:
            lines.append(line)
        current.clear()

    def walk(node) -> None:
        if not isinstance(node.tag, str) or node.tag in ("script", "style"):
            if node.tail:
                current.append(node.tail)
            return
        block = node.tag in _BLOCK_TAGS
        if block:
            flush()
        if node.tag == "br":
            flush()
        if node.text:
            current.append(node.text)
        for child in node:
            walk(child)
        if block:
            flush()
        if node.tail:
            current.append(node.tail)

    walk(tree)
    flush()
    return lines


def _shingles(text: str) -> set[tuple[str, ...]]:
    tokens = _WORD.findall(text)
    return {tuple(tokens[i : i + SHINGLE]) for i in range(max(1, len(tokens) - SHINGLE + 1))} if tokens else set()


def coverage(part: str, whole: str) -> float:
    """Share of `part`'s word 4-grams that also occur in `whole` (1.0 = fully contained)."""
    mine = _shingles(part)
    return len(mine & _shingles(whole)) / len(mine) if mine else 1.0


def container_words(tree: lxml_html.HtmlElement) -> int:
    """Most paragraph words under one container: each <p> counts for its parent and its
    grandparent, the elements readability scores as article candidates. A cheap estimate of
    the article readability would find; far tighter than all of the page's paragraphs."""
    totals: dict = {}
    for p in tree.iter("p"):
        words = len(_WORD.findall(p.text_content()))
        if words < GATE_MIN_PARAGRAPH_WORDS:
            continue
        parent = p.getparent()
        if parent is None:
            continue
        totals[parent] = totals.get(parent, 0) + words
        grandparent = parent.getparent()
        if grandparent is not None:
            totals[grandparent] = totals.get(grandparent, 0) + words
    return max(totals.values(), default=0)


def prefer_second_opinion(primary: str, second: str) -> bool:
    """Take readability over trafilatura when it returns much more text that contains
    trafilatura's: trafilatura then stopped early inside the article (e.g. at an inline widget)."""
    return _words(second) > SECOND_OPINION_RATIO * _words(primary) and coverage(primary, second) >= MIN_COVERAGE


def extract_main_text(tree: lxml_html.HtmlElement, url: str | None, deadline: Deadline) -> MainText:
    """The article body of a pruned page: trafilatura (precision), checked against readability."""
    primary = MainText(run_trafilatura(tree, url), "trafilatura")
    words = _words(primary.text)
    if not deadline.allows_optional():
        return primary
    candidates = [primary]
    if words < MIN_CONFIDENT_WORDS:
        # Precision mode sometimes keeps only a fragment of short or unusual pages.
        recall = run_trafilatura(tree, url, favor_precision=False, favor_recall=True)
        candidates.append(MainText(recall, "trafilatura-recall"))
    # Readability is only worth its cost when one container holds clearly more paragraph text.
    if (words < MIN_CONFIDENT_WORDS or container_words(tree) > GATE_RATIO * words) and deadline.allows_optional():
        try:
            second = MainText(run_readability(tree), "readability")
        except Exception:  # readability chokes on some markup; trafilatura's answer stands
            second = MainText("", "readability")
        if prefer_second_opinion(primary.text, second.text):
            return second
        candidates.append(second)
    if words >= MIN_CONFIDENT_WORDS:
        return primary
    return max(candidates, key=lambda c: _words(c.text))
