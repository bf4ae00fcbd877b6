-- All members of the given stories as of the run's clock, to recompute their summaries.
SELECT m.story_id, a.article_id, a.url, coalesce(a.canonical_url, a.url_key), o.name,
       coalesce(v.title, a.title, ''), coalesce(v.text, a.text), a.published_at, a.first_seen_at, a.language,
       m.score, m.is_copy, o.outlet_id, f.version, f.source_sha1, f.terms, f.weights, f.is_short, f.text_key, f.shingles
FROM newsflow.story_members m
JOIN newsflow.articles a ON a.article_id = m.article_id
JOIN newsflow.outlets o ON o.outlet_id = a.outlet_id
LEFT JOIN newsflow.article_features f ON f.article_id = a.article_id AND f.version = %(features_version)s
LEFT JOIN LATERAL (
    SELECT v.title, v.text, v.is_current FROM newsflow.article_versions v
    WHERE v.article_id = a.article_id AND v.valid_from <= %(as_of)s
    ORDER BY v.valid_from DESC, v.revision DESC LIMIT 1
) v ON true
WHERE m.story_id = ANY(%(story_ids)s)
ORDER BY m.story_id, a.article_id;
