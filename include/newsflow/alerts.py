"""Alerts for ops: what to say when a task fails, when data checks warn, and in the daily digest; and how to send it.

Messages are plain dataclasses; senders (webhook, SMTP) take their settings explicitly, so tests run them locally.
"""

from __future__ import annotations

import json
import logging
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage

import httpx
import psycopg2.extensions

from newsflow.warehouse.db import load_sql

log = logging.getLogger(__name__)

#: A feed is silent when it brought nothing new for this many times its usual gap between new items ...
SILENT_FACTOR = 3.0
#: ... and for at least this long (a feed that publishes hourly is not "silent" after 3 hours).
SILENT_MIN = timedelta(hours=24)
#: Webhook and SMTP delivery must not hold a task: give up after this.
SEND_TIMEOUT_S = 15.0
#: A digest lists at most this many feeds per section; the rest are counted.
DIGEST_MAX_ROWS = 50


@dataclass(frozen=True)
class Alert:
    subject: str
    lines: tuple[str, ...]
    severity: str = "warning"  # "info", "warning" or "error"

    @property
    def text(self) -> str:
        return "\n".join((self.subject, "", *self.lines))


@dataclass(frozen=True)
class WebhookTarget:
    url: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    sender: str
    recipients: tuple[str, ...]
    login: str | None = None
    password: str | None = None
    starttls: bool = False


def task_failure_alert(dag_id: str, task_id: str, run_id: str, error: str, log_url: str | None) -> Alert:
    lines = [f"DAG {dag_id}, task {task_id}, run {run_id} failed: {error}"]
    if log_url:
        lines.append(f"Log: {log_url}")
    lines.append("A failing feed never fails a task: this is the warehouse, the network or newsflow itself. "
                 "Read the task log; the task retries with backoff before it gives up.")
    return Alert(f"newsflow: {dag_id}.{task_id} failed", tuple(lines), "error")


def check_alert(run_id: str, hard: Sequence[str], warnings: Sequence[str]) -> Alert | None:
    if not hard and not warnings:
        return None
    lines = [f"run {run_id}"] + [f"FAILED: {h}" for h in hard] + [f"warning: {w}" for w in warnings]
    subject = f"newsflow: data checks {'failed' if hard else 'warn'} in run {run_id}"
    return Alert(subject, tuple(lines), "error" if hard else "warning")


@dataclass(frozen=True)
class FeedLine:
    outlet: str
    url: str
    detail: str


def silent_and_failing_feeds(conn: psycopg2.extensions.connection, now: datetime) -> tuple[list[FeedLine], list[FeedLine]]:
    """Feeds silent for SILENT_FACTOR x their usual gap (at least SILENT_MIN), and feeds whose last fetch failed."""
    with conn.cursor() as cur:
        cur.execute(load_sql("digest_feeds"))
        rows = cur.fetchall()
    conn.commit()
    silent, failing = [], []
    for outlet, url, status, failures, last_error, last_new, usual_hours in rows:
        if status not in ("ok", "not_modified", "new", "deferred"):
            failing.append(FeedLine(outlet, url, f"{status} x{failures}: {last_error or 'no detail'}"))
        if last_new is None or usual_hours is None:
            continue
        limit = max(timedelta(hours=float(usual_hours)) * SILENT_FACTOR, SILENT_MIN)
        quiet = now - last_new
        if quiet > limit:
            silent.append(FeedLine(outlet, url, f"nothing new for {quiet.total_seconds() / 3600:.0f} h "
                                                f"(usually every {float(usual_hours):.1f} h)"))
    return silent, failing


def digest_alert(silent: Sequence[FeedLine], failing: Sequence[FeedLine], summary: str) -> Alert:
    lines = [summary, ""]
    for title, items in (("Silent feeds", silent), ("Failing feeds", failing)):
        lines.append(f"{title}: {len(items)}")
        lines.extend(f"  - {f.outlet} <{f.url}>: {f.detail}" for f in items[:DIGEST_MAX_ROWS])
        if len(items) > DIGEST_MAX_ROWS:
            lines.append(f"  ... and {len(items) - DIGEST_MAX_ROWS} more: see newsflow.feed_health")
    severity = "warning" if silent or failing else "info"
    return Alert(f"newsflow daily digest: {len(silent)} silent, {len(failing)} failing feeds", tuple(lines), severity)


def send_webhook(target: WebhookTarget, alert: Alert, client: httpx.Client | None = None) -> None:
    """POST the alert as JSON; `text` makes it readable by Slack/Mattermost/Teams-style incoming webhooks."""
    payload = {"text": alert.text, "subject": alert.subject, "severity": alert.severity, "lines": list(alert.lines)}
    own = client is None
    client = client or httpx.Client(timeout=SEND_TIMEOUT_S)
    try:
        resp = client.post(target.url, content=json.dumps(payload), headers={"Content-Type": "application/json",
                                                                             **target.headers})
        resp.raise_for_status()
    finally:
        if own:
            client.close()


def send_smtp(target: SmtpTarget, alert: Alert) -> None:
    msg = EmailMessage()
    msg["Subject"] = alert.subject
    msg["From"] = target.sender
    msg["To"] = ", ".join(target.recipients)
    msg.set_content(alert.text)
    with smtplib.SMTP(target.host, target.port, timeout=SEND_TIMEOUT_S) as smtp:
        if target.starttls:
            smtp.starttls()
        if target.login:
            smtp.login(target.login, target.password or "")
        smtp.send_message(msg)


def deliver(alert: Alert, *, webhook: WebhookTarget | None = None, smtp: SmtpTarget | None = None) -> list[str]:
    """Log the alert and send it to every configured target; returns the targets that failed (never raises)."""
    level = {"error": logging.ERROR, "warning": logging.WARNING}.get(alert.severity, logging.INFO)
    log.log(level, "%s", alert.text)
    failed = []
    for name, target, send in (("webhook", webhook, send_webhook), ("smtp", smtp, send_smtp)):
        if target is None:
            continue
        try:
            send(target, alert)
        except Exception as exc:  # noqa: BLE001 - an alert channel down must not fail the task that alerts
            log.error("could not send the alert to the %s target: %s", name, exc)
            failed.append(name)
    return failed
