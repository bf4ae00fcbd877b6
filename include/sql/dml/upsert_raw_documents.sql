-- Content-addressed: the same bytes are stored once, whoever fetched them first.
INSERT INTO newsflow.raw_documents (sha256, kind, url, content_type, http_headers, size, body_gz, fetched_at)
SELECT sha256, kind, url, content_type, http_headers, size, body_gz, fetched_at FROM stage_raw
-- One insert order for every writer: two transactions storing the same bytes cannot deadlock.
ORDER BY sha256, url
ON CONFLICT (sha256) DO NOTHING;
