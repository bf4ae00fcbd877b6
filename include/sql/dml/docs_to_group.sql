-- Articles of good quality not yet placed in a story (nor marked as copies): this run's new work.
-- Title and text are taken as they were at the run's clock (%(as_of)s), so a replay sees what the run saw;
-- their stored story features come along (used only if made from that very title and text).
SELECT a.article_id, a.url, coalesce(a.canonical_url, a.url_key), o.name, coalesce(v.title, a.title, ''),
       coalesce(v.text, a.text), a.published_at, a.first_seen_at, a.language,
       CASE WHEN coalesce(v.is_current, true) THEN a.signature END,
       f.version, f.source_sha1, f.terms, f.weights, f.is_short, f.text_key, f.shingles
FROM newsflow.articles a
JOIN newsflow.outlets o ON o.outlet_id = a.outlet_id
LEFT JOIN newsflow.article_features f ON f.article_id = a.article_id AND f.version = %(features_version)s
LEFT JOIN LATERAL (
    SELECT v.title, v.text, v.is_current FROM newsflow.article_versions v
    WHERE v.article_id = a.article_id AND v.valid_from <= %(as_of)s
    ORDER BY v.valid_from DESC, v.revision DESC LIMIT 1
) v ON true
WHERE a.extraction_status = 'ok'
  AND (%(run_id)s::text IS NULL OR a.first_run_id = %(run_id)s)
  AND NOT EXISTS (SELECT 1 FROM newsflow.story_members m WHERE m.article_id = a.article_id)
ORDER BY a.article_id;
