-- 0001: the core warehouse. Every object lives in schema "newsflow"; analysts read the views (0002).
CREATE SCHEMA IF NOT EXISTS newsflow;

-- The publications we follow. Feeds belong to outlets; stories count distinct outlets.
CREATE TABLE newsflow.outlets (
    outlet_id   serial PRIMARY KEY,
    name        text NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- One row per feed URL, with the fetch state that makes the next run incremental.
CREATE TABLE newsflow.feeds (
    feed_id              serial PRIMARY KEY,
    declared_url         text NOT NULL UNIQUE,  -- as written in the feeds file
    url                  text NOT NULL,         -- what we fetch: moves after repeated permanent redirects
    outlet_id            int NOT NULL REFERENCES newsflow.outlets,
    language             text,
    tags                 text[] NOT NULL DEFAULT '{}',
    tier                 text NOT NULL DEFAULT 'daily',
    active               boolean NOT NULL DEFAULT true,
    min_delay_s          real NOT NULL DEFAULT 1.0,   -- politeness towards the feed's host
    max_concurrency      int NOT NULL DEFAULT 2,
    status               text NOT NULL DEFAULT 'new',
    http_status          int,
    last_error           text,
    etag                 text,
    last_modified        text,
    body_hash            text,
    identity             text NOT NULL DEFAULT 'guid',
    consecutive_failures int NOT NULL DEFAULT 0,
    last_attempt_at      timestamptz,
    last_success_at      timestamptz,
    next_attempt_at      timestamptz,
    last_full_fetch_at   timestamptz,
    redirect_url         text,
    redirect_count       int NOT NULL DEFAULT 0,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now()
);

-- Audit: one row per HTTP fetch (feed, article page or robots.txt), success or not.
CREATE TABLE newsflow.fetch_log (
    fetch_id     bigserial PRIMARY KEY,
    run_id       text,
    feed_id      int REFERENCES newsflow.feeds ON DELETE SET NULL,
    kind         text NOT NULL CHECK (kind IN ('feed', 'article', 'robots')),
    url          text NOT NULL,
    final_url    text,
    status       text NOT NULL,
    http_status  int,
    bytes        bigint NOT NULL DEFAULT 0,
    duration_ms  int NOT NULL DEFAULT 0,
    etag         text,
    last_modified text,
    raw_sha256   text,
    error        text,
    fetched_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX fetch_log_run_idx ON newsflow.fetch_log (run_id);
CREATE INDEX fetch_log_feed_idx ON newsflow.fetch_log (feed_id, fetched_at DESC);

-- Everything we fetched, gzip-compressed and content-addressed: RSS cannot be backfilled, so this is history.
CREATE TABLE newsflow.raw_documents (
    sha256        text PRIMARY KEY,
    kind          text NOT NULL CHECK (kind IN ('feed', 'article')),
    url           text NOT NULL,
    content_type  text,
    http_headers  jsonb NOT NULL DEFAULT '{}',
    size          int NOT NULL,
    body_gz       bytea NOT NULL,
    fetched_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX raw_documents_fetched_idx ON newsflow.raw_documents (fetched_at);

-- Items as the feeds listed them. entry_hash changes when the publisher edits the item.
CREATE TABLE newsflow.feed_entries (
    feed_id        int NOT NULL REFERENCES newsflow.feeds ON DELETE CASCADE,
    entry_key      text NOT NULL,
    guid           text,
    link           text,
    url_key        text,
    title          text,
    summary        text,
    authors        text[] NOT NULL DEFAULT '{}',
    published_at   timestamptz,
    updated_at     timestamptz,
    entry_hash     text NOT NULL,
    page_hash      text,
    first_seen_at  timestamptz NOT NULL,
    last_seen_at   timestamptz NOT NULL,
    first_run_id   text,
    last_run_id    text,
    PRIMARY KEY (feed_id, entry_key)
);
CREATE INDEX feed_entries_url_key_idx ON newsflow.feed_entries (url_key);
CREATE INDEX feed_entries_last_run_idx ON newsflow.feed_entries (last_run_id);

-- The per-run work plan for article pages, in batches; each mapped task takes one batch_no.
CREATE TABLE newsflow.article_queue (
    run_id        text NOT NULL,
    url_key       text NOT NULL,
    batch_no      int NOT NULL,
    link          text NOT NULL,
    feed_id       int NOT NULL REFERENCES newsflow.feeds ON DELETE CASCADE,
    entry_key     text NOT NULL,
    entry_hash    text NOT NULL,
    fetch_status  text,
    http_status   int,
    final_url     text,
    raw_sha256    text,
    extract_status text,
    PRIMARY KEY (run_id, url_key)
);
CREATE INDEX article_queue_batch_idx ON newsflow.article_queue (run_id, batch_no);

-- Language name -> text search configuration. Immutable so it can feed a generated column.
CREATE FUNCTION newsflow.ts_config(lang text) RETURNS regconfig
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE lang
        WHEN 'en' THEN 'english'::regconfig  WHEN 'de' THEN 'german'::regconfig
        WHEN 'fr' THEN 'french'::regconfig   WHEN 'es' THEN 'spanish'::regconfig
        WHEN 'it' THEN 'italian'::regconfig  WHEN 'pt' THEN 'portuguese'::regconfig
        WHEN 'nl' THEN 'dutch'::regconfig    WHEN 'ru' THEN 'russian'::regconfig
        WHEN 'sv' THEN 'swedish'::regconfig  WHEN 'da' THEN 'danish'::regconfig
        WHEN 'no' THEN 'norwegian'::regconfig WHEN 'fi' THEN 'finnish'::regconfig
        WHEN 'tr' THEN 'turkish'::regconfig  WHEN 'hu' THEN 'hungarian'::regconfig
        ELSE 'simple'::regconfig END
$$;

-- One row per article page (identity: the canonicalized URL the feed linked to).
CREATE TABLE newsflow.articles (
    article_id        bigserial PRIMARY KEY,
    url_key           text NOT NULL UNIQUE,
    url               text NOT NULL,
    final_url         text,
    canonical_url     text,
    outlet_id         int NOT NULL REFERENCES newsflow.outlets,
    feed_id           int REFERENCES newsflow.feeds ON DELETE SET NULL,
    title             text,
    text              text NOT NULL DEFAULT '',
    description       text,
    authors           text[] NOT NULL DEFAULT '{}',
    published_at      timestamptz,
    updated_at        timestamptz,
    language          text,
    section           text,
    tags              text[] NOT NULL DEFAULT '{}',
    image_url         text,
    site_name         text,
    word_count        int NOT NULL DEFAULT 0,
    extraction_status text NOT NULL,
    extraction_method text,
    extractor_version text,
    content_hash      text,
    signature         bytea,
    raw_sha256        text REFERENCES newsflow.raw_documents ON DELETE SET NULL,
    revision          int NOT NULL DEFAULT 1,
    first_seen_at     timestamptz NOT NULL,
    last_changed_at   timestamptz NOT NULL,
    first_run_id      text,
    search            tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector(newsflow.ts_config(language), coalesce(title, '')), 'A') ||
        setweight(to_tsvector(newsflow.ts_config(language), coalesce(text, '')), 'B')
    ) STORED
);
CREATE INDEX articles_search_idx ON newsflow.articles USING gin (search);
CREATE INDEX articles_canonical_idx ON newsflow.articles (canonical_url);
CREATE INDEX articles_content_hash_idx ON newsflow.articles (content_hash);
CREATE INDEX articles_first_seen_idx ON newsflow.articles (first_seen_at);
CREATE INDEX articles_published_idx ON newsflow.articles (published_at);

-- Earlier versions of an article whose page changed (title or body); the articles row holds the latest.
CREATE TABLE newsflow.article_revisions (
    article_id    bigint NOT NULL REFERENCES newsflow.articles ON DELETE CASCADE,
    revision      int NOT NULL,
    title         text,
    text          text NOT NULL,
    content_hash  text,
    raw_sha256    text,
    captured_at   timestamptz NOT NULL,
    PRIMARY KEY (article_id, revision)
);

-- Every version of every article with the moment it became current (valid_from): the archived revisions
-- plus the current row. "The article as of time T" is its version with the latest valid_from <= T.
CREATE VIEW newsflow.article_versions AS
SELECT r.article_id, r.revision, r.title, r.text, r.content_hash, r.raw_sha256, r.captured_at AS valid_from,
       false AS is_current
FROM newsflow.article_revisions r
UNION ALL
SELECT a.article_id, a.revision, a.title, a.text, a.content_hash, a.raw_sha256, a.last_changed_at AS valid_from,
       true AS is_current
FROM newsflow.articles a;

-- Copies: an article that is a wire copy / repost / same page of an earlier one.
CREATE TABLE newsflow.duplicates (
    article_id    bigint PRIMARY KEY REFERENCES newsflow.articles ON DELETE CASCADE,
    duplicate_of  bigint NOT NULL REFERENCES newsflow.articles ON DELETE CASCADE,
    kind          text NOT NULL CHECK (kind IN ('url', 'text', 'near')),
    score         real NOT NULL,
    run_id        text,
    detected_at   timestamptz NOT NULL DEFAULT now(),
    CHECK (article_id <> duplicate_of)
);
CREATE INDEX duplicates_of_idx ON newsflow.duplicates (duplicate_of);

-- Stories: one event, many reports. story_id is the article_id of the article that opened it (stable).
CREATE TABLE newsflow.stories (
    story_id           bigint PRIMARY KEY,
    headline           text,
    first_seen_at      timestamptz NOT NULL,
    first_published_at timestamptz,
    first_outlet_id    int REFERENCES newsflow.outlets,
    n_outlets          int NOT NULL DEFAULT 0,
    n_articles         int NOT NULL DEFAULT 0,
    last_article_at    timestamptz,
    merged_into        bigint REFERENCES newsflow.stories,
    created_run_id     text,
    updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX stories_first_seen_idx ON newsflow.stories (first_seen_at);

CREATE TABLE newsflow.story_members (
    article_id   bigint PRIMARY KEY REFERENCES newsflow.articles ON DELETE CASCADE,
    story_id     bigint NOT NULL REFERENCES newsflow.stories ON DELETE CASCADE,
    score        real NOT NULL,
    is_copy      boolean NOT NULL DEFAULT false,
    run_id       text,
    assigned_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX story_members_story_idx ON newsflow.story_members (story_id);

-- One row per pipeline run (a DAG run or a CLI run) with its counts, stage durations and versions.
CREATE TABLE newsflow.ingest_runs (
    run_id            text PRIMARY KEY,
    dag_id            text,
    started_at        timestamptz NOT NULL DEFAULT now(),
    finished_at       timestamptz,
    status            text NOT NULL DEFAULT 'running',
    feeds_file        text,
    feed_ids          int[] NOT NULL DEFAULT '{}',
    feeds_total       int NOT NULL DEFAULT 0,
    feeds_ok          int NOT NULL DEFAULT 0,
    feeds_not_modified int NOT NULL DEFAULT 0,
    feeds_failed      int NOT NULL DEFAULT 0,
    entries_seen      int NOT NULL DEFAULT 0,
    entries_new       int NOT NULL DEFAULT 0,
    pages_fetched     int NOT NULL DEFAULT 0,
    pages_failed      int NOT NULL DEFAULT 0,
    articles_new      int NOT NULL DEFAULT 0,
    articles_updated  int NOT NULL DEFAULT 0,
    duplicates_new    int NOT NULL DEFAULT 0,
    stories_new       int NOT NULL DEFAULT 0,
    stories_updated   int NOT NULL DEFAULT 0,
    durations         jsonb NOT NULL DEFAULT '{}',
    versions          jsonb NOT NULL DEFAULT '{}',
    warnings          jsonb NOT NULL DEFAULT '[]'
);
