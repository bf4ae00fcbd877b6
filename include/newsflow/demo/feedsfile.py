"""Write a feeds file (the pipeline's `feeds.yaml` shape) pointing at a running demo newsroom.

The politeness block is permissive on purpose: the demo host is local and built for thousands of requests.
"""

from __future__ import annotations

from pathlib import Path

from newsflow.demo.model import Newsroom

#: The demo site serves every outlet from one host, so per-host concurrency must allow parallel fetches.
DEMO_MAX_CONCURRENCY_PER_HOST = 8


def _yaml_str(text: str) -> str:
    """A double-quoted YAML scalar only when needed (outlet names are plain text)."""
    if text and all(ch.isalnum() or ch in " .-&'" for ch in text) and not text[0] in "'&":
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def feeds_yaml(newsroom: Newsroom, base_url: str, min_delay_s: float = 0,
               max_concurrency_per_host: int = DEMO_MAX_CONCURRENCY_PER_HOST) -> str:
    """The feeds file text: one entry per outlet, then the global politeness block."""
    base = base_url.rstrip("/")
    lines = ["feeds:"]
    for outlet in newsroom.outlets:
        lines.append(f"  - url: {base}{outlet.feed_path}")
        lines.append(f"    outlet: {_yaml_str(outlet.name)}")
        lines.append(f"    language: {outlet.language}")
        lines.append(f"    tags: [{', '.join(outlet.tags)}]")
    delay = int(min_delay_s) if float(min_delay_s).is_integer() else min_delay_s
    lines += ["politeness:", f"  min_delay_s: {delay}", f"  max_concurrency_per_host: {max_concurrency_per_host}"]
    return "\n".join(lines) + "\n"


def write_feeds_yaml(newsroom: Newsroom, base_url: str, path: str | Path, min_delay_s: float = 0,
                     max_concurrency_per_host: int = DEMO_MAX_CONCURRENCY_PER_HOST) -> Path:
    """Write the feeds file for `newsroom` served at `base_url`; returns the path written."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(feeds_yaml(newsroom, base_url, min_delay_s, max_concurrency_per_host), encoding="utf-8")
    return out
