"""Tests for newsflow.warehouse.conninfo: URL <-> Airflow connection <-> libpq DSN."""

import json

import pytest

from newsflow.warehouse.conninfo import dsn_from_connection, url_to_airflow_conn


@pytest.mark.parametrize(
    "url, dsn",
    [
        ("postgresql://postgres:@/newsflow?host=/tmp/pg", "host=/tmp/pg user=postgres dbname=newsflow"),
        ("postgresql://u:p%40ss@db:5433/wh?sslmode=require",
         "host=db port=5433 user=u password=p@ss dbname=wh sslmode=require"),
        ("postgres://127.0.0.1/x", "host=127.0.0.1 dbname=x"),
    ],
)
def test_roundtrip(url, dsn):
    conn = json.loads(url_to_airflow_conn(url))
    assert conn["conn_type"] == "postgres"
    got = dsn_from_connection(host=conn.get("host"), port=conn.get("port"), login=conn.get("login"),
                              password=conn.get("password"), schema=conn.get("schema"), extra=conn.get("extra"))
    assert got == dsn


def test_rejects_other_schemes():
    with pytest.raises(ValueError, match="postgresql://"):
        url_to_airflow_conn("mysql://x/y")
