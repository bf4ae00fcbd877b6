-- Work plans of old runs are only bookkeeping.
DELETE FROM newsflow.article_queue q
USING newsflow.ingest_runs r
WHERE q.run_id = r.run_id AND r.started_at < now() - make_interval(days => %(days)s);
