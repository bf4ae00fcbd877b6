"""Convert between a warehouse URL and an Airflow connection, without importing Airflow.

The Makefile and the CLI export AIRFLOW_CONN_NEWSFLOW_WAREHOUSE from the URL; tasks turn the connection back into a DSN.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from urllib.parse import parse_qsl, unquote, urlsplit

from psycopg2.extensions import make_dsn

#: The Airflow connection id every task uses for the warehouse.
WAREHOUSE_CONN_ID = "newsflow_warehouse"
#: libpq parameters kept from the URL query or the connection extras (sslmode and friends).
LIBPQ_EXTRAS = ("sslmode", "sslrootcert", "sslcert", "sslkey", "options", "target_session_attrs", "connect_timeout")


def url_to_airflow_conn(url: str) -> str:
    """A postgresql:// URL (TCP or ?host=/socket/dir) as the JSON form of an Airflow connection."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise ValueError(f"warehouse URL must start with postgresql://, got {parts.scheme or url!r}")
    query = dict(parse_qsl(parts.query))
    host = query.pop("host", None) or (unquote(parts.hostname) if parts.hostname else None)
    extra = {k: v for k, v in query.items() if k in LIBPQ_EXTRAS}
    conn = {
        "conn_type": "postgres",
        "host": host,
        "port": parts.port,
        "login": unquote(parts.username) if parts.username else None,
        "password": unquote(parts.password) if parts.password else None,
        "schema": parts.path.lstrip("/") or None,
        "extra": extra,
    }
    return json.dumps({k: v for k, v in conn.items() if v not in (None, {})})


def dsn_from_connection(
    *, host: str | None, port: int | None, login: str | None, password: str | None, schema: str | None,
    extra: Mapping[str, object] | None = None,
) -> str:
    """A libpq DSN from the fields of an Airflow connection."""
    params: dict[str, object] = {}
    extra = dict(extra or {})
    host = host or extra.get("host")  # a socket directory may arrive as an extra
    for key, value in (("host", host), ("port", port), ("user", login), ("password", password), ("dbname", schema)):
        if value not in (None, ""):
            params[key] = value
    for key in LIBPQ_EXTRAS:
        if extra.get(key) not in (None, ""):
            params[key] = extra[key]
    return make_dsn(**params)
