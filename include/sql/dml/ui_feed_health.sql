-- UI (News page): per-feed health from the analyst view; failing feeds first, then by outlet.
-- A feed is failing when its last fetch failed (consecutive_failures > 0) or its status is not a success.
SELECT h.feed_id, h.url, h.outlet, h.tier, h.active, h.status, h.http_status, h.consecutive_failures,
       h.last_attempt_at, h.last_success_at, h.next_attempt_at, h.last_error, h.items_last_day,
       (h.consecutive_failures > 0 OR h.status NOT IN ('ok', 'not_modified', 'new')) AS failing
FROM newsflow.feed_health h
WHERE NOT %(failing_only)s
   OR h.consecutive_failures > 0 OR h.status NOT IN ('ok', 'not_modified', 'new')
ORDER BY (h.consecutive_failures > 0 OR h.status NOT IN ('ok', 'not_modified', 'new')) DESC,
         h.consecutive_failures DESC, h.outlet, h.url
LIMIT %(limit)s;
