-- 0006: the story features of an article (weighted terms of its title, lead, body and entities), computed once
-- in the parallel fetch_articles tasks, where the article is extracted. group_stories reads them instead of
-- featurizing every article of its window again at every run, which it does alone, with the run waiting.
-- A row is used only while `version` is the code's featurization and `source_sha1` matches the title, text and
-- URL being grouped; anything else is featurized again, so a stale row can cost time, never change a result.
CREATE TABLE newsflow.article_features (
    article_id   bigint PRIMARY KEY REFERENCES newsflow.articles (article_id) ON DELETE CASCADE,
    version      text NOT NULL,
    source_sha1  text NOT NULL,
    terms        bytea NOT NULL,  -- UTF-8 terms separated by U+001F
    weights      bytea NOT NULL,  -- one little-endian float32 per term
    is_short     boolean NOT NULL
);
