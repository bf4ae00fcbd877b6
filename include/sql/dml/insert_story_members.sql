-- New memberships; an article is placed once and never moved by a later run.
INSERT INTO newsflow.story_members (article_id, story_id, score, is_copy, run_id, assigned_at)
SELECT article_id, story_id, score, is_copy, run_id, assigned_at FROM stage_members
ON CONFLICT (article_id) DO NOTHING;
