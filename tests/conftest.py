"""Session-wide test setup: one Airflow home, a real PostgreSQL (the CI server or the embedded one), fresh databases.

Warehouse tests are never skipped: without NEWSFLOW_TEST_DATABASE_URL they run on the embedded pgserver.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"

# Airflow reads its configuration when first imported: set it before any test module imports it.
_SESSION_DIR = Path(tempfile.mkdtemp(prefix="newsflow-tests-"))
os.environ["NEWSFLOW_HOME"] = str(_SESSION_DIR / "home")
os.environ["AIRFLOW_HOME"] = str(_SESSION_DIR / "home" / "airflow")
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(REPO / "dags")
os.environ["AIRFLOW__CORE__PLUGINS_FOLDER"] = str(REPO / "plugins")
os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = f"sqlite:///{_SESSION_DIR / 'home' / 'airflow' / 'airflow.db'}"
os.environ.setdefault("XDG_RUNTIME_DIR", str(_SESSION_DIR / "run"))
# Airflow puts the DAGs folder on sys.path for the shared wiring module; so do we.
sys.path.insert(0, str(REPO / "dags"))
# Everything the tests fetch is served on loopback: allow exactly that, so the SSRF guard still refuses
# every other private address (a test must never connect to one).
os.environ.pop("NEWSFLOW_ALLOW_PRIVATE_NETWORKS", None)
os.environ["NEWSFLOW_ALLOWED_NETWORKS"] = "127.0.0.0/8"
os.environ.pop("NEWSFLOW_WAREHOUSE_URL", None)
# The demo newsroom's fictional outlets are known to provenance, as in `newsflow demo`.
os.environ["NEWSFLOW_GAZETTEER_EXTRA"] = str(REPO / "include" / "newsflow" / "demo" / "data" / "gazetteer.yaml")
for d in (Path(os.environ["AIRFLOW_HOME"]), Path(os.environ["XDG_RUNTIME_DIR"])):
    d.mkdir(parents=True, exist_ok=True)
os.chmod(os.environ["XDG_RUNTIME_DIR"], 0o700)


def _with_database(url: str, dbname: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + dbname, parts.query, parts.fragment))


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str]:
    """A URL of a real PostgreSQL server where tests may create databases."""
    url = os.environ.get("NEWSFLOW_TEST_DATABASE_URL")
    if url:
        yield url
        return
    from newsflow.warehouse.embedded import ensure_embedded, stop_embedded

    home = _SESSION_DIR / "embedded"
    yield ensure_embedded(home, database="newsflow_test")
    stop_embedded(home)


@pytest.fixture(scope="session")
def make_database(pg_server_url: str) -> Iterator:
    """Factory: a new empty database on the test server; all are dropped at the end of the session."""
    import psycopg2
    from psycopg2 import sql

    created: list[str] = []

    def admin():
        conn = psycopg2.connect(pg_server_url)
        conn.autocommit = True
        return conn

    def make(prefix: str = "nf_test") -> str:
        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        conn = admin()
        try:
            with conn.cursor() as cur:
                cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        finally:
            conn.close()
        created.append(name)
        return _with_database(pg_server_url, name)

    yield make
    conn = admin()
    try:
        with conn.cursor() as cur:
            for name in created:
                cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    finally:
        conn.close()


@pytest.fixture
def warehouse_url(make_database) -> str:
    """A fresh, migrated warehouse database."""
    from newsflow.warehouse import connect
    from newsflow.warehouse.migrate import migrate

    url = make_database()
    conn = connect(url)
    try:
        migrate(conn)
    finally:
        conn.close()
    return url


@pytest.fixture
def warehouse(warehouse_url: str):
    from newsflow.warehouse import connect

    conn = connect(warehouse_url)
    yield conn
    conn.close()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    assert SHARED.is_dir(), f"{SHARED} is missing: the benchmark data lives beside the repo in ../shared"
    return SHARED


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(_SESSION_DIR, ignore_errors=True)
