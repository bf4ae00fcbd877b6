"""fetch_extract_batch against the loopback site of test_pages: pages are extracted while the batch is still being
fetched, a retry extracts what an earlier attempt stored without fetching it again, a failure on either side
keeps what is whole, and a slow extractor holds the fetch back instead of piling bodies up in memory.
"""

from __future__ import annotations

import threading
import time

import psycopg2
import pytest
from newsflow.http import HttpClient
from newsflow.pipeline import fetch_extract, pages
from newsflow.pipeline.fetch_extract import fetch_extract_batch
from newsflow.pipeline.pages import fetch_page_batch
from newsflow.politeness import HostLimiter, RobotsCache
from test_pages import _FAIL_MID_CHUNK, OK, RUN, TOTAL, queued, site  # noqa: F401 - fixtures
from wh import count, rows


def _run(conn, batch_no: int, workers: int = 4) -> dict[str, int]:
    with HttpClient() as http:
        return fetch_extract_batch(conn, RUN, batch_no, http=http, limiter=HostLimiter(), robots=RobotsCache(http),
                                   workers=workers)


def _articles(warehouse) -> dict[str, str]:
    return dict(rows(warehouse, "SELECT url, extraction_status FROM newsflow.articles"))


def _assert_all_extracted(warehouse, site) -> None:
    ok_links = {link for link, kind in site.links().items() if kind in ("ok", "same")}
    assert set(_articles(warehouse)) == ok_links
    # Each queue row of an ok page carries its extraction status; failed pages have none.
    assert rows(warehouse, """SELECT count(*) FILTER (WHERE extract_status IS NOT NULL),
                                     count(*) FILTER (WHERE fetch_status = 'ok')
                              FROM newsflow.article_queue WHERE run_id = %s""", (RUN,)) == [(OK, OK)]


def test_pages_are_extracted_while_the_batch_is_fetched(warehouse, site, queued, monkeypatch):
    assert TOTAL > 2 * pages.PAGE_WRITE_CHUNK
    stored_chunks, extracted_at = [0], []
    store_chunk, extract_item = pages._store_chunk, fetch_extract.extract_item

    def slow_store(conn, run_id, chunk, robots_fetches):
        time.sleep(0.3)  # the fetch side stays busy long enough to see extraction run beside it
        store_chunk(conn, run_id, chunk, robots_fetches)
        stored_chunks[0] += 1

    def recording_extract(*args, **kwargs):
        extracted_at.append(stored_chunks[0])
        return extract_item(*args, **kwargs)

    monkeypatch.setattr(pages, "_store_chunk", slow_store)
    monkeypatch.setattr(fetch_extract, "extract_item", recording_extract)

    counts = _run(warehouse, queued)

    assert {k: counts[k] for k in ("queued", "fetched", "failed", "skipped", "pages", "new", "changed")} == {
        "queued": TOTAL, "fetched": OK, "failed": TOTAL - OK, "skipped": 0, "pages": OK, "new": OK, "changed": 0}
    assert sum(v for k, v in counts.items() if k.startswith("status_")) == OK
    chunks = -(-TOTAL // pages.PAGE_WRITE_CHUNK)
    assert stored_chunks[0] == chunks
    # The first pages were extracted before the last chunk was stored: fetching and extraction overlapped.
    assert extracted_at and extracted_at[0] < chunks, extracted_at
    _assert_all_extracted(warehouse, site)


def test_a_retry_extracts_the_stored_pages_without_fetching_them_again(warehouse, site, queued):
    # A first attempt that stored every page and died before its articles were loaded.
    with HttpClient() as http:
        fetch_page_batch(warehouse, RUN, queued, http=http, limiter=HostLimiter(), robots=RobotsCache(http))
    assert count(warehouse, "SELECT count(*) FROM newsflow.articles") == 0
    before = sum(site.requests.values())

    counts = _run(warehouse, queued)

    assert sum(site.requests.values()) == before
    assert (counts["skipped"], counts["fetched"], counts["pages"], counts["new"]) == (TOTAL, 0, OK, OK)
    _assert_all_extracted(warehouse, site)
    # Once more: the articles are there and unchanged, nothing is fetched.
    again = _run(warehouse, queued)
    assert (again["new"], again["changed"], again["pages"]) == (0, 0, OK)
    assert sum(site.requests.values()) == before


def test_an_extraction_crash_stops_the_fetch_and_loads_nothing_half(warehouse, site, queued, monkeypatch):
    calls, extract_item = [0], fetch_extract.extract_item

    def crashing_extract(*args, **kwargs):
        calls[0] += 1
        if calls[0] == 10:
            raise MemoryError("extractor blew up (test)")
        return extract_item(*args, **kwargs)

    monkeypatch.setattr(fetch_extract, "extract_item", crashing_extract)
    threads = threading.active_count()

    with pytest.raises(MemoryError):
        _run(warehouse, queued)

    # No half batch of articles, and the fetch thread is gone (the task can end and be retried).
    assert count(warehouse, "SELECT count(*) FROM newsflow.articles") == 0
    assert threading.active_count() == threads
    fetched_once = {link for (link,) in rows(warehouse, "SELECT link FROM newsflow.article_queue "
                                                        "WHERE run_id = %s AND fetch_status = 'ok'", (RUN,))}
    assert fetched_once, "the first chunk was stored before the crash"

    monkeypatch.setattr(fetch_extract, "extract_item", extract_item)
    _run(warehouse, queued)
    _assert_all_extracted(warehouse, site)
    assert all(site.page_requests(link) == 1 for link in fetched_once)


def test_a_fetch_failure_keeps_the_articles_of_the_chunks_stored_before_it(warehouse, site, queued):
    chunk = pages.PAGE_WRITE_CHUNK
    # Half-way through the second chunk's queue updates: the first chunk is stored, the second is not.
    with warehouse.cursor() as cur:
        cur.execute(_FAIL_MID_CHUNK, {"limit": chunk + chunk // 2})
    warehouse.commit()

    with pytest.raises(psycopg2.errors.RaiseException):
        _run(warehouse, queued)

    stored_ok = {link for (link,) in rows(warehouse, "SELECT link FROM newsflow.article_queue "
                                                     "WHERE run_id = %s AND fetch_status = 'ok'", (RUN,))}
    assert 0 < len(stored_ok) <= chunk
    assert set(_articles(warehouse)) == stored_ok

    with warehouse.cursor() as cur:
        cur.execute("DROP TRIGGER fail_mid_chunk ON newsflow.article_queue")
    warehouse.commit()
    _run(warehouse, queued)
    _assert_all_extracted(warehouse, site)


def test_a_slow_extractor_holds_the_fetch_back(warehouse, site, queued, monkeypatch):
    """Memory: decoded bodies waiting for extraction stay within a few chunks, not the batch."""
    monkeypatch.setattr(pages, "PAGE_WRITE_CHUNK", 5)
    workers = 2
    fetched, extracted, ahead = [0], [0], []
    lock = threading.Lock()
    fetch_and_pack, extract_item = pages._fetch_and_pack, fetch_extract.extract_item

    def counting_fetch(*args):
        outcome = fetch_and_pack(*args)
        with lock:
            fetched[0] += outcome.body is not None
        return outcome

    def slow_extract(*args, **kwargs):
        time.sleep(0.02)
        with lock:
            ahead.append(fetched[0] - extracted[0])
            extracted[0] += 1
        return extract_item(*args, **kwargs)

    monkeypatch.setattr(pages, "_fetch_and_pack", counting_fetch)
    monkeypatch.setattr(fetch_extract, "extract_item", slow_extract)
    _run(warehouse, queued, workers=workers)

    window = workers * pages.IN_FLIGHT_PER_WORKER
    # Chunks queued, the one the fetch thread waits to hand over, the one being extracted, the one being gathered
    # (plus what completed with its last page), and the fetches in flight.
    bound = (fetch_extract.EXTRACT_QUEUE_CHUNKS + 3) * 5 + 2 * window
    assert bound < OK and max(ahead) <= bound, (max(ahead), bound)
    _assert_all_extracted(warehouse, site)
