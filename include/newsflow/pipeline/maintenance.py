"""Retention: delete raw documents, old per-run work plans and old stored story features past their age.

Articles, stories and the audit log stay; only bytes that exist for replay, bookkeeping and speed are pruned.
"""

from __future__ import annotations

import psycopg2.extensions

from newsflow.warehouse.db import load_sql, transaction

#: Per-run article queues are kept this long: enough to inspect a week of runs.
QUEUE_RETENTION_DAYS = 14
#: Stored story features (article_features) of articles first seen longer ago than this are deleted: far beyond
#: the grouping windows (hours to a week), so only a replay of old days pays to featurize them again.
FEATURES_RETENTION_DAYS = 30


def prune(conn: psycopg2.extensions.connection, *, raw_retention_days: int) -> dict[str, int]:
    """Apply retention; `raw_retention_days` <= 0 keeps raw documents forever."""
    out = {"raw_documents": 0, "queue_rows": 0, "feature_rows": 0}
    with transaction(conn) as cur:
        if raw_retention_days > 0:
            cur.execute(load_sql("prune_raw_documents"), {"days": raw_retention_days})
            out["raw_documents"] = cur.rowcount
        cur.execute(load_sql("prune_article_queue"), {"days": QUEUE_RETENTION_DAYS})
        out["queue_rows"] = cur.rowcount
        cur.execute(load_sql("prune_article_features"), {"days": FEATURES_RETENTION_DAYS})
        out["feature_rows"] = cur.rowcount
    return out
