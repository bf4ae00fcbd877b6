-- Stored grouping inputs of the batch's articles (stage_features, keyed by url_key); a row is rewritten only when the
-- text or the featurization changed.
INSERT INTO newsflow.article_features AS f (article_id, version, source_sha1, terms, weights, is_short, text_key,
                                           shingles)
SELECT a.article_id, s.version, s.source_sha1, s.terms, s.weights, s.is_short, s.text_key, s.shingles
FROM stage_features s
JOIN newsflow.articles a ON a.url_key = s.url_key
ON CONFLICT (article_id) DO UPDATE SET
    version = EXCLUDED.version,
    source_sha1 = EXCLUDED.source_sha1,
    terms = EXCLUDED.terms,
    weights = EXCLUDED.weights,
    is_short = EXCLUDED.is_short,
    text_key = EXCLUDED.text_key,
    shingles = EXCLUDED.shingles
WHERE f.version IS DISTINCT FROM EXCLUDED.version OR f.source_sha1 IS DISTINCT FROM EXCLUDED.source_sha1;
