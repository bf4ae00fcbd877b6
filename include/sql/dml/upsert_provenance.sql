-- Store one batch of provenance results from the stage_* tables (newsflow.provenance.load_provenance).
-- Re-analysing an article replaces its rows: a revised text may cite different outlets or lose its dateline.
DELETE FROM newsflow.article_citations c
USING stage_article_provenance s
WHERE c.article_id = s.article_id;

DELETE FROM newsflow.article_wire_marks w
USING stage_article_provenance s
WHERE w.article_id = s.article_id;

INSERT INTO newsflow.article_citations (article_id, cited_outlet, cited_kind, kind, sentence, position)
SELECT DISTINCT ON (article_id, cited_outlet, kind) article_id, cited_outlet, cited_kind, kind, sentence, position
FROM stage_article_citations
ORDER BY article_id, cited_outlet, kind, position
ON CONFLICT (article_id, cited_outlet, kind) DO NOTHING;

INSERT INTO newsflow.article_wire_marks (article_id, agency, evidence, detail)
SELECT DISTINCT ON (article_id) article_id, agency, evidence, detail
FROM stage_article_wire_marks
ORDER BY article_id
ON CONFLICT (article_id) DO UPDATE
SET agency = EXCLUDED.agency, evidence = EXCLUDED.evidence, detail = EXCLUDED.detail;

INSERT INTO newsflow.article_provenance (article_id, outlet_key, original_markers, version, analysed_at)
SELECT DISTINCT ON (article_id) article_id, outlet_key, original_markers, version, now()
FROM stage_article_provenance
ORDER BY article_id
ON CONFLICT (article_id) DO UPDATE
SET outlet_key = EXCLUDED.outlet_key, original_markers = EXCLUDED.original_markers,
    version = EXCLUDED.version, analysed_at = EXCLUDED.analysed_at;
