-- UI (story view): one story; a merged story names the story it now lives in.
SELECT s.story_id, s.headline, s.first_seen_at, s.first_published_at, o.name AS first_outlet,
       s.n_outlets, s.n_articles, s.last_article_at, s.merged_into
FROM newsflow.stories s
LEFT JOIN newsflow.outlets o ON o.outlet_id = s.first_outlet_id
WHERE s.story_id = %(story_id)s;
