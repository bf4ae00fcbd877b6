-- What one run did, derived from the rows it left (so a retried task cannot double count).
SELECT
    (SELECT count(*) FROM newsflow.fetch_log l
      WHERE l.run_id = %(run_id)s AND l.kind = 'feed' AND l.status = 'ok') AS feeds_ok,
    (SELECT count(*) FROM newsflow.fetch_log l
      WHERE l.run_id = %(run_id)s AND l.kind = 'feed' AND l.status = 'not_modified') AS feeds_not_modified,
    (SELECT count(*) FROM newsflow.fetch_log l
      WHERE l.run_id = %(run_id)s AND l.kind = 'feed' AND l.status NOT IN ('ok', 'not_modified')) AS feeds_failed,
    (SELECT count(*) FROM newsflow.feed_entries e WHERE e.last_run_id = %(run_id)s) AS entries_seen,
    (SELECT count(*) FROM newsflow.feed_entries e WHERE e.first_run_id = %(run_id)s) AS entries_new,
    (SELECT count(*) FROM newsflow.article_queue q WHERE q.run_id = %(run_id)s AND q.fetch_status = 'ok')
        AS pages_fetched,
    (SELECT count(*) FROM newsflow.article_queue q WHERE q.run_id = %(run_id)s AND q.fetch_status <> 'ok')
        AS pages_failed,
    (SELECT count(*) FROM newsflow.articles a WHERE a.first_run_id = %(run_id)s) AS articles_new,
    (SELECT count(*) FROM newsflow.article_queue q
       JOIN newsflow.articles a ON a.url_key = q.url_key
      WHERE q.run_id = %(run_id)s AND a.first_run_id IS DISTINCT FROM %(run_id)s AND a.revision > 1
        AND q.extract_status = 'ok') AS articles_updated,
    (SELECT count(*) FROM newsflow.duplicates d WHERE d.run_id = %(run_id)s) AS duplicates_new,
    (SELECT count(*) FROM newsflow.stories s WHERE s.created_run_id = %(run_id)s) AS stories_new,
    (SELECT count(DISTINCT m.story_id) FROM newsflow.story_members m WHERE m.run_id = %(run_id)s) AS stories_updated;
