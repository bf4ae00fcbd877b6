-- UI chart: how article extraction ended (ok, failed, paywalled, ...) for articles first seen in the window.
SELECT extraction_status AS status, count(*) AS n
FROM newsflow.articles
WHERE first_seen_at >= (date_trunc('day', now() AT TIME ZONE 'UTC') - (%(days)s - 1) * interval '1 day')
                       AT TIME ZONE 'UTC'
GROUP BY 1
ORDER BY 2 DESC, 1;
