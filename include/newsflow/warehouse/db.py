"""Connections to the warehouse, named SQL files, and the COPY-based bulk loader.

SQL lives in include/sql/ as files; parameters are always bound, identifiers go through psycopg2.sql.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

import psycopg2
import psycopg2.extensions
from psycopg2 import sql

from newsflow.settings import REPO_ROOT, Settings

SQL_DIR = REPO_ROOT / "include" / "sql"
SCHEMA = "newsflow"
#: Statements longer than this are cancelled by the server; a stuck query must not hang a task forever.
STATEMENT_TIMEOUT_MS = 15 * 60 * 1000


def resolve_warehouse_url(settings: Settings | None = None, url: str | None = None) -> str:
    """The URL passed, else NEWSFLOW_WAREHOUSE_URL, else the embedded server (started if needed)."""
    if url:
        return url
    settings = settings or Settings.from_env()
    if settings.warehouse_url:
        return settings.warehouse_url
    from newsflow.warehouse.embedded import ensure_embedded

    return ensure_embedded(Path(settings.home))


def connect(url: str, *, application_name: str = "newsflow") -> psycopg2.extensions.connection:
    try:
        conn = psycopg2.connect(
            url,
            application_name=application_name,
            connect_timeout=10,
            options=f"-c statement_timeout={STATEMENT_TIMEOUT_MS} -c timezone=UTC",
        )
    except psycopg2.OperationalError as exc:
        raise ConnectionError(
            f"cannot connect to the warehouse ({redact(url)}): {str(exc).strip()}. "
            "Check NEWSFLOW_WAREHOUSE_URL / --warehouse, or unset it to use the embedded server."
        ) from None
    return conn


def redact(text: str) -> str:
    """Never show a password: in URLs (user:pw@) and in libpq key=value strings (password=...)."""
    text = re.sub(r"(://[^:/@\s]*):[^@\s]*@", r"\1:***@", text)
    return re.sub(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)", r"\1***", text, flags=re.IGNORECASE)


@contextmanager
def transaction(conn: psycopg2.extensions.connection) -> Iterator[psycopg2.extensions.cursor]:
    """One transaction: commit on success, roll back on any error (nothing half-written)."""
    try:
        with conn.cursor() as cur:
            yield cur
        conn.commit()
    except BaseException:
        conn.rollback()
        raise


@lru_cache(maxsize=None)
def load_sql(name: str) -> str:
    """The text of include/sql/dml/<name>.sql."""
    path = SQL_DIR / "dml" / f"{name}.sql"
    return path.read_text(encoding="utf-8")


# --- COPY text format encoding ---------------------------------------------------------------

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _array_item(value: object) -> str:
    if value is None:
        return "NULL"
    s = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{s}"'


def _without_nul(value: object) -> object:
    """JSON escapes NUL as \\u0000, which PostgreSQL refuses in jsonb: drop it before encoding."""
    if isinstance(value, str):
        return _valid_utf8(value.replace("\x00", ""))
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_without_nul(v) for v in value]
    return value


def _copy_value(value: object) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "\\\\x" + bytes(value).hex()
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        text = "{" + ",".join(_array_item(v) for v in value) + "}"
    elif isinstance(value, dict):
        text = json.dumps(_without_nul(value), ensure_ascii=False, default=str)
    else:
        text = str(value)
    # NUL cannot be stored in PostgreSQL text; web pages do contain it.
    return _valid_utf8(text.replace("\x00", "")).translate(_ESCAPES)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _valid_utf8(text: str) -> str:
    """Lone surrogates (broken UTF-16 in a page or feed) cannot be encoded: they become U+FFFD."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", text)
    return text


def copy_rows(
    cur: psycopg2.extensions.cursor, table: str, columns: Sequence[str], rows: Iterable[Sequence[object]]
) -> int:
    """COPY rows into `table` (a temp staging table); returns the row count."""
    buf = io.StringIO()
    n = 0
    for row in rows:
        buf.write("\t".join(_copy_value(v) for v in row))
        buf.write("\n")
        n += 1
    if not n:
        return 0
    buf.seek(0)
    stmt = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    )
    cur.copy_expert(stmt.as_string(cur), buf)
    return n


def create_stage(cur: psycopg2.extensions.cursor, stage: str, source_table: str, columns: Sequence[str]) -> None:
    """A temporary table with the given columns of newsflow.<source_table>, dropped at commit."""
    cur.execute(
        sql.SQL("CREATE TEMP TABLE {} ON COMMIT DROP AS SELECT {} FROM {}.{} WITH NO DATA").format(
            sql.Identifier(stage),
            sql.SQL(", ").join(sql.Identifier(c) for c in columns),
            sql.Identifier(SCHEMA),
            sql.Identifier(source_table),
        )
    )
