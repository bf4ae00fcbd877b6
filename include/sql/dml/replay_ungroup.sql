-- Undo the grouping of the articles first seen by the replayed runs (their articles stay, ids and all).
WITH replayed AS (
    SELECT article_id FROM newsflow.articles WHERE first_run_id = ANY(%(run_ids)s)
)
, gone_members AS (
    DELETE FROM newsflow.story_members m USING replayed r WHERE m.article_id = r.article_id RETURNING m.story_id
)
, gone_dups AS (
    DELETE FROM newsflow.duplicates d USING replayed r WHERE d.article_id = r.article_id RETURNING d.article_id
)
SELECT (SELECT count(*) FROM gone_members), (SELECT count(*) FROM gone_dups);
