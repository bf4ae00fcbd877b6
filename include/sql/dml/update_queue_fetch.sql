-- Record the page fetch of one queued URL.
UPDATE newsflow.article_queue SET
    fetch_status = %(status)s, http_status = %(http_status)s, final_url = %(final_url)s, raw_sha256 = %(raw_sha256)s
WHERE run_id = %(run_id)s AND url_key = %(url_key)s;
