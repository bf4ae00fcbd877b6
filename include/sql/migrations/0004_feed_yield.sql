-- 0004: how many items each feed fetch listed, and how many were new: the history behind the data checks
-- ("this feed usually lists 40 items and listed 0", "none of its items overlap the previous fetch").
ALTER TABLE newsflow.fetch_log ADD COLUMN entries int;
ALTER TABLE newsflow.fetch_log ADD COLUMN new_entries int;

-- Silent feeds: no new item for several times their usual interval between new items.
CREATE VIEW newsflow.feed_activity AS
WITH firsts AS (
    SELECT feed_id, first_seen_at,
           first_seen_at - lag(first_seen_at) OVER (PARTITION BY feed_id ORDER BY first_seen_at) AS gap
    FROM (SELECT DISTINCT feed_id, first_seen_at FROM newsflow.feed_entries) d
)
SELECT f.feed_id,
       f.url,
       o.name AS outlet,
       f.status,
       max(x.first_seen_at) AS last_new_item_at,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM x.gap)) / 3600.0 AS usual_hours_between_new_items,
       count(x.first_seen_at) AS fetches_with_new_items
FROM newsflow.feeds f
JOIN newsflow.outlets o ON o.outlet_id = f.outlet_id
LEFT JOIN firsts x ON x.feed_id = f.feed_id
GROUP BY f.feed_id, f.url, o.name, f.status;

GRANT SELECT ON newsflow.feed_activity TO newsflow_analyst;
