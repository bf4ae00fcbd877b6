"""Load and validate the feeds file (`include/feeds.yaml` or `--feeds FILE`).

Fails fast on bad configuration with a message that names the file and line of the mistake.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from newsflow.models import FeedSpec, Politeness

FEED_KEYS = {"url", "outlet", "language", "tags", "politeness", "min_delay_s", "max_concurrency_per_host", "tier"}
TOP_KEYS = {"feeds", "politeness"}
POLITENESS_KEYS = {"min_delay_s", "max_concurrency_per_host"}
TIERS = ("daily", "fast")
MAX_FEEDS = 10_000


class FeedsConfigError(ValueError):
    """The feeds file is wrong; the message names the line."""


@dataclass(frozen=True)
class FeedsConfig:
    feeds: tuple[FeedSpec, ...]
    politeness: Politeness = field(default_factory=Politeness)
    path: str = ""

    def politeness_for(self, feed: FeedSpec) -> Politeness:
        return feed.politeness or self.politeness


def _where(path: str, node: yaml.Node) -> str:
    return f"{path}:{node.start_mark.line + 1}"


def _scalar(path: str, node: yaml.Node, what: str) -> str:
    if not isinstance(node, yaml.ScalarNode):
        raise FeedsConfigError(f"{_where(path, node)}: {what} must be a single value, not a list or mapping")
    return node.value


def _number(path: str, node: yaml.Node, what: str, *, integer: bool, minimum: float) -> float:
    raw = _scalar(path, node, what)
    try:
        value = int(raw) if integer else float(raw)
    except ValueError:
        kind = "a whole number" if integer else "a number"
        raise FeedsConfigError(f"{_where(path, node)}: {what} must be {kind}, got {raw!r}") from None
    if value < minimum:
        raise FeedsConfigError(f"{_where(path, node)}: {what} must be at least {minimum}, got {raw}")
    return value


def _mapping(path: str, node: yaml.Node, what: str, allowed: set[str]) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    if not isinstance(node, yaml.MappingNode):
        raise FeedsConfigError(f"{_where(path, node)}: {what} must be a mapping of key: value")
    out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
    for key_node, value_node in node.value:
        key = _scalar(path, key_node, "a key")
        if key not in allowed:
            hint = ", ".join(sorted(allowed))
            raise FeedsConfigError(f"{_where(path, key_node)}: unknown key {key!r} in {what} (allowed: {hint})")
        if key in out:
            raise FeedsConfigError(f"{_where(path, key_node)}: key {key!r} appears twice in {what}")
        out[key] = (key_node, value_node)
    return out


def _politeness(path: str, entries: dict[str, tuple[yaml.Node, yaml.Node]], base: Politeness) -> Politeness:
    delay = base.min_delay_s
    conc = base.max_concurrency_per_host
    if "min_delay_s" in entries:
        delay = _number(path, entries["min_delay_s"][1], "min_delay_s", integer=False, minimum=0)
    if "max_concurrency_per_host" in entries:
        conc = int(_number(path, entries["max_concurrency_per_host"][1], "max_concurrency_per_host", integer=True, minimum=1))
    return Politeness(min_delay_s=float(delay), max_concurrency_per_host=conc)


def _feed(path: str, node: yaml.Node, base: Politeness) -> FeedSpec:
    entries = _mapping(path, node, "a feed", FEED_KEYS)
    line = node.start_mark.line + 1
    if "url" not in entries:
        raise FeedsConfigError(f"{path}:{line}: feed has no 'url'")
    if "outlet" not in entries:
        raise FeedsConfigError(f"{path}:{line}: feed has no 'outlet' (the publication's name)")
    url_node = entries["url"][1]
    url = _scalar(path, url_node, "url").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FeedsConfigError(f"{_where(path, url_node)}: url {url!r} is not an http(s) URL")
    outlet = _scalar(path, entries["outlet"][1], "outlet").strip()
    if not outlet:
        raise FeedsConfigError(f"{_where(path, entries['outlet'][1])}: outlet is empty")
    language = None
    if "language" in entries:
        language = _scalar(path, entries["language"][1], "language").strip().lower() or None
        if language and not (2 <= len(language) <= 3 and language.isalpha()):
            raise FeedsConfigError(
                f"{_where(path, entries['language'][1])}: language {language!r} is not an ISO 639 code such as 'en'"
            )
    tags: tuple[str, ...] = ()
    if "tags" in entries:
        tnode = entries["tags"][1]
        if not isinstance(tnode, yaml.SequenceNode):
            raise FeedsConfigError(f"{_where(path, tnode)}: tags must be a list, e.g. [world, politics]")
        tags = tuple(_scalar(path, t, "a tag") for t in tnode.value)
    tier = "daily"
    if "tier" in entries:
        tier = _scalar(path, entries["tier"][1], "tier")
        if tier not in TIERS:
            raise FeedsConfigError(f"{_where(path, entries['tier'][1])}: tier must be one of {', '.join(TIERS)}")
    own: dict[str, tuple[yaml.Node, yaml.Node]] = {k: v for k, v in entries.items() if k in POLITENESS_KEYS}
    if "politeness" in entries:
        own.update(_mapping(path, entries["politeness"][1], "politeness", POLITENESS_KEYS))
    politeness = _politeness(path, own, base) if own else None
    return FeedSpec(url=url, outlet=outlet, language=language, tags=tags, politeness=politeness, tier=tier, line=line)


#: Environment overrides of the file's global politeness block (a feed's own keys still win for that feed).
ENV_MIN_DELAY = "NEWSFLOW_MIN_DELAY_S"
ENV_MAX_CONCURRENCY = "NEWSFLOW_MAX_CONCURRENCY_PER_HOST"


def _env_politeness(base: Politeness, env: Mapping[str, str]) -> Politeness:
    delay, conc = base.min_delay_s, base.max_concurrency_per_host
    try:
        if env.get(ENV_MIN_DELAY):
            delay = float(env[ENV_MIN_DELAY])
            if delay < 0:
                raise ValueError
        if env.get(ENV_MAX_CONCURRENCY):
            conc = int(env[ENV_MAX_CONCURRENCY])
            if conc < 1:
                raise ValueError
    except ValueError:
        raise FeedsConfigError(
            f"{ENV_MIN_DELAY}={env.get(ENV_MIN_DELAY)!r} / {ENV_MAX_CONCURRENCY}={env.get(ENV_MAX_CONCURRENCY)!r}: "
            "need a number >= 0 and a whole number >= 1; fix or unset them"
        ) from None
    return Politeness(min_delay_s=delay, max_concurrency_per_host=conc)


def parse_feeds_text(text: str, path: str = "<feeds>", env: Mapping[str, str] | None = None) -> FeedsConfig:
    """Validate feeds-file text; raises FeedsConfigError naming the line of the first mistake."""
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise FeedsConfigError(f"{path}{line}: not valid YAML: {problem}") from None
    if root is None:
        raise FeedsConfigError(f"{path}: the file is empty; it needs a 'feeds:' list")
    top = _mapping(path, root, "the feeds file", TOP_KEYS)
    politeness = Politeness()
    if "politeness" in top:
        politeness = _politeness(path, _mapping(path, top["politeness"][1], "politeness", POLITENESS_KEYS), politeness)
    politeness = _env_politeness(politeness, os.environ if env is None else env)
    if "feeds" not in top:
        raise FeedsConfigError(f"{path}:1: no 'feeds:' list")
    feeds_node = top["feeds"][1]
    if not isinstance(feeds_node, yaml.SequenceNode) or not feeds_node.value:
        raise FeedsConfigError(f"{_where(path, feeds_node)}: 'feeds' must be a non-empty list of feeds")
    if len(feeds_node.value) > MAX_FEEDS:
        raise FeedsConfigError(f"{_where(path, feeds_node)}: more than {MAX_FEEDS} feeds; split the file")
    feeds: list[FeedSpec] = []
    seen: dict[str, int] = {}
    for item in feeds_node.value:
        spec = _feed(path, item, politeness)
        if spec.url in seen:
            raise FeedsConfigError(f"{path}:{spec.line}: feed {spec.url} is already listed at line {seen[spec.url]}")
        seen[spec.url] = spec.line
        feeds.append(spec)
    return FeedsConfig(feeds=tuple(feeds), politeness=politeness, path=path)


def load_feeds(path: str | Path) -> FeedsConfig:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FeedsConfigError(f"{p}: no such feeds file") from None
    except UnicodeDecodeError as exc:
        raise FeedsConfigError(f"{p}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    return parse_feeds_text(text, str(p))
