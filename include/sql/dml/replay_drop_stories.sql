-- Stories left without members (they were opened by replayed articles) are rebuilt by the regrouping.
DELETE FROM newsflow.stories s
WHERE NOT EXISTS (SELECT 1 FROM newsflow.story_members m WHERE m.story_id = s.story_id)
  AND s.merged_into IS NULL;
