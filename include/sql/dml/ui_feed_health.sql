-- UI (News page): per-feed health from the analyst view; failing feeds first, then by outlet.
-- A feed is failing when its last fetch failed (consecutive_failures > 0) or its status is not a success.
-- n_feeds / n_failing count all feeds, whatever the filter and the limit.
WITH h AS (
    SELECT f.*, (f.consecutive_failures > 0 OR f.status NOT IN ('ok', 'not_modified', 'new')) AS failing
    FROM newsflow.feed_health f
), counted AS (
    SELECT h.*, count(*) OVER () AS n_feeds, count(*) FILTER (WHERE h.failing) OVER () AS n_failing
    FROM h
)
SELECT feed_id, url, outlet, tier, active, status, http_status, consecutive_failures,
       last_attempt_at, last_success_at, next_attempt_at, last_error, items_last_day, failing,
       n_feeds, n_failing
FROM counted
WHERE failing OR NOT %(failing_only)s
ORDER BY failing DESC, consecutive_failures DESC, outlet, url
LIMIT %(limit)s;
