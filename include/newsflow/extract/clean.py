"""The cleaning pass: drop debris lines (promos, prompts, labels) from extracted text.

The rules live in `cleaning_rules.py`; this module only applies them, in order, line by line.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lxml import etree

from newsflow.extract.cleaning_rules import (
    BLOCK,
    DOM_MAX_TEXT_SHARE,
    DOM_RULES,
    END,
    END_MAX_LINES,
    HEAD,
    HEAD_MAX_LINES,
    LINE,
    PROMO_MAX_WORDS,
    RULES,
    TAIL,
    TAIL_START_FRACTION,
    DomRule,
    Rule,
)

#: The headline is looked for on this many leading lines of the text.
TITLE_SEARCH_LINES = 2
#: How extractors mark list items; a promo label is followed by such lines.
LIST_MARKERS = ("- ", "• ", "* ", "– ")
_WORD = re.compile(r"\w+", re.U)

_SPACES = re.compile(r"[ \t\u00a0\u2009\u200a\u202f]+")
_ZERO_WIDTH = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff]")


def normalize_lines(text: str) -> list[str]:
    """Split text into non-empty lines with normalised spacing."""
    lines = []
    for line in _ZERO_WIDTH.sub("", text or "").split("\n"):
        line = _SPACES.sub(" ", line).strip()
        if line:
            lines.append(line)
    return lines


def matching_rule(line: str, rules: tuple[Rule, ...] = RULES, kinds: frozenset[str] | None = None) -> Rule | None:
    """The first rule (of the given kinds) that matches the whole line, if any."""
    words = len(line.split())
    for rule in rules:
        if (kinds is None or rule.kind in kinds) and words <= rule.max_words and rule.pattern.fullmatch(line):
            return rule
    return None


def _tokens(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def drop_title(lines: list[str], title: str | None) -> list[str]:
    """Drop the headline when the text repeats it on its first lines: it has its own field."""
    wanted = _tokens(title or "")
    if not wanted:
        return lines
    for index, line in enumerate(lines[:TITLE_SEARCH_LINES]):
        if _tokens(line) == wanted:
            return lines[:index] + lines[index + 1 :]
    return lines


_ANYWHERE = frozenset({LINE, TAIL, BLOCK})


def clean_lines(lines: list[str], rules: tuple[Rule, ...] = RULES, title: str | None = None) -> tuple[list[str], list[str]]:
    """(kept lines, names of the rules that fired).

    LINE rules drop a line anywhere, TAIL rules cut the rest of the text (in its second half),
    BLOCK rules drop a bare label with the list items under it; HEAD and END rules then peel
    datelines and credits off the start and the end of what is left.
    """
    lines = drop_title(lines, title)
    kept: list[str] = []
    fired: list[str] = []
    tail_start = len(lines) * TAIL_START_FRACTION
    in_block = False
    for index, line in enumerate(lines):
        if in_block and line.startswith(LIST_MARKERS) and len(line.split()) <= PROMO_MAX_WORDS:
            fired.append("promo-label")
            continue
        in_block = False
        rule = matching_rule(line, rules, _ANYWHERE)
        if rule is None:
            kept.append(line)
            continue
        fired.append(rule.name)
        if rule.kind == TAIL and index >= tail_start:
            break
        in_block = rule.kind == BLOCK
    peeled = 0
    while kept and peeled < HEAD_MAX_LINES and (rule := matching_rule(kept[0], rules, frozenset({HEAD}))):
        fired.append(rule.name)
        kept.pop(0)
        peeled += 1
    peeled = 0
    while kept and peeled < END_MAX_LINES and (rule := matching_rule(kept[-1], rules, frozenset({END}))):
        fired.append(rule.name)
        kept.pop()
        peeled += 1
    return kept, fired


def clean_text(text: str, rules: tuple[Rule, ...] = RULES, title: str | None = None) -> str:
    """Text with debris lines removed, paragraphs joined by a newline."""
    return "\n".join(clean_lines(normalize_lines(text), rules, title)[0])


def _text_size(node) -> int:
    """Characters of text under node (serialised in C: far cheaper than itertext)."""
    return len(etree.tostring(node, method="text", encoding="unicode", with_tail=False))


def dom_rule_for(node, rules: tuple[DomRule, ...] = DOM_RULES) -> DomRule | None:
    """The first DOM rule matching this element, if any."""
    tag = node.tag
    if not isinstance(tag, str):
        return None
    tokens = None
    for rule in rules:
        if tag not in rule.tags:
            continue
        if not rule.tokens:
            return rule
        if tokens is None:
            tokens = set((node.get("class") or "").lower().split())
            tokens.add((node.get("id") or "").lower())
        if tokens & rule.tokens:
            return rule
    return None


#: Every class and id value of a page, as plain strings (no element proxies are built).
_ATTRIBUTE_VALUES = etree.XPath("//@class | //@id", smart_strings=False)


@lru_cache(maxsize=8)
def _rule_tokens(rules: tuple[DomRule, ...]) -> tuple[frozenset[str], frozenset[str]]:
    """(every token of the token rules, tags of the rules matching any element)."""
    tokens = frozenset().union(*(r.tokens for r in rules if r.tokens))
    any_element = frozenset().union(*(r.tags for r in rules if not r.tokens))
    return tokens, any_element


def _xpath_literal(value: str) -> str:
    """An XPath 1.0 string literal for any value (concat() when it holds both quote kinds)."""
    if "'" not in value:
        return f"'{value}'"
    if '"' not in value:
        return f'"{value}"'
    return "concat(" + ", \"'\", ".join(f"'{part}'" for part in value.split("'")) + ")"


def _candidates(tree, rules: tuple[DomRule, ...]) -> list:
    """Elements a rule could match, in document order, found without a Python proxy per element.

    Building a proxy for every lxml.html element (a Python class lookup each) used to be most of
    the pruning cost. Instead, the page's distinct class / id values are read as strings, the
    few holding a rule token are picked in Python, and one XPath over the attributes selects
    the elements carrying exactly those values; `dom_rule_for` then checks each of them.
    """
    tokens, any_element = _rule_tokens(rules)
    values = []
    for value in set(_ATTRIBUTE_VALUES(tree)):
        lowered = value.lower()
        if lowered in tokens or not tokens.isdisjoint(lowered.split()):
            values.append(value)
    paths = [f"//{tag}" for tag in sorted(any_element)]
    if values:
        equal = " or ".join(f".={_xpath_literal(v)}" for v in sorted(values))
        paths += [f"//@class[{equal}]/..", f"//@id[{equal}]/.."]
    return tree.xpath(" | ".join(paths)) if paths else []


def prune_dom(tree, rules: tuple[DomRule, ...] = DOM_RULES) -> list[str]:
    """Remove debris elements from the parsed page in place; returns the names of rules that fired.

    An element holding a large share of the page's text is kept: it is a wrapper of the article.
    """
    matches = [(node, rule) for node in _candidates(tree, rules) if (rule := dom_rule_for(node, rules))]
    if not matches:
        return []
    body = tree.find(".//body")
    limit = max(200, _text_size(body if body is not None else tree) * DOM_MAX_TEXT_SHARE)
    fired: list[str] = []
    for node, rule in matches:
        if node.getparent() is None or _text_size(node) > limit:
            continue
        node.drop_tree()
        fired.append(rule.name)
    return fired
