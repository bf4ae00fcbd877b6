-- Every active feed with its health and activity, for the daily digest.
SELECT h.outlet, h.url, h.status, h.consecutive_failures, h.last_error, a.last_new_item_at,
       a.usual_hours_between_new_items
FROM newsflow.feed_health h
JOIN newsflow.feed_activity a ON a.feed_id = h.feed_id
WHERE h.active
ORDER BY h.outlet, h.url;
