"""Tests for newsflow.warehouse.migrate on a real PostgreSQL: ordered, recorded, repeatable, concurrent-safe."""

import threading

import pytest

from newsflow.warehouse import connect
from newsflow.warehouse.migrate import discover, migrate


def test_applies_all_then_nothing(make_database):
    url = make_database()
    conn = connect(url)
    try:
        applied = migrate(conn)
        assert applied == [m.path.name for m in discover()]
        assert migrate(conn) == []
        with conn.cursor() as cur:
            cur.execute("SELECT version FROM newsflow.schema_migrations ORDER BY version")
            assert [r[0] for r in cur.fetchall()] == [m.version for m in discover()]
    finally:
        conn.close()


def test_concurrent_migrations_apply_once(make_database):
    url = make_database()
    errors, results = [], []

    def worker():
        conn = connect(url)
        try:
            results.append(migrate(conn))
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(len(r) for r in results) == [0, 0, 0, len(discover())]


def test_edited_migration_is_refused(make_database, tmp_path):
    for m in discover():
        (tmp_path / m.path.name).write_text(m.text)
    conn = connect(make_database())
    try:
        migrate(conn, tmp_path)
        first = sorted(tmp_path.glob("*.sql"))[0]
        first.write_text(first.read_text() + "\n-- edited\n")
        with pytest.raises(RuntimeError, match="changed after it was applied"):
            migrate(conn, tmp_path)
    finally:
        conn.close()


def test_failed_migration_rolls_back(make_database, tmp_path):
    (tmp_path / "0001_good.sql").write_text("CREATE SCHEMA IF NOT EXISTS newsflow; CREATE TABLE newsflow.t (x int);")
    (tmp_path / "0002_bad.sql").write_text("CREATE TABLE newsflow.u (x int); SELECT no_such_function();")
    conn = connect(make_database())
    try:
        with pytest.raises(RuntimeError, match="0002_bad.sql failed and was rolled back"):
            migrate(conn, tmp_path)
        with conn.cursor() as cur:
            cur.execute("SELECT to_regclass('newsflow.t') IS NOT NULL, to_regclass('newsflow.u') IS NOT NULL")
            assert cur.fetchone() == (True, False)
    finally:
        conn.close()


def test_analyst_role_reads_views_only(warehouse):
    with warehouse.cursor() as cur:
        cur.execute("SET ROLE newsflow_analyst")
        cur.execute("SELECT count(*) FROM newsflow.daily_stories")
        cur.execute("SELECT count(*) FROM newsflow.feed_health")
        with pytest.raises(Exception, match="permission denied"):
            cur.execute("SELECT count(*) FROM newsflow.articles")
    warehouse.rollback()
