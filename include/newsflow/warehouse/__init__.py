"""The PostgreSQL warehouse: connections, migrations, bulk loads and reads.

Every function takes an open psycopg2 connection (or a URL), so tests can point it at any server.
"""

from newsflow.warehouse.db import connect, load_sql, resolve_warehouse_url, transaction

__all__ = ["connect", "load_sql", "resolve_warehouse_url", "transaction"]
