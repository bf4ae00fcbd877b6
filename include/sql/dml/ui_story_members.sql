-- UI (story view): the story's member articles, earliest first, with copy flags and what they copy.
SELECT a.article_id, o.name AS outlet, a.title, coalesce(a.canonical_url, a.final_url, a.url) AS url,
       a.published_at, a.first_seen_at, a.extraction_status, a.word_count,
       m.is_copy, m.score, d.duplicate_of, d.kind AS duplicate_kind
FROM newsflow.story_members m
JOIN newsflow.articles a ON a.article_id = m.article_id
JOIN newsflow.outlets o ON o.outlet_id = a.outlet_id
LEFT JOIN newsflow.duplicates d ON d.article_id = a.article_id
WHERE m.story_id = %(story_id)s
ORDER BY coalesce(a.published_at, a.first_seen_at), a.article_id;
