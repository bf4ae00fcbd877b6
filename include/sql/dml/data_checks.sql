-- Measurements for the data checks of one run.
SELECT
    (SELECT feeds_total FROM newsflow.ingest_runs WHERE run_id = %(run_id)s) AS feeds_total,
    (SELECT count(*) FROM newsflow.fetch_log l
      WHERE l.run_id = %(run_id)s AND l.kind = 'feed' AND l.status NOT IN ('ok', 'not_modified')) AS feeds_failed,
    (SELECT count(*) FROM newsflow.article_queue q WHERE q.run_id = %(run_id)s AND q.extract_status IS NOT NULL)
        AS pages,
    (SELECT count(*) FROM newsflow.article_queue q
      WHERE q.run_id = %(run_id)s AND q.extract_status IN ('empty', 'failed', 'too_short')) AS pages_empty,
    (SELECT count(*) FROM newsflow.articles a WHERE a.first_run_id = %(run_id)s) AS articles_new,
    (SELECT count(*) FROM newsflow.duplicates d WHERE d.run_id = %(run_id)s) AS duplicates_new,
    (SELECT count(*) FROM newsflow.articles a
      WHERE a.first_run_id = %(run_id)s
        AND a.published_at > now() + make_interval(hours => %(future_hours)s)) AS future_dated;
