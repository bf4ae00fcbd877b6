-- The entry's page is done (fetched, or failed in a way a retry cannot fix): do not queue it again.
UPDATE newsflow.feed_entries SET page_hash = entry_hash
WHERE url_key = %(url_key)s AND entry_hash = %(entry_hash)s;
