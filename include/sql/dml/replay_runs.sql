-- The runs to replay, oldest first: started in [since, until), until NULL meaning open-ended.
SELECT run_id, started_at FROM newsflow.ingest_runs
WHERE started_at >= %(since)s AND (%(until)s::timestamptz IS NULL OR started_at < %(until)s)
ORDER BY started_at, run_id;
