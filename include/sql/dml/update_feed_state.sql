-- Record the outcome of one feed fetch.
UPDATE newsflow.feeds SET
    status = %(status)s,
    http_status = %(http_status)s,
    last_error = %(error)s,
    etag = %(etag)s,
    last_modified = %(last_modified)s,
    body_hash = %(body_hash)s,
    identity = %(identity)s,
    consecutive_failures = %(consecutive_failures)s,
    last_attempt_at = %(attempted_at)s,
    last_success_at = CASE WHEN %(success)s THEN %(attempted_at)s ELSE last_success_at END,
    last_full_fetch_at = CASE WHEN %(full_fetch)s THEN %(attempted_at)s ELSE last_full_fetch_at END,
    next_attempt_at = %(next_attempt_at)s,
    redirect_url = %(redirect_url)s,
    redirect_count = %(redirect_count)s,
    url = %(new_url)s,
    updated_at = now()
WHERE feed_id = %(feed_id)s;
