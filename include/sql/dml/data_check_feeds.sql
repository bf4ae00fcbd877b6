-- Per feed fetched in this run: items listed now and new, against the feed's recent history.
WITH this AS (
    SELECT l.feed_id, l.entries, l.new_entries
    FROM newsflow.fetch_log l
    WHERE l.run_id = %(run_id)s AND l.kind = 'feed' AND l.status = 'ok' AND l.entries IS NOT NULL
)
SELECT f.url, o.name, t.entries, t.new_entries, h.usual_entries, coalesce(h.fetches, 0)
FROM this t
JOIN newsflow.feeds f ON f.feed_id = t.feed_id
JOIN newsflow.outlets o ON o.outlet_id = f.outlet_id
LEFT JOIN LATERAL (
    SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY p.entries) AS usual_entries, count(*) AS fetches
    FROM (
        SELECT l.entries FROM newsflow.fetch_log l
        WHERE l.feed_id = t.feed_id AND l.kind = 'feed' AND l.status = 'ok' AND l.entries IS NOT NULL
          AND l.run_id IS DISTINCT FROM %(run_id)s
        ORDER BY l.fetched_at DESC
        LIMIT %(history)s
    ) p
) h ON true
ORDER BY f.url;
