-- Stories with a member whose page changed at this run's clock: their headline and summary may change.
SELECT DISTINCT m.story_id
FROM newsflow.article_versions v
JOIN newsflow.story_members m ON m.article_id = v.article_id
WHERE v.valid_from = %(as_of)s AND v.revision > 1;
