-- GUID -> link of each feed's entries as of its last fetch that listed entries (for changing-GUID detection).
SELECT e.feed_id, e.guid, e.link
FROM newsflow.feed_entries e
JOIN (
    SELECT feed_id, max(last_seen_at) AS last_seen_at
    FROM newsflow.feed_entries WHERE feed_id = ANY(%(feed_ids)s) GROUP BY feed_id
) latest ON latest.feed_id = e.feed_id AND latest.last_seen_at = e.last_seen_at
WHERE e.guid IS NOT NULL;
