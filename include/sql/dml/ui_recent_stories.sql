-- UI (News page): the newest live stories, widest coverage first within a day (links to the story view).
SELECT story_id, day, headline, outlets, n_outlets, n_articles, first_seen_at, first_outlet
FROM newsflow.daily_stories
ORDER BY day DESC, n_outlets DESC, n_articles DESC, first_seen_at DESC, story_id
LIMIT %(limit)s;
