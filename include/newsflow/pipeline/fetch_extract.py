"""Stage: fetch one batch of pages and extract each page as soon as it is stored, in one task.

Fetching waits on the network and extraction on the CPU: overlapped, a batch costs about its extraction time.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from datetime import datetime

import psycopg2.extensions

from newsflow.http import HttpClient
from newsflow.pipeline.articles import extract_item, store_articles, stored_pages
from newsflow.pipeline.pages import QueueItem, fetch_page_batch
from newsflow.pipeline.runs import run_clock, versions
from newsflow.politeness import HostLimiter, RobotsCache

#: Stored pages waiting for the extractor. When it falls behind, the fetch thread blocks on this queue and the
#: fetch workers stop after their in-flight pages: decoded bodies in memory stay bounded, whatever the batch size.
EXTRACT_QUEUE_CHUNKS = 2
#: How often a blocked fetch thread looks whether the extractor gave up (seconds).
_STOP_POLL_S = 0.5
_DONE = object()


class _Handoff:
    """Chunks of stored pages from the fetch thread to the extracting (main) thread."""

    def __init__(self) -> None:
        self.chunks: queue.Queue = queue.Queue(maxsize=EXTRACT_QUEUE_CHUNKS)
        self.stop = threading.Event()
        self.error: BaseException | None = None
        self.fetch_counts: dict[str, int] = {}

    def put(self, pages: list[tuple[QueueItem, bytes]]) -> None:
        if not pages:
            return
        while True:
            if self.stop.is_set():
                raise RuntimeError("extraction stopped; the fetch of the batch stops too")
            try:
                self.chunks.put(pages, timeout=_STOP_POLL_S)
                return
            except queue.Full:
                continue

    def pages(self) -> Iterator[tuple[QueueItem, bytes]]:
        while (chunk := self.chunks.get()) is not _DONE:
            yield from chunk


def fetch_extract_batch(
    conn: psycopg2.extensions.connection,
    run_id: str,
    batch_no: int,
    *,
    http: HttpClient,
    limiter: HostLimiter,
    robots: RobotsCache | None,
    workers: int = 8,
    now: datetime | None = None,
) -> dict[str, int]:
    """Fetch the pages of one queued batch and extract them as they are stored; upsert the articles in one
    transaction. Returns the fetch counts (queued, fetched, failed, skipped) and the extraction counts (pages, new,
    changed, status_*).

    The fetch (its threads and the chunked writes, see pages.fetch_page_batch) runs in a thread; extraction stays
    in the calling thread, where the per-page hard deadline (a signal) works. A retry extracts the pages an earlier
    attempt stored, from the warehouse, and fetches only the rest. If the fetch fails, the pages extracted so far
    are still loaded, then the error is raised.
    """
    now = now or run_clock(conn, run_id)
    extractor_version = versions()["extractor"]
    earlier, bodies = stored_pages(conn, run_id, batch_no)
    handoff = _Handoff()

    def fetch() -> None:
        try:
            handoff.fetch_counts = fetch_page_batch(conn, run_id, batch_no, http=http, limiter=limiter, robots=robots,
                                                    workers=workers, now=now, on_stored=handoff.put)
        except BaseException as exc:  # noqa: BLE001 - handed to the calling thread, which raises it
            handoff.error = exc
        finally:
            # Never blocks for good: the extractor drains the queue until it sees this.
            handoff.chunks.put(_DONE)

    # The warehouse connection belongs to the fetch thread until it ends; extraction needs none.
    fetcher = threading.Thread(target=fetch, name=f"fetch-batch-{batch_no}", daemon=True)
    fetcher.start()
    rows, statuses, features = [], {}, []

    def extract(item: QueueItem, body: bytes | None) -> None:
        row, status, feats = extract_item(item, body, run_id=run_id, now=now, extractor_version=extractor_version)
        rows.append(row)
        statuses[status] = statuses.get(status, 0) + 1
        if feats is not None:
            features.append(feats)

    try:
        # Pages of an earlier attempt first, while the fetch of the rest warms up.
        for item in earlier:
            extract(item, bodies.get(item.raw_sha256))
        bodies.clear()
        for item, body in handoff.pages():
            extract(item, body)
    except BaseException:
        handoff.stop.set()
        _drain(handoff)
        fetcher.join()
        raise
    fetcher.join()
    counts = {**handoff.fetch_counts, "pages": len(rows), "new": 0, "changed": 0,
              **{f"status_{k}": v for k, v in statuses.items()}}
    # What the fetch delivered before it failed is kept (its pages are stored; a retry would redo only the rest).
    counts["new"], counts["changed"] = store_articles(conn, run_id, rows, features)
    if handoff.error is not None:
        raise handoff.error
    return counts


def _drain(handoff: _Handoff) -> None:
    """Empty the queue until the fetch thread's end marker, so it is never stuck on a full queue."""
    while handoff.chunks.get() is not _DONE:
        pass
