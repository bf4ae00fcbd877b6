-- Audit row for one HTTP fetch.
INSERT INTO newsflow.fetch_log
    (run_id, feed_id, kind, url, final_url, status, http_status, bytes, duration_ms, etag, last_modified, raw_sha256, error,
     entries, new_entries)
VALUES
    (%(run_id)s, %(feed_id)s, %(kind)s, %(url)s, %(final_url)s, %(status)s, %(http_status)s, %(bytes)s,
     %(duration_ms)s, %(etag)s, %(last_modified)s, %(raw_sha256)s, %(error)s, %(entries)s, %(new_entries)s);
