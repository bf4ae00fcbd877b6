"""Shared wiring for the newsflow DAGs: the warehouse connection, HTTP tools, retry policy, run context.

Kept out of the DAG files so they stay readable; holds no business logic (that is in the newsflow package).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from airflow.sdk import Asset

from newsflow.warehouse.conninfo import WAREHOUSE_CONN_ID

#: Pool that bounds concurrent fetch tasks across workers; created by `make airflow` and the compose init.
FETCH_POOL = "newsflow_fetch"
#: Optional alert channels (Airflow connections): an incoming-webhook URL, and an SMTP server.
WEBHOOK_CONN_ID = "newsflow_alerts_webhook"
SMTP_CONN_ID = "newsflow_alerts_smtp"
#: Updated when a run has loaded new rows; downstream DAGs can use schedule=[WAREHOUSE_ASSET].
WAREHOUSE_ASSET = Asset(name="newsflow_warehouse", uri="newsflow://warehouse/stories")


def default_args() -> dict:
    return {
        "owner": "newsflow",
        "on_failure_callback": notify_failure,
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


def fetch_feeds_of_batch(feed_ids: list[int]) -> dict[str, int]:
    """The body of every feed-fetching task (news_ingest and news_fast_fetch): one batch of feeds."""
    from newsflow.pipeline import fetch_feed_batch, record_stage

    ctx = run_context(feeds_label=f"feeds {feed_ids[0]}..{feed_ids[-1]} ({len(feed_ids)})")
    with warehouse() as conn, http_tools() as (http, limiter, _robots):
        with record_stage(conn, ctx.run_id, "fetch_feeds", ctx.map_index) as info:
            counts = fetch_feed_batch(conn, ctx.run_id, feed_ids, http=http, limiter=limiter,
                                      workers=ctx.settings.fetch_workers,
                                      max_entries=ctx.settings.max_entries_per_feed)
            info.update(counts)
    return counts


@contextmanager
def http_tools() -> Iterator[tuple[object, object, object]]:
    """One HTTP client, robots cache and host limiter per task; the limiter's state is in the warehouse,
    so politeness holds across all mapped tasks on all workers."""
    from newsflow.http import HttpClient, HttpSettings
    from newsflow.politeness import HostLimiter, RobotsCache
    from newsflow.warehouse.host_slots import PostgresBackend

    http = HttpClient(HttpSettings.from_env())
    backend = PostgresBackend(warehouse_dsn())
    try:
        yield http, HostLimiter(backend=backend), RobotsCache(http)
    finally:
        backend.close()
        http.close()


def _optional_connection(conn_id: str):
    from airflow.sdk import Connection

    try:
        return Connection.get(conn_id)
    except Exception:  # noqa: BLE001 - not configured: that channel is simply off
        return None


def alert_targets() -> dict:
    """The configured alert channels as keyword arguments of newsflow.alerts.deliver."""
    from newsflow.alerts import SmtpTarget, WebhookTarget

    targets: dict = {}
    hook = _optional_connection(WEBHOOK_CONN_ID)
    if hook is not None:
        extra = hook.extra_dejson or {}
        url = extra.get("url") or hook.host
        if url:
            targets["webhook"] = WebhookTarget(url=url, headers=dict(extra.get("headers") or {}))
    smtp = _optional_connection(SMTP_CONN_ID)
    if smtp is not None and smtp.host:
        extra = smtp.extra_dejson or {}
        recipients = extra.get("to") or ""
        if isinstance(recipients, str):
            recipients = [r.strip() for r in recipients.split(",") if r.strip()]
        targets["smtp"] = SmtpTarget(host=smtp.host, port=int(smtp.port or 25), sender=extra.get("from") or
                                     "newsflow@localhost", recipients=tuple(recipients), login=smtp.login or None,
                                     password=smtp.password or None, starttls=bool(extra.get("starttls")))
    return targets


def notify(alert) -> None:
    from newsflow.alerts import deliver

    if alert is not None:
        deliver(alert, **alert_targets())


def notify_failure(context) -> None:
    """on_failure_callback: log and send what failed, where its log is, and what to look at."""
    from newsflow.alerts import task_failure_alert

    ti = context.get("ti") or context.get("task_instance")
    notify(task_failure_alert(
        dag_id=getattr(ti, "dag_id", "?"), task_id=getattr(ti, "task_id", "?"), run_id=str(context.get("run_id")),
        error=str(context.get("exception") or "unknown error"), log_url=getattr(ti, "log_url", None),
    ))
