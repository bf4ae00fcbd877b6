-- Entries seen in these fetches (one or more feeds). first_seen_* never move; an edited item gets a new
-- entry_hash.
INSERT INTO newsflow.feed_entries AS e
    (feed_id, entry_key, guid, link, url_key, title, summary, authors, published_at, updated_at,
     entry_hash, first_seen_at, last_seen_at, first_run_id, last_run_id)
SELECT DISTINCT ON (feed_id, entry_key)
       feed_id, entry_key, guid, link, url_key, title, summary, authors, published_at, updated_at,
       entry_hash, first_seen_at, last_seen_at, first_run_id, last_run_id
FROM stage_entries
ORDER BY feed_id, entry_key
ON CONFLICT (feed_id, entry_key) DO UPDATE SET
    guid = EXCLUDED.guid,
    link = EXCLUDED.link,
    url_key = EXCLUDED.url_key,
    title = EXCLUDED.title,
    summary = EXCLUDED.summary,
    authors = EXCLUDED.authors,
    published_at = coalesce(EXCLUDED.published_at, e.published_at),
    updated_at = EXCLUDED.updated_at,
    entry_hash = EXCLUDED.entry_hash,
    last_seen_at = EXCLUDED.last_seen_at,
    last_run_id = EXCLUDED.last_run_id
RETURNING feed_id, (xmax = 0) AS inserted;
