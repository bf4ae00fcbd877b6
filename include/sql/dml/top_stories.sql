-- The largest stories: most outlets, then most articles, then earliest.
SELECT story_id, headline, n_outlets, n_articles, outlets, first_outlet
FROM newsflow.daily_stories
ORDER BY n_outlets DESC, n_articles DESC, first_seen_at, story_id
LIMIT %(limit)s;
