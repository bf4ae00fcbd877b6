-- Articles of one extraction batch. A changed page bumps the revision (old text is in article_revisions);
-- an unchanged one is left untouched, so re-running a batch changes nothing.
INSERT INTO newsflow.articles AS a
    (url_key, url, final_url, canonical_url, outlet_id, feed_id, title, text, description, authors,
     published_at, updated_at, language, section, tags, image_url, site_name, word_count,
     extraction_status, extraction_method, extractor_version, content_hash, signature, raw_sha256,
     first_seen_at, last_changed_at, first_run_id)
SELECT url_key, url, final_url, canonical_url, outlet_id, feed_id, title, text, description, authors,
       published_at, updated_at, language, section, tags, image_url, site_name, word_count,
       extraction_status, extraction_method, extractor_version, content_hash, signature, raw_sha256,
       first_seen_at, last_changed_at, first_run_id
FROM stage_articles
ON CONFLICT (url_key) DO UPDATE SET
    final_url = EXCLUDED.final_url,
    canonical_url = EXCLUDED.canonical_url,
    title = EXCLUDED.title,
    text = EXCLUDED.text,
    description = EXCLUDED.description,
    authors = EXCLUDED.authors,
    published_at = EXCLUDED.published_at,
    updated_at = EXCLUDED.updated_at,
    language = EXCLUDED.language,
    section = EXCLUDED.section,
    tags = EXCLUDED.tags,
    image_url = EXCLUDED.image_url,
    site_name = EXCLUDED.site_name,
    word_count = EXCLUDED.word_count,
    extraction_status = EXCLUDED.extraction_status,
    extraction_method = EXCLUDED.extraction_method,
    extractor_version = EXCLUDED.extractor_version,
    content_hash = EXCLUDED.content_hash,
    signature = EXCLUDED.signature,
    raw_sha256 = EXCLUDED.raw_sha256,
    revision = a.revision + CASE WHEN a.extraction_status = 'ok'
                                  AND a.raw_sha256 IS DISTINCT FROM EXCLUDED.raw_sha256
                                  AND (a.content_hash IS DISTINCT FROM EXCLUDED.content_hash
                                       OR a.title IS DISTINCT FROM EXCLUDED.title) THEN 1 ELSE 0 END,
    last_changed_at = EXCLUDED.last_changed_at
WHERE a.content_hash IS DISTINCT FROM EXCLUDED.content_hash
   OR a.title IS DISTINCT FROM EXCLUDED.title
   OR a.extraction_status IS DISTINCT FROM EXCLUDED.extraction_status
   OR a.extractor_version IS DISTINCT FROM EXCLUDED.extractor_version
RETURNING (xmax = 0) AS inserted;
