-- Articles of the staged batch whose provenance is missing, stale (older rules) or older than their text.
SELECT a.article_id, o.name, a.text, a.authors, a.url, a.canonical_url, a.site_name, a.language
FROM stage_articles s
JOIN newsflow.articles a ON a.url_key = s.url_key
JOIN newsflow.outlets o ON o.outlet_id = a.outlet_id
LEFT JOIN newsflow.article_provenance p ON p.article_id = a.article_id
WHERE a.extraction_status = 'ok'
  AND (p.article_id IS NULL OR p.version <> %(provenance_version)s OR p.analysed_at < a.last_changed_at)
ORDER BY a.article_id;
