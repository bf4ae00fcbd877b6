-- Already-grouped articles that new ones may copy or join: inside the window, with their story, as of the run.
SELECT a.article_id, a.url, coalesce(a.canonical_url, a.url_key), o.name, coalesce(v.title, a.title, ''),
       coalesce(v.text, a.text), a.published_at, a.first_seen_at, a.language,
       CASE WHEN coalesce(v.is_current, true) THEN a.signature END, m.story_id, d.duplicate_of,
       f.version, f.source_sha1, f.terms, f.weights, f.is_short, f.text_key, f.shingles
FROM newsflow.articles a
JOIN newsflow.outlets o ON o.outlet_id = a.outlet_id
LEFT JOIN newsflow.article_features f ON f.article_id = a.article_id AND f.version = %(features_version)s
JOIN newsflow.story_members m ON m.article_id = a.article_id
JOIN newsflow.stories s ON s.story_id = m.story_id AND s.merged_into IS NULL
LEFT JOIN newsflow.duplicates d ON d.article_id = a.article_id
LEFT JOIN LATERAL (
    SELECT v.title, v.text, v.is_current FROM newsflow.article_versions v
    WHERE v.article_id = a.article_id AND v.valid_from <= %(as_of)s
    ORDER BY v.valid_from DESC, v.revision DESC LIMIT 1
) v ON true
WHERE a.extraction_status = 'ok'
  AND coalesce(s.last_article_at, s.first_seen_at) > %(since)s
ORDER BY a.article_id;
