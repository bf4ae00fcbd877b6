"""Distributed: the real news_ingest DAG on Airflow's CeleryExecutor with two Celery workers (issue 7).

"It must run unchanged when one machine is no longer enough." The layout of docker-compose.yaml, as local
processes of one temporary AIRFLOW_HOME, all on loopback:

- `airflow api-server` on a free port P (`--host 127.0.0.1 --workers 1`); the workers' task supervisors reach its
  Execution API at http://127.0.0.1:P/execution/ (AIRFLOW__CORE__EXECUTION_API_SERVER_URL). One JWT secret for
  all processes. The test uses its REST API (simple auth manager, all admins: loopback only, no login) to create
  the pool(s) of newsflow.airflow_env.POOLS, trigger news_ingest and unpause it.
- `airflow scheduler` with AIRFLOW__CORE__EXECUTOR=CeleryExecutor (it serves no port; scheduler health check off)
  and AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE=False: only the run the test triggers runs, never a scheduled
  `@daily` run over the real feeds (NEWSFLOW_FEEDS also points at the demo feeds file, in case).
- `airflow dag-processor` (no port), parsing this checkout's dags/.
- two `airflow celery worker` processes, `--celery-hostname newsflow-w1@<host>` / `newsflow-w2@<host>`,
  `--concurrency 2`, `--skip-serve-logs` (no port 8793: logs are files of the shared AIRFLOW_HOME). Each
  worker's `[core] hostname_callable` is `distributed_helpers.worker_hostname`, which returns its Celery
  hostname: on one machine Airflow would otherwise record the same FQDN for both in `task_instance.hostname`.
- no triggerer: news_ingest defers nothing.
- Broker: Redis, `NEWSFLOW_TEST_REDIS_URL` (default redis://127.0.0.1:6379/15); that one DB is flushed first.
  Result backend and metadata DB: a fresh database on the test PostgreSQL (`make_database`: the server of
  NEWSFLOW_TEST_DATABASE_URL, in CI 127.0.0.1:5432, else the embedded one), dropped at the end.
- In the test process: the demo newsroom on a free loopback port (the tasks fetch it), and the warehouse
  (a fresh migrated database) reached by the tasks through AIRFLOW_CONN_NEWSFLOW_WAREHOUSE.

Small batches (NEWSFLOW_FEED_BATCH_SIZE=2, NEWSFLOW_ARTICLE_BATCH_SIZE=10) make 4 mapped tasks per mapped step,
so both workers get work. The test triggers news_ingest with conf {"feeds_file": ...}, waits for the run (in the
metadata DB), and checks: success, each demo article loaded once, task instances ran on both workers, the
ingest_runs row.
Every process is stopped (SIGTERM to its own process group, SIGKILL after a grace period) whatever happens;
on failure the tail of each process log is printed. About 2-3 minutes on 2 cores; run alone with
`pytest -m distributed`.
"""

from __future__ import annotations

import os
import re
import secrets
import socket
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from distributed_helpers import (AIRFLOW, WORKER_HOSTNAME_ENV, Services, api, free_port, http_status, tail,
                                 wait_until)

REPO = Path(__file__).resolve().parents[1]
TESTS = Path(__file__).resolve().parent
DAG_ID = "news_ingest"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
WORKERS = ("newsflow-w1", "newsflow-w2")
#: Whole-test budget is ~4 minutes; these bound each phase.
MIGRATE_TIMEOUT_S = 150
STARTUP_TIMEOUT_S = 90
RUN_TIMEOUT_S = 150

pytestmark = pytest.mark.distributed


def _with_scheme(url: str, scheme: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((scheme, parts.netloc, parts.path, parts.query, parts.fragment))


def _redis_url() -> str:
    url = os.environ.get("NEWSFLOW_TEST_REDIS_URL") or DEFAULT_REDIS_URL
    parts = urlsplit(url)
    assert parts.scheme == "redis" and parts.path.strip("/").isdigit(), f"want redis://host:port/<db>, got {url}"
    return url


def _flush_redis(url: str, strict: bool = True) -> None:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=5)
    try:
        client.flushdb()  # only the DB number of the URL
    except redis.exceptions.ConnectionError as exc:
        if not strict:
            raise
        pytest.fail(f"no Redis at {url} for the Celery broker ({exc}); start one or set NEWSFLOW_TEST_REDIS_URL",
                    pytrace=False)
    finally:
        client.close()


def _query(url: str, sql: str, params: tuple = ()) -> list[tuple]:
    import psycopg2

    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()
    finally:
        conn.close()


def _airflow_env(home: Path, warehouse_url: str, metadata_url: str, redis_url: str, api_port: int,
                 feeds_file: Path) -> dict[str, str]:
    """This checkout's Airflow env (newsflow.airflow_env) turned into the CeleryExecutor layout of compose."""
    from newsflow.airflow_env import airflow_env
    from newsflow.settings import Settings

    base = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    base.pop("NEWSFLOW_ALLOW_PRIVATE_NETWORKS", None)
    env = airflow_env(Settings(home=str(home)), warehouse_url, base=base)
    # The tasks find the warehouse through the Airflow connection only, as in a deployment.
    env.pop("NEWSFLOW_WAREHOUSE_URL", None)
    env.update({
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": _with_scheme(metadata_url, "postgresql+psycopg2"),
        "AIRFLOW__CELERY__BROKER_URL": redis_url,
        "AIRFLOW__CELERY__RESULT_BACKEND": _with_scheme(metadata_url, "db+postgresql"),
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{api_port}/execution/",
        # Every process must sign and check the task tokens with the same secret.
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_hex(32),
        "AIRFLOW__API__SECRET_KEY": secrets.token_hex(16),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
        "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
        "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
        # The test drives the REST API without a login; the api-server listens on loopback only.
        "AIRFLOW__CORE__AUTH_MANAGER": "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
        "NEWSFLOW_FEEDS": str(feeds_file),
        "NEWSFLOW_FEED_BATCH_SIZE": "2",
        "NEWSFLOW_ARTICLE_BATCH_SIZE": "10",
        "NEWSFLOW_ALLOWED_NETWORKS": "127.0.0.0/8",
        "NEWSFLOW_GAZETTEER_EXTRA": str(REPO / "include" / "newsflow" / "demo" / "data" / "gazetteer.yaml"),
    })
    return env


def _worker_env(env: dict[str, str], celery_hostname: str) -> dict[str, str]:
    return {
        **env,
        "PYTHONPATH": os.pathsep.join([str(TESTS), env["PYTHONPATH"]]),
        "AIRFLOW__CORE__HOSTNAME_CALLABLE": "distributed_helpers.worker_hostname",
        WORKER_HOSTNAME_ENV: celery_hostname,
    }


def _worker_ready(log_path: Path, celery_hostname: str) -> bool:
    try:
        return f"{celery_hostname} ready." in log_path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


def _dag_parsed(metadata_url: str) -> bool:
    rows = _query(metadata_url, "SELECT 1 FROM serialized_dag WHERE dag_id = %s", (DAG_ID,))
    if not rows:
        errors = _query(metadata_url, "SELECT filename, stacktrace FROM import_error")
        assert not errors, f"DAG import errors: {errors}"
    return bool(rows)


def _run_state(metadata_url: str, run_id: str) -> str | None:
    rows = _query(metadata_url, "SELECT state FROM dag_run WHERE dag_id = %s AND run_id = %s", (DAG_ID, run_id))
    state = rows[0][0] if rows else None
    return state if state in ("success", "failed") else None


def _task_logs(home: Path, run_id: str, states: list[tuple]) -> str:
    """Tails of the task logs of the task instances that did not succeed."""
    out = []
    run_dir = home / "logs" / f"dag_id={DAG_ID}" / f"run_id={run_id}"
    for task_id, map_index, state, *_ in states:
        if state == "success":
            continue
        task_dir = run_dir / f"task_id={task_id}"
        if map_index >= 0:
            task_dir = task_dir / f"map_index={map_index}"
        for log in sorted(task_dir.glob("attempt=*.log")):
            out.append(f"----- {log}\n{tail(log, 40)}")
    return "\n".join(out)


@pytest.mark.timeout(300)
def test_news_ingest_on_celery_with_two_workers(make_database, pg_server_url, warehouse_url, tmp_path):
    from newsflow.airflow_env import POOLS
    from newsflow.cli import DEMO_NOW
    from newsflow.demo import demo_newsroom, serve, write_feeds_yaml
    from newsflow.warehouse.conninfo import url_to_airflow_conn

    t0 = time.monotonic()
    redis_url = _redis_url()
    _flush_redis(redis_url)
    metadata_url = make_database("nf_airflow_meta")
    home = tmp_path / "home"
    log_dir = tmp_path / "logs"
    log_dir.mkdir()
    services = Services(log_dir)
    newsroom = demo_newsroom(now=DEMO_NOW)
    run_id = f"distributed__{uuid.uuid4().hex[:8]}"
    host = socket.gethostname()
    celery_hostnames = [f"{name}@{host}" for name in WORKERS]
    ok = False
    try:
        with serve(newsroom, host="127.0.0.1", port=0) as site:
            feeds_file = write_feeds_yaml(newsroom, site.url, tmp_path / "demo-feeds.yaml", min_delay_s=0)
            api_port = free_port()
            env = _airflow_env(home, warehouse_url, metadata_url, redis_url, api_port, feeds_file)
            assert env["AIRFLOW_CONN_NEWSFLOW_WAREHOUSE"] == url_to_airflow_conn(warehouse_url)
            assert env["AIRFLOW_HOME"] == str(home / "airflow")

            services.run("db-migrate", [AIRFLOW, "db", "migrate"], env, timeout=MIGRATE_TIMEOUT_S)
            daemons = ["api-server", "scheduler", "dag-processor", *WORKERS]
            services.start("api-server", [AIRFLOW, "api-server", "--host", "127.0.0.1", "--port", str(api_port),
                                          "--workers", "1"], env)
            services.start("scheduler", [AIRFLOW, "scheduler"], env)
            services.start("dag-processor", [AIRFLOW, "dag-processor"], env)
            workers = [services.start(name, [AIRFLOW, "celery", "worker", "--celery-hostname", celery_hostname,
                                             "--concurrency", "2", "--skip-serve-logs"],
                                      _worker_env(env, celery_hostname))
                       for name, celery_hostname in zip(WORKERS, celery_hostnames)]

            base_url = f"http://127.0.0.1:{api_port}"
            wait_until("the api-server", lambda: http_status(base_url + "/api/v2/monitor/health") == 200,
                       STARTUP_TIMEOUT_S, services, daemons)
            # Warm the Execution API up: its first request is slow (seconds) and the task supervisors time out.
            wait_until("the Execution API", lambda: http_status(base_url + "/execution/health", timeout=60) == 200,
                       STARTUP_TIMEOUT_S, services, daemons)
            wait_until("news_ingest to be parsed", lambda: _dag_parsed(metadata_url), STARTUP_TIMEOUT_S,
                       services, daemons, interval=1)
            # Both workers listen before anything is queued, so the first mapped tasks spread over both.
            wait_until("both Celery workers", lambda: all(_worker_ready(w.log_path, h)
                                                         for w, h in zip(workers, celery_hostnames)),
                       STARTUP_TIMEOUT_S, services, daemons)
            # What `make airflow` and the compose init do with the CLI, through the REST API (no extra process).
            for name, (slots, desc) in POOLS.items():
                api(base_url, "POST", "/api/v2/pools", {"name": name, "slots": slots, "description": desc})
            assert {r[0] for r in _query(metadata_url, "SELECT pool FROM slot_pool")} >= set(POOLS)
            t_ready = time.monotonic()

            run = api(base_url, "POST", f"/api/v2/dags/{DAG_ID}/dagRuns",
                      {"dag_run_id": run_id, "logical_date": None, "conf": {"feeds_file": str(feeds_file)}})
            assert run["dag_run_id"] == run_id and run["state"] == "queued", run
            dag = api(base_url, "PATCH", f"/api/v2/dags/{DAG_ID}?update_mask=is_paused", {"is_paused": False})
            assert dag["is_paused"] is False, dag

            def task_instances() -> list[tuple]:
                return _query(metadata_url, "SELECT task_id, map_index, state, hostname, try_number "
                                            "FROM task_instance WHERE dag_id = %s AND run_id = %s "
                                            "ORDER BY task_id, map_index", (DAG_ID, run_id))

            try:
                state = wait_until(f"run {run_id} to finish", lambda: _run_state(metadata_url, run_id),
                                   RUN_TIMEOUT_S, services, daemons, interval=1)
            except AssertionError as exc:
                raise AssertionError(f"{exc}\ntask instances: {task_instances()}") from None
            t_done = time.monotonic()
            tis = task_instances()
            assert state == "success", f"run {run_id}: {state}\n{tis}\n{_task_logs(home / 'airflow', run_id, tis)}"

        # Every task ran, on a Celery worker; both workers ran some.
        assert tis and all(t[2] == "success" for t in tis), tis
        mapped = {task: sum(1 for t in tis if t[0] == task) for task in ("fetch_feeds", "fetch_articles")}
        assert mapped["fetch_feeds"] == -(-len(newsroom.outlets) // 2), mapped
        assert mapped["fetch_articles"] >= 2, mapped
        by_host: dict[str, int] = {}
        for t in tis:
            by_host[t[3]] = by_host.get(t[3], 0) + 1
        assert set(by_host) == set(celery_hostnames), by_host
        for w, h in zip(workers, celery_hostnames):
            received = re.findall(r"Task execute_workload\[[0-9a-f-]+\] received",
                                  w.log_path.read_text(encoding="utf-8", errors="replace"))
            assert received, f"{h} received no Celery task"

        # The warehouse holds every demo article once, and the run row is closed as a success.
        articles, distinct = _query(warehouse_url, "SELECT count(*), count(DISTINCT url_key) FROM newsflow.articles")[0]
        assert articles == distinct == len(newsroom.articles)
        runs = _query(warehouse_url, "SELECT run_id, status, articles_new FROM newsflow.ingest_runs")
        assert runs == [(run_id, "success", len(newsroom.articles))], runs
        ok = True
        print(f"\ndistributed: ready after {t_ready - t0:.0f} s, run took {t_done - t_ready:.0f} s; "
              f"task instances per worker: {by_host}; retried: {[t[:2] for t in tis if t[4] > 1]}")
    finally:
        services.stop_all()
        if not ok:
            print("\n" + services.report())
        try:  # best effort: never hide the test's own failure
            _drop_database(pg_server_url, metadata_url)
            _flush_redis(redis_url, strict=False)
        except Exception as exc:  # noqa: BLE001
            print(f"distributed: cleanup failed: {exc!r}")


def _drop_database(admin_url: str, url: str) -> None:
    import psycopg2
    from psycopg2 import sql

    conn = psycopg2.connect(admin_url)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(urlsplit(url).path.lstrip("/"))))
    finally:
        conn.close()
