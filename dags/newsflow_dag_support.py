"""Shared wiring for the newsflow DAGs: the warehouse connection, HTTP tools, retry policy, run context.

Kept out of the DAG files so they stay readable; holds no business logic (that is in the newsflow package).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from airflow.sdk import Asset

#: Pool that bounds concurrent fetch tasks across workers; created by `make airflow` and the compose init.
FETCH_POOL = "newsflow_fetch"
FETCH_POOL_SLOTS = 8
WAREHOUSE_CONN_ID = "newsflow_warehouse"
#: Updated when a run has loaded new rows; downstream DAGs can use schedule=[WAREHOUSE_ASSET].
WAREHOUSE_ASSET = Asset(name="newsflow_warehouse", uri="newsflow://warehouse/stories")


def default_args() -> dict:
    return {
        "owner": "newsflow",
        "retries": 2,
        "retry_delay": timedelta(seconds=30),
        "retry_exponential_backoff": True,
        "max_retry_delay": timedelta(minutes=10),
        "execution_timeout": timedelta(minutes=30),
    }


@dataclass(frozen=True)
class RunContext:
    run_id: str
    dag_id: str
    map_index: int
    feeds_file: str
    settings: object  # newsflow.settings.Settings


def run_context(**labels: str) -> RunContext:
    """What a task needs to know about its run; `labels` feed the map_index_template."""
    from airflow.sdk import get_current_context

    from newsflow.settings import Settings

    ctx = get_current_context()
    for key, value in labels.items():
        ctx[key] = value  # type: ignore[literal-required]
    settings = Settings.from_env()
    params = ctx.get("params") or {}
    ti = ctx["ti"]
    return RunContext(
        run_id=ctx["run_id"],
        dag_id=ti.dag_id,
        map_index=getattr(ti, "map_index", -1) if getattr(ti, "map_index", -1) is not None else -1,
        feeds_file=params.get("feeds_file") or settings.feeds,
        settings=settings,
    )


def warehouse_dsn() -> str:
    from airflow.sdk import Connection

    from newsflow.warehouse.conninfo import dsn_from_connection

    conn = Connection.get(WAREHOUSE_CONN_ID)
    return dsn_from_connection(host=conn.host, port=conn.port, login=conn.login, password=conn.password,
                               schema=conn.schema, extra=conn.extra_dejson)


@contextmanager
def warehouse() -> Iterator[object]:
    from newsflow.warehouse import connect

    conn = connect(warehouse_dsn(), application_name="newsflow-airflow")
    try:
        yield conn
    finally:
        conn.close()


@contextmanager
def http_tools() -> Iterator[tuple[object, object, object]]:
    """One HTTP client, host limiter and robots cache per task."""
    from newsflow.http import HttpClient, HttpSettings
    from newsflow.politeness import HostLimiter, RobotsCache

    http = HttpClient(HttpSettings.from_env())
    try:
        yield http, HostLimiter(), RobotsCache(http)
    finally:
        http.close()
