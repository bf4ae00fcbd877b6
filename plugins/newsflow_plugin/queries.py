"""Read side of the News page: where the warehouse is, and the queries (include/sql/dml/ui_*.sql) it shows.

Nothing here runs at import time: the DSN is resolved and the database opened per request, so the
API server starts (and every other Airflow page works) whatever state the warehouse is in.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta

from newsflow.warehouse.conninfo import WAREHOUSE_CONN_ID
from newsflow.warehouse.db import redact

#: The Airflow connection the DAG tasks use (see dags/newsflow_dag_support.py).
#: Tests (and `newsflow` CLI users) may point the page at a warehouse URL directly.
ENV_OVERRIDE = "NEWSFLOW_WAREHOUSE_URL"
#: The page must answer fast even when the warehouse does not.
CONNECT_TIMEOUT_S = 5
STATEMENT_TIMEOUT_MS = 15_000


class WarehouseUnavailable(Exception):
    """The page cannot read the warehouse; `hint` says what to check."""

    def __init__(self, title: str, detail: str, hint: str):
        super().__init__(f"{title}: {detail}")
        self.title = title
        self.detail = detail
        self.hint = hint


def _not_found(exc: BaseException) -> bool:
    return type(exc).__name__ == "AirflowNotFoundException" or "isn't defined" in str(exc)


def _airflow_connection():
    """The Airflow connection object: the Task SDK lookup (env var, secrets backends, metadata DB in the
    API server), then the core model's lookup if the SDK has no backend in this process."""
    try:
        from airflow.sdk import Connection

        return Connection.get(WAREHOUSE_CONN_ID)
    except Exception as exc:  # noqa: BLE001 - any failure becomes an error panel
        if _not_found(exc):
            raise _not_configured() from None
    try:
        from airflow.models.connection import Connection as CoreConnection

        return CoreConnection.get_connection_from_secrets(WAREHOUSE_CONN_ID)
    except Exception as exc:  # noqa: BLE001
        if _not_found(exc):
            raise _not_configured() from None
        raise WarehouseUnavailable(
            "The warehouse connection could not be read",
            redact(f"{type(exc).__name__}: {exc}"),
            f"Check the secrets backend and the connection '{WAREHOUSE_CONN_ID}' under Admin > Connections.",
        ) from None


def _not_configured() -> WarehouseUnavailable:
    return WarehouseUnavailable(
        "The warehouse connection is not configured",
        f"Airflow has no connection with id '{WAREHOUSE_CONN_ID}'.",
        f"Create it under Admin > Connections (type postgres), or export "
        f"AIRFLOW_CONN_{WAREHOUSE_CONN_ID.upper()} before starting the API server "
        f"(`make airflow` does this), or set {ENV_OVERRIDE}.",
    )


def _dsn_from_airflow_connection() -> str:
    """The libpq DSN of the Airflow connection `newsflow_warehouse`."""
    from newsflow.warehouse.conninfo import dsn_from_connection

    conn = _airflow_connection()
    return dsn_from_connection(host=conn.host, port=conn.port, login=conn.login, password=conn.password,
                               schema=conn.schema, extra=conn.extra_dejson)


def warehouse_dsn() -> tuple[str, str]:
    """(dsn, source): NEWSFLOW_WAREHOUSE_URL if set, else the Airflow connection. Resolved per request."""
    url = os.environ.get(ENV_OVERRIDE, "").strip()
    if url:
        return url, f"${ENV_OVERRIDE}"
    return _dsn_from_airflow_connection(), f"Airflow connection '{WAREHOUSE_CONN_ID}'"


@contextmanager
def warehouse() -> Iterator[tuple[object, str]]:
    """(connection, source): a short-lived read-only warehouse session; raises WarehouseUnavailable."""
    import psycopg2

    dsn, source = warehouse_dsn()
    try:
        conn = psycopg2.connect(
            dsn,
            connect_timeout=CONNECT_TIMEOUT_S,
            application_name="newsflow-ui",
            options=f"-c statement_timeout={STATEMENT_TIMEOUT_MS} -c timezone=UTC "
                    "-c default_transaction_read_only=on",
        )
    except Exception as exc:  # noqa: BLE001
        raise WarehouseUnavailable(
            "The warehouse is unreachable",
            redact(str(exc).strip()) or type(exc).__name__,
            f"Check that the PostgreSQL server behind {source} is running and that its host, port, "
            "database and credentials are right (`newsflow warehouse-url` prints the local one; "
            "`make airflow` starts the embedded server).",
        ) from None
    try:
        yield conn, source
    except WarehouseUnavailable:
        raise
    except Exception as exc:  # noqa: BLE001
        import psycopg2.errors

        if isinstance(exc, (psycopg2.errors.UndefinedTable, psycopg2.errors.InvalidSchemaName,
                            psycopg2.errors.UndefinedFunction, psycopg2.errors.UndefinedColumn)):
            raise WarehouseUnavailable(
                "The warehouse schema is missing or out of date",
                redact(str(exc).strip().splitlines()[0]),
                f"Apply the migrations to the database behind {source}: `newsflow migrate`.",
            ) from None
        if isinstance(exc, psycopg2.Error):
            raise WarehouseUnavailable(
                "A warehouse query failed",
                redact(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__),
                f"Check the PostgreSQL server behind {source} (load, statement timeout, permissions).",
            ) from None
        raise
    finally:
        try:
            conn.close()
        except Exception:  # noqa: BLE001
            pass


def _rows(conn, name: str, params: dict) -> list[dict]:
    from newsflow.warehouse.db import load_sql

    with conn.cursor() as cur:
        cur.execute(load_sql(name), params)
        cols = [d[0] for d in cur.description]
        rows = [dict(zip(cols, r)) for r in cur.fetchall()]
    conn.rollback()  # read-only: end the transaction
    return rows


# --- shaping ------------------------------------------------------------------------------------

#: The news_ingest DAG's stages in run order (dags/news_ingest.py); the run table lists them in this order.
#: fetch_pages and extract are the two stages that fetch_articles replaced: runs recorded before it keep them.
STAGE_ORDER = ("prepare_run", "fetch_feeds", "fetch_articles", "fetch_pages", "extract", "dedup", "group_stories",
               "finish_run")
_STAGE_KEY = re.compile(r"^(?P<stage>.+?)\[(?P<index>-?\d+)\]$")


def stage_durations(durations: dict | None) -> list[dict]:
    """Per-task entries ("fetch_feeds[0]", "group_stories", ...) folded into one row per stage.

    wall_s is the longest task of the stage (what the run waited for when mapped tasks run in parallel),
    sum_wall_s and cpu_s add up all its tasks.
    """
    stages: dict[str, dict] = {}
    for key, entry in (durations or {}).items():
        m = _STAGE_KEY.match(key)
        stage = m.group("stage") if m else key
        if stage not in stages:
            stages[stage] = {"stage": stage, "tasks": 0, "wall_s": 0.0, "sum_wall_s": 0.0, "cpu_s": 0.0}
        s = stages[stage]
        entry = entry if isinstance(entry, dict) else {}
        wall = _num(entry.get("wall_s"))
        s["tasks"] += 1
        s["wall_s"] = max(s["wall_s"], wall)
        s["sum_wall_s"] += wall
        s["cpu_s"] += _num(entry.get("cpu_s"))
    for s in stages.values():
        for k in ("wall_s", "sum_wall_s", "cpu_s"):
            s[k] = round(s[k], 3)
    # Pipeline order (jsonb does not keep insertion order); stages not known here follow by name.
    rank = {name: i for i, name in enumerate(STAGE_ORDER)}
    return sorted(stages.values(), key=lambda s: (rank.get(s["stage"], len(rank)), s["stage"]))


def _num(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0.0


@dataclass
class Series:
    """Day x outlet counts, limited to the top outlets (the rest summed as "other")."""

    days: list[date]
    outlets: list[str]
    counts: dict[str, list[int]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(sum(v) for v in self.counts.values())


def day_outlet_series(rows: list[dict], days: int, today: date, top: int = 8) -> Series:
    day_list = [today - timedelta(days=days - 1 - i) for i in range(days)]
    index = {d: i for i, d in enumerate(day_list)}
    per_outlet: dict[str, list[int]] = defaultdict(lambda: [0] * days)
    for r in rows:
        i = index.get(r["day"])
        if i is not None:
            per_outlet[r["outlet"]][i] += int(r["n"])
    ranked = sorted(per_outlet, key=lambda o: (-sum(per_outlet[o]), o))
    keep = ranked[:top]
    counts = {o: per_outlet[o] for o in keep}
    rest = ranked[top:]
    if rest:
        counts["other outlets"] = [sum(per_outlet[o][i] for o in rest) for i in range(days)]
    return Series(days=day_list, outlets=list(counts), counts=counts)


LATENCY_BUCKETS = ("<100 ms", "100-250 ms", "250-500 ms", "0.5-1 s", "1-2.5 s", "2.5-5 s", "5-10 s", "≥10 s")


@dataclass
class Overview:
    feeds: list[dict]
    n_feeds: int
    n_failing: int
    runs: list[dict]
    articles: Series
    stories: Series
    extraction: list[dict]
    latency: list[dict]
    recent_stories: list[dict]
    days: int
    source: str


def overview(*, failing_only: bool = False, days: int = 14, runs: int = 10, feeds_limit: int = 500) -> Overview:
    """Everything the News page shows, in one read-only session."""
    with warehouse() as (conn, source):
        feeds = _rows(conn, "ui_feed_health", {"failing_only": failing_only, "limit": feeds_limit})
        if feeds:
            n_feeds, n_failing = int(feeds[0]["n_feeds"]), int(feeds[0]["n_failing"])
        elif failing_only:  # no failing feed: one unfiltered row carries the counts
            first = _rows(conn, "ui_feed_health", {"failing_only": False, "limit": 1})
            n_feeds, n_failing = (int(first[0]["n_feeds"]), 0) if first else (0, 0)
        else:
            n_feeds, n_failing = 0, 0
        run_rows = _rows(conn, "ui_recent_runs", {"limit": runs})
        for r in run_rows:
            r["stages"] = stage_durations(r.pop("durations"))
        with conn.cursor() as cur:
            cur.execute("SELECT (now() AT TIME ZONE 'UTC')::date")
            today = cur.fetchone()[0]
        conn.rollback()
        articles = day_outlet_series(_rows(conn, "ui_daily_articles", {"days": days}), days, today)
        stories = day_outlet_series(_rows(conn, "ui_daily_stories", {"days": days}), days, today)
        extraction = _rows(conn, "ui_extraction_mix", {"days": days})
        latency = _rows(conn, "ui_fetch_latency", {"days": days})
        for row in latency:
            row["histogram"] = [int(v) for v in row["histogram"]]
        recent = _rows(conn, "ui_recent_stories", {"limit": 20})
    return Overview(
        feeds=feeds, n_feeds=n_feeds, n_failing=n_failing,
        runs=run_rows, articles=articles, stories=stories, extraction=extraction, latency=latency,
        recent_stories=recent, days=days, source=source,
    )


#: The story view lists at most this many citations and headline versions (a note says when it cut).
STORY_LIST_LIMIT = 500


@dataclass
class Provenance:
    """The story view's Provenance section (issue 9): view story_provenance, its citations, its headlines."""

    first_outlet: str | None
    first_published_at: object
    original_outlets: list[str]
    relaying_outlets: list[str]
    wire_agencies: list[str]
    n_analysed: int
    citations: list[dict]
    citations_truncated: bool
    headlines: list[dict]
    headlines_truncated: bool


@dataclass
class StoryView:
    story: dict
    members: list[dict]
    #: None for a merged story (story_provenance covers live stories only).
    provenance: Provenance | None


def _norm_headline(title: str | None) -> str:
    """Headlines compared as newsflow.provenance compares them: case and spacing ignored."""
    return " ".join((title or "").casefold().split())


def headline_timeline(rows: list[dict]) -> list[dict]:
    """Flags on the time-ordered versions: `edited` - the article's headline differs from its previous version;
    `changed` - the headline differs from the previous entry of the timeline (as in story_provenance())."""
    previous: str | None = None
    out = []
    for r in rows:
        norm = _norm_headline(r["headline"])
        edited = r["previous_revision"] is not None and norm != _norm_headline(r["previous_headline"])
        changed = bool(norm) and norm != previous
        if norm:
            previous = norm
        out.append({**r, "edited": edited, "changed": changed})
    return out


def story(story_id: int) -> StoryView | None:
    """A story, its members and its provenance, in one read-only session; None if there is no such story."""
    with warehouse() as (conn, _source):
        rows = _rows(conn, "ui_story", {"story_id": story_id})
        if not rows:
            return None
        members = _rows(conn, "ui_story_members", {"story_id": story_id})
        prov_rows = _rows(conn, "ui_story_provenance", {"story_id": story_id})
        prov = None
        if prov_rows:
            p = prov_rows[0]
            limit = {"story_id": story_id, "limit": STORY_LIST_LIMIT + 1}
            citations = _rows(conn, "ui_story_citations", limit)
            headlines = _rows(conn, "ui_story_headlines", limit)
            prov = Provenance(
                first_outlet=p["first_outlet"], first_published_at=p["first_published_at"],
                original_outlets=list(p["original_outlets"] or []),
                relaying_outlets=list(p["relaying_outlets"] or []),
                wire_agencies=list(p["wire_agencies"] or []),
                n_analysed=int(p["n_analysed"] or 0),
                citations=citations[:STORY_LIST_LIMIT], citations_truncated=len(citations) > STORY_LIST_LIMIT,
                headlines=headline_timeline(headlines[:STORY_LIST_LIMIT]),
                headlines_truncated=len(headlines) > STORY_LIST_LIMIT,
            )
    return StoryView(story=rows[0], members=members, provenance=prov)
