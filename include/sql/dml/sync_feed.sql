-- Upsert a feed from the feeds file; fetch state is kept, declared attributes are refreshed.
INSERT INTO newsflow.feeds (declared_url, url, outlet_id, language, tags, tier, active, min_delay_s, max_concurrency)
VALUES (%(url)s, %(url)s, %(outlet_id)s, %(language)s, %(tags)s, %(tier)s, true, %(min_delay_s)s, %(max_concurrency)s)
ON CONFLICT (declared_url) DO UPDATE SET
    outlet_id = EXCLUDED.outlet_id,
    language = EXCLUDED.language,
    tags = EXCLUDED.tags,
    tier = EXCLUDED.tier,
    active = true,
    min_delay_s = EXCLUDED.min_delay_s,
    max_concurrency = EXCLUDED.max_concurrency,
    updated_at = now()
RETURNING feed_id;
