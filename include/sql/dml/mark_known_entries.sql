-- Entries whose page we already hold (same URL key or declared canonical) need no fetch.
UPDATE newsflow.feed_entries e SET page_hash = e.entry_hash
WHERE e.page_hash IS NULL
  AND e.url_key IS NOT NULL
  AND EXISTS (
      SELECT 1 FROM newsflow.articles a
      WHERE a.url_key = e.url_key OR a.canonical_url = e.url_key
  );
