-- Story features only serve the grouping while their article is inside its windows; a replay or a longer window
-- featurizes again what is gone.
DELETE FROM newsflow.article_features f
USING newsflow.articles a
WHERE f.article_id = a.article_id AND a.first_seen_at < now() - make_interval(days => %(days)s);
