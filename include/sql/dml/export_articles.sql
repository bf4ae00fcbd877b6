-- One row per article for `newsflow export`.
SELECT a.article_id, a.url, a.canonical_url, o.name AS outlet, a.title, a.text, a.published_at, a.language,
       m.story_id, d.duplicate_of, a.authors, a.extraction_status, a.word_count, a.first_seen_at, a.revision
FROM newsflow.articles a
JOIN newsflow.outlets o ON o.outlet_id = a.outlet_id
LEFT JOIN newsflow.story_members m ON m.article_id = a.article_id
LEFT JOIN newsflow.duplicates d ON d.article_id = a.article_id
ORDER BY a.article_id;
