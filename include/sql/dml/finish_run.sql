-- Close a run row with its derived counts.
UPDATE newsflow.ingest_runs SET
    finished_at = now(),
    status = %(status)s,
    feeds_ok = %(feeds_ok)s,
    feeds_not_modified = %(feeds_not_modified)s,
    feeds_failed = %(feeds_failed)s,
    entries_seen = %(entries_seen)s,
    entries_new = %(entries_new)s,
    pages_fetched = %(pages_fetched)s,
    pages_failed = %(pages_failed)s,
    articles_new = %(articles_new)s,
    articles_updated = %(articles_updated)s,
    duplicates_new = %(duplicates_new)s,
    stories_new = %(stories_new)s,
    stories_updated = %(stories_updated)s,
    warnings = %(warnings)s::jsonb
WHERE run_id = %(run_id)s;
