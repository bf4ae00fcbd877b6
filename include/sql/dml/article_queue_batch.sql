-- One batch of the run's page queue, with what the feed said about each item.
SELECT q.url_key, q.link, q.feed_id, q.entry_key, q.entry_hash, q.fetch_status, q.final_url, q.raw_sha256,
       e.title, e.published_at, e.authors, e.summary, f.language, o.outlet_id,
       f.min_delay_s, f.max_concurrency
FROM newsflow.article_queue q
JOIN newsflow.feed_entries e ON e.feed_id = q.feed_id AND e.entry_key = q.entry_key
JOIN newsflow.feeds f ON f.feed_id = q.feed_id
JOIN newsflow.outlets o ON o.outlet_id = f.outlet_id
WHERE q.run_id = %(run_id)s AND q.batch_no = %(batch_no)s
ORDER BY q.url_key;
