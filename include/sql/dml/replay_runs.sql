-- The runs to replay, oldest first.
SELECT run_id, started_at FROM newsflow.ingest_runs WHERE started_at >= %(since)s ORDER BY started_at, run_id;
