"""Run the real news_ingest DAG once through Airflow (`airflow dags test`) in a child process.

The child gets this checkout's Airflow environment; the package itself never imports Airflow.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from newsflow import __version__
from newsflow.airflow_env import POOLS, airflow_env
from newsflow.settings import Settings
from newsflow.warehouse import connect

DAG_ID = "news_ingest"
#: A whole demo run takes well under a minute; real feeds with politeness delays take longer.
DEFAULT_TIMEOUT_S = 3 * 3600


@dataclass
class RunOutcome:
    run_id: str | None
    status: str
    log_path: Path
    returncode: int


def _airflow_bin() -> str:
    return str(Path(sys.executable).with_name("airflow"))


def _stamp(env: dict[str, str]) -> Path:
    return Path(env["AIRFLOW_HOME"]) / f".newsflow-db-ready-{__version__}"


def ensure_airflow_ready(env: dict[str, str], log) -> None:
    """Create/upgrade the Airflow metadata DB and the fetch pool, once per Airflow home and version."""
    stamp = _stamp(env)
    if stamp.exists():
        return
    cmds = [[_airflow_bin(), "db", "migrate"]]
    cmds += [[_airflow_bin(), "pools", "set", name, str(slots), desc] for name, (slots, desc) in POOLS.items()]
    for cmd in cmds:
        proc = subprocess.run(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, timeout=900)
        if proc.returncode != 0:
            raise RuntimeError(f"`{' '.join(cmd[1:])}` failed (exit {proc.returncode}); see {log.name}")
    stamp.write_text(datetime.now(timezone.utc).isoformat())


def run_dag(settings: Settings, warehouse_url: str, feeds_file: str, *, extra_env: dict[str, str] | None = None,
            timeout_s: float = DEFAULT_TIMEOUT_S, dag_id: str = DAG_ID) -> RunOutcome:
    env = airflow_env(settings, warehouse_url)
    env.update(extra_env or {})
    logs = Path(settings.home) / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    log_path = logs / f"run-{datetime.now(timezone.utc):%Y%m%dT%H%M%S}.log"
    started = datetime.now(timezone.utc)
    with open(log_path, "w", encoding="utf-8") as log:
        ensure_airflow_ready(env, log)
        conf = json.dumps({"feeds_file": str(Path(feeds_file).resolve())})
        t0 = time.monotonic()
        proc = subprocess.run([_airflow_bin(), "dags", "test", dag_id, "--conf", conf], env=env,
                              stdout=log, stderr=subprocess.STDOUT, timeout=timeout_s)
        log.write(f"\nnewsflow: dags test exited {proc.returncode} after {time.monotonic() - t0:.1f} s\n")
    run_id, status = _last_run(warehouse_url, started)
    if proc.returncode != 0 and status == "success":
        status = "failed"
    return RunOutcome(run_id, status, log_path, proc.returncode)


def _last_run(warehouse_url: str, since: datetime) -> tuple[str | None, str]:
    conn = connect(warehouse_url)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT to_regclass('newsflow.ingest_runs') IS NOT NULL")
            if not cur.fetchone()[0]:
                return None, "not_started"
            cur.execute(
                "SELECT run_id, status FROM newsflow.ingest_runs WHERE started_at >= %s "
                "ORDER BY started_at DESC LIMIT 1",
                (since,),
            )
            row = cur.fetchone()
        return (row[0], row[1]) if row else (None, "not_started")
    finally:
        conn.close()


def last_child_peak_rss_mb() -> float:
    """Peak resident memory of the largest child process so far (the Airflow process that ran the tasks)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def log_tail(path: Path, lines: int = 40) -> str:
    text = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return "\n".join(text[-lines:])
