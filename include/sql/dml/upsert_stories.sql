-- Story summaries, recomputed from their members. created_run_id never moves.
INSERT INTO newsflow.stories AS s
    (story_id, headline, first_seen_at, first_published_at, first_outlet_id, n_outlets, n_articles,
     last_article_at, created_run_id, updated_at)
SELECT story_id, headline, first_seen_at, first_published_at, first_outlet_id, n_outlets, n_articles,
       last_article_at, created_run_id, updated_at
FROM stage_stories
ON CONFLICT (story_id) DO UPDATE SET
    headline = EXCLUDED.headline,
    first_seen_at = EXCLUDED.first_seen_at,
    first_published_at = EXCLUDED.first_published_at,
    first_outlet_id = EXCLUDED.first_outlet_id,
    n_outlets = EXCLUDED.n_outlets,
    n_articles = EXCLUDED.n_articles,
    last_article_at = EXCLUDED.last_article_at,
    updated_at = EXCLUDED.updated_at
WHERE (s.headline, s.first_seen_at, s.first_published_at, s.first_outlet_id, s.n_outlets, s.n_articles,
       s.last_article_at)
      IS DISTINCT FROM
      (EXCLUDED.headline, EXCLUDED.first_seen_at, EXCLUDED.first_published_at, EXCLUDED.first_outlet_id,
       EXCLUDED.n_outlets, EXCLUDED.n_articles, EXCLUDED.last_article_at);
