-- 0003: provenance. Who cites whom (article_citations), which articles carry a wire report (article_wire_marks),
-- and the analyst views story_provenance, citations, outlet_citation_graph. Written by newsflow.provenance.

-- One row per article per cited outlet per kind; the first sentence that cites it.
CREATE TABLE newsflow.article_citations (
    article_id    bigint NOT NULL REFERENCES newsflow.articles ON DELETE CASCADE,
    cited_outlet  text NOT NULL,   -- gazetteer canonical name (include/newsflow/data/outlets_gazetteer.yaml)
    cited_kind    text NOT NULL CHECK (cited_kind IN ('agency', 'outlet')),
    kind          text NOT NULL CHECK (kind IN ('report', 'told', 'statement', 'agency_wire')),
    sentence      text NOT NULL,
    position      int NOT NULL,    -- paragraph index, 0-based: position < 3 is the lead
    PRIMARY KEY (article_id, cited_outlet, kind)
);
CREATE INDEX article_citations_cited_idx ON newsflow.article_citations (cited_outlet);

-- The article carries another newsroom's report; at most one mark, the strongest evidence.
CREATE TABLE newsflow.article_wire_marks (
    article_id  bigint PRIMARY KEY REFERENCES newsflow.articles ON DELETE CASCADE,
    agency      text NOT NULL,
    evidence    text NOT NULL CHECK (evidence IN ('dateline', 'byline', 'canonical', 'site_name', 'credit')),
    detail      text
);
CREATE INDEX article_wire_marks_agency_idx ON newsflow.article_wire_marks (agency);

-- Which articles were analysed, under which outlet key, and their original-reporting markers
-- ("self_told": "told the Guardian" in the Guardian). The relay rule of story_provenance needs both.
CREATE TABLE newsflow.article_provenance (
    article_id        bigint PRIMARY KEY REFERENCES newsflow.articles ON DELETE CASCADE,
    outlet_key        text NOT NULL,  -- the article's outlet as the gazetteer names it (cited_outlet's vocabulary)
    original_markers  text[] NOT NULL DEFAULT '{}',
    version           text NOT NULL,
    analysed_at       timestamptz NOT NULL DEFAULT now()
);

-- Every citation with its story and the citing outlet's name (newsflow.outlets.name).
CREATE VIEW newsflow.citations AS
SELECT c.article_id,
       m.story_id,
       o.name AS citing_outlet,
       c.cited_outlet,
       c.kind,
       c.sentence,
       coalesce(a.published_at, a.first_seen_at) AS published_at,
       c.cited_kind,
       c.position
FROM newsflow.article_citations c
JOIN newsflow.articles a ON a.article_id = c.article_id
JOIN newsflow.outlets o ON o.outlet_id = a.outlet_id
LEFT JOIN newsflow.story_members m ON m.article_id = c.article_id;

-- Outlet -> cited outlet: how many citing articles, across how many stories.
CREATE VIEW newsflow.outlet_citation_graph AS
SELECT citing_outlet,
       cited_outlet,
       count(DISTINCT article_id) AS citations,
       count(DISTINCT story_id) AS stories
FROM newsflow.citations
WHERE citing_outlet IS NOT NULL
GROUP BY citing_outlet, cited_outlet;

-- Per story: who reported first, who added original reporting, who only relayed, which wires it ran on.
-- An article is a relay when (see docs/provenance.md, newsflow.provenance.relay_reason):
--   it is a copy (story_members.is_copy), or it has a wire mark, or it has no original-reporting marker and a
--   citation in its lead (position < 3) names an agency or another outlet with an article in the same story.
CREATE VIEW newsflow.story_provenance AS
WITH member AS (
    SELECT m.story_id,
           a.article_id,
           o.name AS outlet,
           p.outlet_key,
           coalesce(a.published_at, a.first_seen_at) AS at,
           a.first_seen_at,
           m.is_copy,
           w.agency,
           coalesce(cardinality(p.original_markers), 0) > 0 AS has_markers
    FROM newsflow.story_members m
    JOIN newsflow.articles a ON a.article_id = m.article_id
    JOIN newsflow.outlets o ON o.outlet_id = a.outlet_id
    LEFT JOIN newsflow.article_wire_marks w ON w.article_id = a.article_id
    LEFT JOIN newsflow.article_provenance p ON p.article_id = a.article_id
), flagged AS (
    SELECT mb.*,
           (mb.is_copy
            OR mb.agency IS NOT NULL
            OR (NOT mb.has_markers AND EXISTS (
                SELECT 1 FROM newsflow.article_citations c
                WHERE c.article_id = mb.article_id
                  AND c.position < 3
                  AND (c.cited_kind = 'agency'
                       OR EXISTS (SELECT 1 FROM member o2
                                  WHERE o2.story_id = mb.story_id
                                    AND o2.article_id <> mb.article_id
                                    AND o2.outlet_key = c.cited_outlet
                                    AND c.cited_outlet IS DISTINCT FROM mb.outlet_key))))) AS is_relay
    FROM member mb
), first_article AS (
    SELECT DISTINCT ON (story_id) story_id, coalesce(agency, outlet) AS first_outlet, at AS first_published_at
    FROM flagged
    ORDER BY story_id, at, first_seen_at, article_id
)
SELECT s.story_id,
       fa.first_outlet,
       fa.first_published_at,
       ARRAY(SELECT DISTINCT f.outlet FROM flagged f
             WHERE f.story_id = s.story_id AND NOT f.is_relay ORDER BY f.outlet) AS original_outlets,
       ARRAY(SELECT DISTINCT f.outlet FROM flagged f
             WHERE f.story_id = s.story_id AND f.is_relay
               AND NOT EXISTS (SELECT 1 FROM flagged g
                               WHERE g.story_id = f.story_id AND g.outlet = f.outlet AND NOT g.is_relay)
             ORDER BY f.outlet) AS relaying_outlets,
       ARRAY(SELECT DISTINCT f.agency FROM flagged f
             WHERE f.story_id = s.story_id AND f.agency IS NOT NULL ORDER BY f.agency) AS wire_agencies
FROM newsflow.stories s
JOIN first_article fa ON fa.story_id = s.story_id
WHERE s.merged_into IS NULL;

GRANT SELECT ON newsflow.story_provenance, newsflow.citations, newsflow.outlet_citation_graph TO newsflow_analyst;
