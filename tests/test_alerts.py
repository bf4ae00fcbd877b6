"""Alerts: messages say what failed and where to look; webhook and SMTP delivery work against local servers;
a dead channel never fails the task; the digest finds silent and failing feeds."""

from __future__ import annotations

import json
import socketserver
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from faultserver import closed_port
from newsflow.alerts import (
    SmtpTarget,
    WebhookTarget,
    check_alert,
    deliver,
    digest_alert,
    silent_and_failing_feeds,
    task_failure_alert,
)
from newsflow.warehouse.db import transaction


class _Webhook:
    def __init__(self):
        received = self.received = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append((self.headers.get("Content-Type"), json.loads(body)))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class _Smtp:
    """Just enough SMTP to accept one message (the stdlib server module is gone in 3.12)."""

    def __init__(self):
        messages = self.messages = []

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                self.wfile.write(b"220 test ESMTP\r\n")
                data = None
                while True:
                    line = self.rfile.readline()
                    if not line:
                        return
                    if data is not None:
                        if line == b".\r\n":
                            messages.append(b"".join(data).decode())
                            data = None
                            self.wfile.write(b"250 queued\r\n")
                        else:
                            data.append(line)
                        continue
                    cmd = line[:4].upper()
                    if cmd == b"DATA":
                        data = []
                        self.wfile.write(b"354 go on\r\n")
                    elif cmd == b"QUIT":
                        self.wfile.write(b"221 bye\r\n")
                        return
                    elif cmd == b"EHLO":
                        self.wfile.write(b"250 test\r\n")
                    else:
                        self.wfile.write(b"250 ok\r\n")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def test_failure_alert_says_where_to_look():
    alert = task_failure_alert("news_ingest", "group_stories", "manual__1", "connection refused", "http://ui/log")
    assert alert.severity == "error" and "group_stories" in alert.subject
    assert "http://ui/log" in alert.text and "Read the task log" in alert.text


def test_check_alert_only_when_something_to_say():
    assert check_alert("r", [], []) is None
    assert check_alert("r", ["all feeds failed"], ["x"]).severity == "error"
    assert check_alert("r", [], ["feed y usually lists 40"]).severity == "warning"


def test_webhook_and_smtp_delivery():
    hook, smtp = _Webhook(), _Smtp()
    try:
        alert = check_alert("run-7", [], ["feed https://a.example/rss usually lists 40 items and listed 0"])
        failed = deliver(alert, webhook=WebhookTarget(hook.url),
                         smtp=SmtpTarget("127.0.0.1", smtp.port, "newsflow@example.org", ("ops@example.org",)))
        assert failed == []
        ctype, payload = hook.received[0]
        assert ctype == "application/json" and "usually lists 40" in payload["text"]
        assert payload["severity"] == "warning"
        assert "Subject: newsflow: data checks warn in run run-7" in smtp.messages[0]
        assert "ops@example.org" in smtp.messages[0]
    finally:
        hook.stop()
        smtp.stop()


def test_a_dead_channel_does_not_raise():
    alert = check_alert("r", ["boom"], [])
    failed = deliver(alert, webhook=WebhookTarget(f"http://127.0.0.1:{closed_port()}/x"),
                     smtp=SmtpTarget("127.0.0.1", closed_port(), "a@b", ("c@d",)))
    assert failed == ["webhook", "smtp"]


def test_digest_finds_silent_and_failing_feeds(warehouse):
    now = datetime(2026, 11, 25, 12, tzinfo=timezone.utc)
    with transaction(warehouse) as cur:
        cur.execute("INSERT INTO newsflow.outlets (name) VALUES ('Hourly Herald'), ('Quiet Quarterly') "
                    "RETURNING outlet_id")
        (herald,), (quiet,) = cur.fetchall()
        for outlet, url, status in ((herald, "https://herald.example/rss", "ok"),
                                    (quiet, "https://quiet.example/rss", "timeout")):
            cur.execute("INSERT INTO newsflow.feeds (declared_url, url, outlet_id, status, consecutive_failures, "
                        "last_error) VALUES (%s, %s, %s, %s, 3, 'deadline of 25 s exceeded') RETURNING feed_id",
                        (url, url, outlet, status))
            (feed_id,) = cur.fetchone()
            # New items every 2 hours, the last one 3 days ago.
            for i in range(10):
                seen = now - timedelta(days=3) - timedelta(hours=2 * i)
                cur.execute("INSERT INTO newsflow.feed_entries (feed_id, entry_key, entry_hash, first_seen_at, "
                            "last_seen_at) VALUES (%s, %s, 'h', %s, %s)", (feed_id, f"k{i}", seen, seen))
    silent, failing = silent_and_failing_feeds(warehouse, now)
    assert {f.outlet for f in silent} == {"Hourly Herald", "Quiet Quarterly"}
    assert "nothing new for 72 h (usually every 2.0 h)" in silent[0].detail
    assert [f.outlet for f in failing] == ["Quiet Quarterly"]
    assert "timeout x3" in failing[0].detail
    alert = digest_alert(silent, failing, "articles: 0")
    assert "2 silent, 1 failing" in alert.subject


def test_recent_activity_is_not_silent(warehouse):
    now = datetime(2026, 11, 25, 12, tzinfo=timezone.utc)
    with transaction(warehouse) as cur:
        cur.execute("INSERT INTO newsflow.outlets (name) VALUES ('Busy Bee') RETURNING outlet_id")
        (outlet,) = cur.fetchone()
        cur.execute("INSERT INTO newsflow.feeds (declared_url, url, outlet_id, status) VALUES "
                    "('https://b.example/rss', 'https://b.example/rss', %s, 'ok') RETURNING feed_id", (outlet,))
        (feed_id,) = cur.fetchone()
        for i in range(5):
            seen = now - timedelta(hours=6 * i)
            cur.execute("INSERT INTO newsflow.feed_entries (feed_id, entry_key, entry_hash, first_seen_at, "
                        "last_seen_at) VALUES (%s, %s, 'h', %s, %s)", (feed_id, f"k{i}", seen, seen))
    assert silent_and_failing_feeds(warehouse, now) == ([], [])
