-- Articles of good quality not yet placed in a story (nor marked as copies): this run's new work.
SELECT a.article_id, a.url, coalesce(a.canonical_url, a.url_key), o.name, coalesce(a.title, ''), a.text,
       a.published_at, a.first_seen_at, a.language, a.signature
FROM newsflow.articles a
JOIN newsflow.outlets o ON o.outlet_id = a.outlet_id
WHERE a.extraction_status = 'ok'
  AND NOT EXISTS (SELECT 1 FROM newsflow.story_members m WHERE m.article_id = a.article_id)
ORDER BY a.article_id;
