"""`extract_article`: one HTML page in, one cleaned `ExtractedArticle` out, never an exception.

Stages: caps and decoding, parsing, metadata, main text, cleaning, language, quality status.
"""

from __future__ import annotations

from datetime import datetime, timezone

from lxml import etree
from lxml import html as lxml_html

from newsflow.extract.clean import clean_text, prune_dom
from newsflow.extract.language import detect_language
from newsflow.extract.limits import (
    MAX_HTML_BYTES,
    Deadline,
    DeadlineExceeded,
    decode_html,
    hard_deadline,
    structure_problem,
)
from newsflow.extract.main_text import extract_main_text
from newsflow.extract.metadata import PageMetadata, collect_metadata
from newsflow.extract.quality import classify, page_signals, word_count
from newsflow.models import EntryHints, ExtractedArticle

#: Default time budget per page; the caller may pass another.
DEFAULT_DEADLINE_S = 10.0
#: The signal-based hard stop leaves the cooperative deadline a little slack to finish cleanly.
HARD_DEADLINE_FACTOR = 1.2


def warm_up() -> None:
    """Load what the first page would otherwise pay for (language model, jusText stoplists:
    several seconds), e.g. once per worker process before its first deadline starts."""
    from newsflow.extract.language import detect_language as _detect

    _detect("warm up the language identifier with a short English sentence")
    try:
        from trafilatura.external import jt_stoplist_init

        jt_stoplist_init()
    except ImportError:  # other trafilatura versions build it lazily; nothing to warm
        pass


def _failed(error: str, method: str = "") -> ExtractedArticle:
    return ExtractedArticle(status="failed", error=error, method=method)


def _parse(html: str) -> lxml_html.HtmlElement | None:
    # huge_tree stays off: libxml2's own depth and size limits are a second guard.
    parser = lxml_html.HTMLParser(remove_comments=True, huge_tree=False)
    try:
        return lxml_html.document_fromstring(html, parser=parser)
    except (etree.ParserError, ValueError):
        return None


def extract_article(
    html: bytes | str,
    url: str,
    *,
    hints: EntryHints | None = None,
    deadline_s: float = DEFAULT_DEADLINE_S,
    now: datetime | None = None,
) -> ExtractedArticle:
    """Extract and clean the article of one page. Errors become status `failed` with `error`."""
    try:
        with hard_deadline(deadline_s * HARD_DEADLINE_FACTOR):
            return _extract(html, url, hints, Deadline.after(deadline_s), now or datetime.now(timezone.utc))
    except DeadlineExceeded as exc:
        return _failed(str(exc))
    except RecursionError:
        return _failed("page structure too deep to process")
    except MemoryError:
        return _failed("out of memory while processing the page")
    except Exception as exc:  # the batch must survive any single hostile page
        return _failed(f"{type(exc).__name__}: {exc}"[:500])


def _extract(html: bytes | str, url: str, hints: EntryHints | None, deadline: Deadline, now: datetime) -> ExtractedArticle:
    if html is None:
        return ExtractedArticle(status="empty", error="no HTML given")
    if isinstance(html, str) and len(html) > MAX_HTML_BYTES:  # every character is at least one byte
        return _failed(f"HTML of {len(html)} characters exceeds the cap of {MAX_HTML_BYTES} bytes")
    size = len(html.encode("utf-8", errors="ignore")) if isinstance(html, str) else len(html)
    if size > MAX_HTML_BYTES:
        return _failed(f"HTML of {size} bytes exceeds the cap of {MAX_HTML_BYTES} bytes")
    text_html = decode_html(html).replace("\x00", "")
    if not text_html.strip():
        return ExtractedArticle(status="empty", error="empty document")
    problem = structure_problem(text_html)
    if problem:
        return _failed(f"pathological page: {problem}")
    deadline.check("decoding")

    tree = _parse(text_html)
    if tree is None:
        return ExtractedArticle(status="empty", error="no parsable HTML")
    meta = collect_metadata(tree, url, hints, now, use_htmldate=True)
    deadline.check("metadata")

    prune_dom(tree)
    deadline.check("pruning")
    main = extract_main_text(tree, url, deadline)
    # No check after this point: the remaining stages are cheap, and a finished text is kept.
    text = clean_text(main.text, title=meta.title)
    words = word_count(text)
    language = detect_language(text, meta.declared_language or (hints.language if hints else None))
    signals = page_signals(tree, meta.page_type, meta.accessible_for_free, text, words)
    status, reason = classify(text, words, signals)
    return _article(meta, text, words, language, status, reason, main.method)


def _article(meta: PageMetadata, text: str, words: int, language: str | None, status: str, reason: str | None, method: str) -> ExtractedArticle:
    return ExtractedArticle(
        status=status,
        title=meta.title,
        text=text,
        authors=meta.authors,
        published_at=meta.published_at,
        updated_at=meta.updated_at,
        canonical_url=meta.canonical_url,
        site_name=meta.site_name,
        language=language,
        section=meta.section,
        tags=meta.tags,
        image_url=meta.image_url,
        description=meta.description,
        word_count=words,
        method=method,
        error=reason if status != "ok" else None,
    )
