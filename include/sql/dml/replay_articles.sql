-- The replayed articles as queue items: their latest raw page and what their feed entry said.
SELECT a.url_key, a.url, coalesce(a.feed_id, e.feed_id), coalesce(e.entry_key, ''), coalesce(e.entry_hash, ''),
       'ok', a.final_url, a.raw_sha256, e.title, e.published_at, e.authors, e.summary, f.language, a.outlet_id,
       0.0, 1
FROM newsflow.articles a
LEFT JOIN LATERAL (
    SELECT * FROM newsflow.feed_entries x WHERE x.url_key = a.url_key ORDER BY x.first_seen_at, x.feed_id LIMIT 1
) e ON true
LEFT JOIN newsflow.feeds f ON f.feed_id = coalesce(a.feed_id, e.feed_id)
WHERE a.first_run_id = %(run_id)s AND a.raw_sha256 IS NOT NULL
ORDER BY a.article_id;
