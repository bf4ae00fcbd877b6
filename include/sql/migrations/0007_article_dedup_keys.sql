-- 0007: dedup's keys of an article's text stored with its story features (0006), for the same reason: computed
-- once in the parallel fetch_articles tasks instead of in every group_stories run that has the article in its
-- dedup window. Both NULL for a text too short to be a copy by its text.
ALTER TABLE newsflow.article_features
    ADD COLUMN text_key text,    -- sha1 of the normalized text
    ADD COLUMN shingles bytea;   -- distinct word 4-shingle hashes, little-endian uint32
