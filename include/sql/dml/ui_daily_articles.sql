-- UI chart: articles first seen per UTC day per outlet, over the last %(days)s days (today included).
SELECT (a.first_seen_at AT TIME ZONE 'UTC')::date AS day, o.name AS outlet, count(*) AS n
FROM newsflow.articles a
JOIN newsflow.outlets o ON o.outlet_id = a.outlet_id
WHERE a.first_seen_at >= (date_trunc('day', now() AT TIME ZONE 'UTC') - (%(days)s - 1) * interval '1 day')
                         AT TIME ZONE 'UTC'
GROUP BY 1, 2
ORDER BY 1, 2;
