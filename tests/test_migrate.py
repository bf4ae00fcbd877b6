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


def _schema(conn) -> list[tuple]:
    with conn.cursor() as cur:
        cur.execute("""SELECT table_name, column_name, data_type, is_nullable, column_default
                       FROM information_schema.columns WHERE table_schema = 'newsflow'
                       ORDER BY table_name, column_name""")
        cols = cur.fetchall()
        cur.execute("""SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'newsflow' ORDER BY indexname""")
        return cols + cur.fetchall()


def test_upgrade_from_every_earlier_version_gives_the_same_schema(make_database, tmp_path):
    migrations = discover()
    reference = connect(make_database())
    try:
        migrate(reference)
        expected = _schema(reference)
    finally:
        reference.close()
    for upto in range(1, len(migrations)):
        partial = tmp_path / f"upto{upto}"
        partial.mkdir()
        for m in migrations[:upto]:
            (partial / m.path.name).write_text(m.text)
        conn = connect(make_database())
        try:
            migrate(conn, partial)  # a warehouse deployed at version `upto` ...
            assert migrate(conn) == [m.path.name for m in migrations[upto:]]  # ... upgraded to the latest
            assert _schema(conn) == expected, f"upgrading from {migrations[upto - 1].path.name} differs"
        finally:
            conn.close()


def test_analyst_role_cannot_write_or_read_raw_tables(warehouse):
    with warehouse.cursor() as cur:
        cur.execute("SET ROLE newsflow_analyst")
        for statement in ("SELECT count(*) FROM newsflow.raw_documents",
                          "SELECT count(*) FROM newsflow.fetch_log",
                          "INSERT INTO newsflow.outlets (name) VALUES ('x')",
                          "DELETE FROM newsflow.stories",
                          "UPDATE newsflow.feeds SET active = false"):
            cur.execute("SAVEPOINT s")
            with pytest.raises(Exception, match="permission denied"):
                cur.execute(statement)
            cur.execute("ROLLBACK TO SAVEPOINT s")
    warehouse.rollback()
