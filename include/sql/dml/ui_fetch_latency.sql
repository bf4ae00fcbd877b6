-- UI chart: fetch latency (fetch_log.duration_ms) per kind over the window: percentiles and a histogram.
-- Buckets (ms): <100, <250, <500, <1000, <2500, <5000, <10000, >=10000 -> bucket 0..7.
SELECT kind,
       count(*) AS n,
       count(*) FILTER (WHERE status NOT IN ('ok', 'not_modified')) AS n_failed,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms) AS p50_ms,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY duration_ms) AS p90_ms,
       percentile_cont(0.99) WITHIN GROUP (ORDER BY duration_ms) AS p99_ms,
       max(duration_ms) AS max_ms,
       ARRAY[
           count(*) FILTER (WHERE duration_ms < 100),
           count(*) FILTER (WHERE duration_ms >= 100 AND duration_ms < 250),
           count(*) FILTER (WHERE duration_ms >= 250 AND duration_ms < 500),
           count(*) FILTER (WHERE duration_ms >= 500 AND duration_ms < 1000),
           count(*) FILTER (WHERE duration_ms >= 1000 AND duration_ms < 2500),
           count(*) FILTER (WHERE duration_ms >= 2500 AND duration_ms < 5000),
           count(*) FILTER (WHERE duration_ms >= 5000 AND duration_ms < 10000),
           count(*) FILTER (WHERE duration_ms >= 10000)
       ] AS histogram
FROM newsflow.fetch_log
WHERE fetched_at >= (date_trunc('day', now() AT TIME ZONE 'UTC') - (%(days)s - 1) * interval '1 day')
                    AT TIME ZONE 'UTC'
GROUP BY kind
ORDER BY kind;
