-- Fetch state of the given feeds.
SELECT f.feed_id, f.url, o.name, f.language, f.etag, f.last_modified, f.body_hash, f.identity,
       f.consecutive_failures, f.next_attempt_at, f.last_full_fetch_at, f.redirect_url, f.redirect_count,
       f.min_delay_s, f.max_concurrency
FROM newsflow.feeds f
JOIN newsflow.outlets o ON o.outlet_id = f.outlet_id
WHERE f.feed_id = ANY(%(feed_ids)s)
ORDER BY f.feed_id;
