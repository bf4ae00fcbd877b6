"""Pipeline settings: one frozen object read from the environment, with documented defaults.

Nothing here talks to Airflow; DAG files read these at task run time, never at import.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path

#: Repository root when running from a checkout (include/newsflow/settings.py -> ../../).
REPO_ROOT = Path(__file__).resolve().parents[2]


def _default_home() -> Path:
    return Path(os.environ.get("NEWSFLOW_HOME") or (REPO_ROOT / ".newsflow"))


@dataclass(frozen=True)
class Settings:
    """Every knob of a run. Env var NEWSFLOW_<FIELD NAME IN CAPS> overrides each default."""

    #: Warehouse URL (libpq URI). Empty: the embedded server under `home`.
    warehouse_url: str = ""
    #: Where local state lives: embedded Postgres data, Airflow home for `newsflow run`.
    home: str = ""
    #: The feeds file used when none is passed.
    feeds: str = str(REPO_ROOT / "include" / "feeds.yaml")
    #: Feeds per mapped fetch task: small enough to spread over workers, large enough to amortize task start
    #: (~1.1 s CPU of Airflow per task here, more than parsing 10 feeds of 100 entries: docs/performance.md).
    feed_batch_size: int = 25
    #: Article pages per mapped fetch_articles task; memory of a task is bounded by this, not by the run. A task
    #: costs ~2 s CPU before its first page (Airflow ~1.1 s, language model and extractor warm-up ~1 s): 2,000
    #: pages (~7 ms each) make that ~1.5 %, and a retry redoes at most one batch of extractions.
    article_batch_size: int = 2000
    #: Concurrent HTTP requests inside one task (politeness limits per host still apply).
    fetch_workers: int = 8
    #: Entries taken from one feed document at most.
    max_entries_per_feed: int = 500
    #: Stories stay open for new articles this long after their last article.
    story_window_hours: float = 72.0
    #: Duplicates are searched among articles first seen within this many hours.
    dedup_window_hours: float = 168.0
    #: Raw documents older than this many days are deleted by `newsflow prune` (0 keeps them forever).
    raw_retention_days: int = 90

    @classmethod
    def from_env(cls, env: os._Environ[str] | dict[str, str] | None = None, **overrides: object) -> "Settings":
        env = os.environ if env is None else env
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = env.get(f"NEWSFLOW_{f.name.upper()}")
            if raw is None or raw == "":
                continue
            values[f.name] = _coerce(f.name, raw, f.type)
        values.update({k: v for k, v in overrides.items() if v is not None})
        settings = cls(**values)  # type: ignore[arg-type]
        if not settings.home:
            settings = cls(**{**values, "home": str(_default_home())})  # type: ignore[arg-type]
        return settings


def _coerce(name: str, raw: str, typ: object) -> object:
    t = str(typ)
    try:
        if t in ("int", "<class 'int'>"):
            return int(raw)
        if t in ("float", "<class 'float'>"):
            return float(raw)
        if t in ("bool", "<class 'bool'>"):
            if raw.strip().lower() in ("1", "true", "yes", "on"):
                return True
            if raw.strip().lower() in ("0", "false", "no", "off"):
                return False
            raise ValueError(raw)
    except ValueError:
        raise ValueError(f"NEWSFLOW_{name.upper()}={raw!r} is not a valid {t.replace('<class ', '').strip('>')}") from None
    return raw
