-- 0002: the analyst layer. View names and columns are a contract: analysts' queries depend on them.

-- One row per story: what happened, who covered it (copies not counted), when we first saw it.
CREATE VIEW newsflow.daily_stories AS
SELECT s.story_id,
       (s.first_seen_at AT TIME ZONE 'UTC')::date AS day,
       s.headline,
       ARRAY(
           SELECT DISTINCT o.name
           FROM newsflow.story_members m
           JOIN newsflow.articles a ON a.article_id = m.article_id
           JOIN newsflow.outlets o ON o.outlet_id = a.outlet_id
           WHERE m.story_id = s.story_id AND NOT m.is_copy
           ORDER BY o.name
       ) AS outlets,
       s.n_outlets,
       s.n_articles,
       s.first_seen_at,
       s.first_published_at,
       fo.name AS first_outlet
FROM newsflow.stories s
LEFT JOIN newsflow.outlets fo ON fo.outlet_id = s.first_outlet_id
WHERE s.merged_into IS NULL;

-- Story x outlet: when each outlet first published on the story, and how many of its reports are copies.
CREATE VIEW newsflow.story_coverage AS
SELECT m.story_id,
       o.name AS outlet,
       min(coalesce(a.published_at, a.first_seen_at)) AS first_published_at,
       count(*) AS articles,
       count(*) FILTER (WHERE m.is_copy) AS copies
FROM newsflow.story_members m
JOIN newsflow.articles a ON a.article_id = m.article_id
JOIN newsflow.outlets o ON o.outlet_id = a.outlet_id
GROUP BY m.story_id, o.name;

-- Per outlet: volume, originality and timeliness.
CREATE VIEW newsflow.outlet_stats AS
SELECT o.outlet_id,
       o.name AS outlet,
       (SELECT count(*) FROM newsflow.feeds f WHERE f.outlet_id = o.outlet_id) AS feeds,
       count(a.article_id) AS articles,
       count(a.article_id) FILTER (WHERE a.first_seen_at > now() - interval '1 day') AS articles_last_day,
       count(d.article_id) AS copies,
       count(DISTINCT m.story_id) AS stories,
       (SELECT count(*) FROM newsflow.stories s WHERE s.first_outlet_id = o.outlet_id AND s.merged_into IS NULL)
           AS stories_first_reported,
       round(avg(a.word_count) FILTER (WHERE a.extraction_status = 'ok'))::int AS avg_words,
       max(a.first_seen_at) AS last_article_at
FROM newsflow.outlets o
LEFT JOIN newsflow.articles a ON a.outlet_id = o.outlet_id
LEFT JOIN newsflow.duplicates d ON d.article_id = a.article_id
LEFT JOIN newsflow.story_members m ON m.article_id = a.article_id
GROUP BY o.outlet_id, o.name;

-- Per feed: is it healthy, and if not since when and what it said.
CREATE VIEW newsflow.feed_health AS
SELECT f.feed_id,
       f.url,
       o.name AS outlet,
       f.tier,
       f.active,
       f.status,
       f.http_status,
       f.consecutive_failures,
       f.last_attempt_at,
       f.last_success_at,
       f.next_attempt_at,
       f.last_error,
       (SELECT count(*) FROM newsflow.feed_entries e
         WHERE e.feed_id = f.feed_id AND e.first_seen_at > now() - interval '1 day') AS items_last_day
FROM newsflow.feeds f
JOIN newsflow.outlets o ON o.outlet_id = f.outlet_id;

-- A read-only role for analysts: the views and nothing else. Roles are cluster-wide, hence IF NOT EXISTS.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'newsflow_analyst') THEN
        CREATE ROLE newsflow_analyst NOLOGIN;
    END IF;
END
$$;
GRANT USAGE ON SCHEMA newsflow TO newsflow_analyst;
GRANT SELECT ON newsflow.daily_stories, newsflow.story_coverage, newsflow.outlet_stats, newsflow.feed_health
    TO newsflow_analyst;
