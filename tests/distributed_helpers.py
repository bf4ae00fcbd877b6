"""Helpers of tests/test_distributed.py: local Airflow service processes, their logs, their teardown.

Also imported *by the Celery workers* the test starts (their PYTHONPATH has tests/): `worker_hostname` is their
`[core] hostname_callable`, so each worker records its own Celery hostname in `task_instance.hostname`, as
each worker container of docker-compose.yaml records its own host name. Keep this module free of heavy imports.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

#: Environment variable holding a worker's Celery hostname (read by `worker_hostname`).
WORKER_HOSTNAME_ENV = "NEWSFLOW_TEST_CELERY_HOSTNAME"
AIRFLOW = str(Path(sys.executable).with_name("airflow"))


def worker_hostname() -> str:
    """`[core] hostname_callable` of the test's Celery workers: the worker's own Celery hostname."""
    return os.environ.get(WORKER_HOSTNAME_ENV) or socket.getfqdn()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_status(url: str, timeout: float = 5) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:  # noqa: S310 - loopback URL built by the test
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:
        return None


def api(base_url: str, method: str, path: str, body: dict | None = None, timeout: float = 60) -> dict:
    """A call to the Airflow REST API (the test's api-server runs with simple auth, all admins, on loopback)."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base_url + path, data=data, method=method,
                                 headers={"Content-Type": "application/json", "Accept": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:  # noqa: S310 - loopback URL built by the test
            return json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        raise AssertionError(f"{method} {path}: HTTP {e.code}: {e.read().decode(errors='replace')[:2000]}") from None


def tail(path: Path, lines: int = 60) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError as exc:
        return f"(cannot read {path}: {exc})"
    return "\n".join(text[-lines:])


@dataclass
class Service:
    name: str
    proc: subprocess.Popen
    log_path: Path
    log: IO[str]


@dataclass
class Services:
    """Processes started by the test, each in its own session (process group == its PID), logging to a file.

    `stop_all` ends exactly those groups: SIGTERM, a grace period, then SIGKILL. A group holds the service
    and what it forked (uvicorn workers, Celery pool children, task supervisors and task processes).
    """

    log_dir: Path
    started: list[Service] = field(default_factory=list)

    def start(self, name: str, args: list[str], env: dict[str, str]) -> Service:
        log_path = self.log_dir / f"{name}.log"
        log = open(log_path, "w", encoding="utf-8")  # noqa: SIM115 - closed in stop_all
        proc = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True, cwd=self.log_dir)
        service = Service(name, proc, log_path, log)
        self.started.append(service)
        return service

    def run(self, name: str, args: list[str], env: dict[str, str], timeout: float) -> str:
        """Run a one-shot command to completion (also tracked, so a timeout still tears it down)."""
        service = self.start(name, args, env)
        try:
            rc = service.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"`airflow {' '.join(args[1:])}` took over {timeout:.0f} s:\n"
                                 f"{tail(service.log_path)}") from None
        if rc != 0:
            raise AssertionError(f"`airflow {' '.join(args[1:])}` exited {rc}:\n{tail(service.log_path)}")
        return service.log_path.read_text(encoding="utf-8", errors="replace")

    def check_alive(self, names: list[str]) -> None:
        for s in self.started:
            if s.name in names and s.proc.poll() is not None:
                raise AssertionError(f"{s.name} exited with {s.proc.returncode}:\n{tail(s.log_path)}")

    def stop_all(self, grace_s: float = 10) -> None:
        running = [s for s in self.started if s.proc.poll() is None]
        for s in running:
            _signal_group(s.proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace_s
        for s in running:
            try:
                s.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        for s in self.started:
            # Also the group's leftovers (e.g. Celery pool children) when the leader itself has exited.
            _signal_group(s.proc.pid, signal.SIGKILL)
            if s.proc.poll() is None:
                try:
                    s.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    pass
            s.log.close()

    def report(self, lines: int = 60) -> str:
        parts = []
        for s in self.started:
            state = "running" if s.proc.poll() is None else f"exit {s.proc.returncode}"
            parts.append(f"===== {s.name} ({state}, pid {s.proc.pid}) {s.log_path}\n{tail(s.log_path, lines)}")
        return "\n".join(parts)


def _signal_group(pgid: int, sig: int) -> None:
    """Signal the process group the test created for one of its services (start_new_session: pgid == pid)."""
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def wait_until(what: str, check, timeout_s: float, services: Services, alive: list[str], interval: float = 0.5):
    """Poll `check()` until it returns a truthy value; fail with the logs at the deadline or if a service dies."""
    deadline = time.monotonic() + timeout_s
    while True:
        services.check_alive(alive)
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}")
        time.sleep(interval)
