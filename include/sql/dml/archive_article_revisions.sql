-- Before an article's page changes, keep the version it replaces. A re-extraction of the same page (a new
-- extractor in a replay) updates in place: a revision is a change of the publisher's page, not of our code.
INSERT INTO newsflow.article_revisions (article_id, revision, title, text, content_hash, raw_sha256, captured_at)
SELECT a.article_id, a.revision, a.title, a.text, a.content_hash, a.raw_sha256, a.last_changed_at
FROM newsflow.articles a
JOIN stage_articles s ON s.url_key = a.url_key
WHERE a.extraction_status = 'ok'
  AND a.raw_sha256 IS DISTINCT FROM s.raw_sha256
  AND (a.content_hash IS DISTINCT FROM s.content_hash OR a.title IS DISTINCT FROM s.title)
ON CONFLICT (article_id, revision) DO NOTHING;
