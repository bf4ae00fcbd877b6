"""Tests for newsflow.warehouse.db: COPY encoding survives hostile text, arrays, bytes and NULs."""

from datetime import datetime, timezone

from newsflow.warehouse.db import copy_rows, create_stage, transaction


def test_copy_roundtrip_of_hostile_values(warehouse):
    cols = ("sha256", "kind", "url", "content_type", "http_headers", "size", "body_gz", "fetched_at")
    nasty = 'tab\there\nnew line \\ back\\slash "quote" \r\x00nul <script>alert(1)</script> é 中文'
    rows = [("a" * 64, "article", nasty, None, {"k": nasty}, 3, b"\x00\x01\xff\\", datetime(2026, 1, 1,
                                                                                      tzinfo=timezone.utc))]
    with transaction(warehouse) as cur:
        create_stage(cur, "stage_raw", "raw_documents", cols)
        assert copy_rows(cur, "stage_raw", cols, rows) == 1
        cur.execute("SELECT url, content_type, http_headers->>'k', body_gz FROM stage_raw")
        url, ctype, header, body = cur.fetchone()
    assert url == nasty.replace("\x00", "")
    assert header == nasty.replace("\x00", "")
    assert ctype is None
    assert bytes(body) == b"\x00\x01\xff\\"


def test_copy_arrays(warehouse):
    cols = ("feed_id", "entry_key", "authors", "entry_hash", "first_seen_at", "last_seen_at")
    with transaction(warehouse) as cur:
        create_stage(cur, "stage_e", "feed_entries", cols)
        now = datetime.now(timezone.utc)
        copy_rows(cur, "stage_e", cols, [(1, "k", ['A "B"', "C,D", "E\\F", "{x}"], "h", now, now)])
        cur.execute("SELECT authors FROM stage_e")
        assert cur.fetchone()[0] == ['A "B"', "C,D", "E\\F", "{x}"]


def test_connection_errors_never_show_the_password():
    import pytest

    from newsflow.warehouse import connect

    for dsn in ("host=127.0.0.1 port=1 user=u password=s3cret dbname=x", "postgresql://u:s3cret@127.0.0.1:1/x"):
        with pytest.raises(ConnectionError) as err:
            connect(dsn)
        assert "s3cret" not in str(err.value) and "***" in str(err.value)
