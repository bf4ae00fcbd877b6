-- The pages to fetch in this run: entries never fetched, or edited since their page was fetched.
-- One row per URL key (several feeds may list the same page); batches of %(batch_size)s.
INSERT INTO newsflow.article_queue (run_id, url_key, batch_no, link, feed_id, entry_key, entry_hash)
SELECT %(run_id)s, url_key, ((row_number() OVER (ORDER BY url_key)) - 1) / %(batch_size)s,
       link, feed_id, entry_key, entry_hash
FROM (
    SELECT DISTINCT ON (e.url_key) e.url_key, e.link, e.feed_id, e.entry_key, e.entry_hash
    FROM newsflow.feed_entries e
    JOIN newsflow.feeds f ON f.feed_id = e.feed_id
    WHERE e.url_key IS NOT NULL
      AND e.page_hash IS DISTINCT FROM e.entry_hash
      AND f.active
      AND e.feed_id = ANY(%(feed_ids)s)
      AND e.last_seen_at > now() - make_interval(hours => %(max_age_hours)s)
    ORDER BY e.url_key, e.first_seen_at, e.feed_id
) todo
ON CONFLICT (run_id, url_key) DO NOTHING;
