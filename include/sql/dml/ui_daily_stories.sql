-- UI chart: stories per UTC day per outlet: distinct live stories an outlet reported on (copies excluded),
-- dated by the outlet's article's first sighting, over the last %(days)s days (today included).
SELECT (a.first_seen_at AT TIME ZONE 'UTC')::date AS day, o.name AS outlet, count(DISTINCT m.story_id) AS n
FROM newsflow.story_members m
JOIN newsflow.stories s ON s.story_id = m.story_id AND s.merged_into IS NULL
JOIN newsflow.articles a ON a.article_id = m.article_id
JOIN newsflow.outlets o ON o.outlet_id = a.outlet_id
WHERE NOT m.is_copy
  AND a.first_seen_at >= (date_trunc('day', now() AT TIME ZONE 'UTC') - (%(days)s - 1) * interval '1 day')
                         AT TIME ZONE 'UTC'
GROUP BY 1, 2
ORDER BY 1, 2;
