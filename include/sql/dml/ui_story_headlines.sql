-- UI (story view): the headline timeline - every version of every member article (view article_versions:
-- archived revisions and the current row, each with valid_from, the moment we captured it), in time order.
-- Time of a version (at): an article's first version is dated like everywhere else in newsflow (story_coverage,
-- provenance.story_provenance): its published_at when the publisher gives one (never later than our capture),
-- else our first capture; every later version by its capture (valid_from), when we saw the edit.
-- previous_headline / previous_revision: the same article's previous version (NULL for its first version).
WITH versions AS (
    SELECT v.article_id, o.name AS outlet, v.valid_from, v.revision, v.is_current, v.title AS headline,
           a.published_at,
           lag(v.title) OVER w AS previous_headline,
           lag(v.revision) OVER w AS previous_revision
    FROM newsflow.story_members m
    JOIN newsflow.article_versions v ON v.article_id = m.article_id
    JOIN newsflow.articles a ON a.article_id = m.article_id
    JOIN newsflow.outlets o ON o.outlet_id = a.outlet_id
    WHERE m.story_id = %(story_id)s
    WINDOW w AS (PARTITION BY v.article_id ORDER BY v.revision)
)
SELECT article_id, outlet, revision, is_current, headline, previous_headline, previous_revision, valid_from,
       CASE WHEN previous_revision IS NULL AND published_at < valid_from THEN published_at ELSE valid_from END AS at,
       CASE WHEN previous_revision IS NOT NULL THEN 'revised'
            WHEN published_at < valid_from THEN 'published'
            ELSE 'first seen' END AS at_source
FROM versions
ORDER BY at, article_id, revision
LIMIT %(limit)s;
