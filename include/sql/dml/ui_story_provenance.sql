-- UI (story view): the story's provenance row (view story_provenance: first reporter, original vs relaying
-- outlets, wire agencies; merged stories have none) and how many of its members provenance has analysed.
SELECT p.story_id, p.first_outlet, p.first_published_at, p.original_outlets, p.relaying_outlets, p.wire_agencies,
       (SELECT count(*) FROM newsflow.story_members m
        JOIN newsflow.article_provenance ap ON ap.article_id = m.article_id
        WHERE m.story_id = p.story_id) AS n_analysed
FROM newsflow.story_provenance p
WHERE p.story_id = %(story_id)s;
