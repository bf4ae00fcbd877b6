-- New duplicate links; the first link found for an article stands.
INSERT INTO newsflow.duplicates (article_id, duplicate_of, kind, score, run_id, detected_at)
SELECT article_id, duplicate_of, kind, score, run_id, detected_at FROM stage_duplicates
ON CONFLICT (article_id) DO NOTHING;
