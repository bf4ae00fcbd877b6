-- UI (News page): the last pipeline runs with their counts and per-task durations (jsonb).
SELECT run_id, dag_id, status, started_at, finished_at,
       extract(epoch FROM (finished_at - started_at)) AS elapsed_s,
       feeds_total, feeds_ok, feeds_not_modified, feeds_failed,
       entries_seen, entries_new, pages_fetched, pages_failed,
       articles_new, articles_updated, duplicates_new, stories_new, stories_updated,
       durations, jsonb_array_length(warnings) AS n_warnings
FROM newsflow.ingest_runs
ORDER BY started_at DESC, run_id DESC
LIMIT %(limit)s;
