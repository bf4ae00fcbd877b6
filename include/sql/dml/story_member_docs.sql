-- All members of the given stories, to recompute their summaries.
SELECT m.story_id, a.article_id, a.url, coalesce(a.canonical_url, a.url_key), o.name, coalesce(a.title, ''),
       a.text, a.published_at, a.first_seen_at, a.language, m.score, m.is_copy, o.outlet_id
FROM newsflow.story_members m
JOIN newsflow.articles a ON a.article_id = m.article_id
JOIN newsflow.outlets o ON o.outlet_id = a.outlet_id
WHERE m.story_id = ANY(%(story_ids)s)
ORDER BY m.story_id, a.article_id;
