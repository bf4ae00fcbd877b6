"""Article extraction: metadata reconciliation, language, quality statuses, limits and the CLI.

All pages are built inline or read from tests/fixtures/extract; nothing touches the network.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from newsflow.extract import extract_article
from newsflow.extract.cli import add_cli, run_cli
from newsflow.extract.language import detect_language
from newsflow.extract.limits import MAX_HTML_BYTES
from newsflow.extract.metadata import parse_datetime
from newsflow.models import EXTRACTION_STATUSES, EntryHints

FIXTURES = Path(__file__).parent / "fixtures" / "extract"
NOW = datetime(2024, 3, 6, 12, 0, tzinfo=timezone.utc)
URL = "https://news.example/2024/03/story"

PARAGRAPHS = [
    "The regional government presented its budget on Wednesday, promising more money for schools and hospitals while cutting spending on roads and administration over the next two years.",
    "The finance minister said the plan would reduce the deficit by a third, but opposition parties questioned the figures and accused the government of relying on optimistic growth forecasts.",
    "Teachers' unions welcomed the extra funding for schools, although they said it would not be enough to hire the staff needed to reduce class sizes in the poorest districts of the region.",
    "Hospital managers said the new money would help them shorten waiting lists, which have grown steadily since the pandemic, and invest in equipment that is long overdue for replacement.",
    "The budget will be debated in parliament next month, where the government holds a narrow majority and will need the support of at least one smaller party to pass it.",
]


def page(head: str = "", body: str | None = None) -> str:
    body = body if body is not None else "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Budget plan | Example News</title>{head}</head><body><article><h1>Budget plan unveiled</h1>{body}</article></body></html>"


def jsonld(**fields) -> str:
    return f'<script type="application/ld+json">{json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", **fields})}</script>'


# --- metadata ------------------------------------------------------------------------------


def test_metadata_from_jsonld_beats_opengraph():
    head = jsonld(headline="Budget plan unveiled", datePublished="2024-03-05T09:30:00+01:00",
                  dateModified="2024-03-05T12:00:00+01:00", author=[{"@type": "Person", "name": "Ana Ruiz"}],
                  articleSection="Politics", keywords="budget, schools") + (
        '<meta property="og:title" content="OG title">'
        '<meta property="article:published_time" content="2024-03-01T00:00:00Z">'
        '<meta property="og:site_name" content="Example News">'
        '<meta property="og:image" content="/img/lead.jpg">'
        '<link rel="canonical" href="https://news.example/budget">'
    )
    art = extract_article(page(head), URL, now=NOW)
    assert art.status == "ok"
    assert art.title == "Budget plan unveiled"
    assert art.published_at == datetime(2024, 3, 5, 8, 30, tzinfo=timezone.utc)
    assert art.updated_at == datetime(2024, 3, 5, 11, 0, tzinfo=timezone.utc)
    assert art.published_at.tzinfo is not None
    assert art.authors == ["Ana Ruiz"]
    assert art.site_name == "Example News"
    assert art.section == "Politics"
    assert art.tags == ["budget", "schools"]
    assert art.canonical_url == "https://news.example/budget"
    assert art.image_url == "https://news.example/img/lead.jpg"
    assert art.language == "en"
    assert art.word_count > 100
    assert art.method.startswith(("trafilatura", "readability"))


def test_future_date_rejected_and_feed_date_used_as_fallback():
    future = (NOW + timedelta(days=30)).isoformat()
    feed_date = datetime(2024, 3, 4, 7, 0, tzinfo=timezone.utc)
    head = f'<meta property="article:published_time" content="{future}">'
    art = extract_article(page(head), URL, hints=EntryHints(published_at=feed_date), now=NOW)
    assert art.published_at == feed_date


def test_date_before_1990_rejected():
    head = jsonld(headline="x", datePublished="1970-01-01T00:00:00Z")
    art = extract_article(page(head), "https://news.example/story", now=NOW)
    assert art.published_at is None or art.published_at.year >= 1990


def test_page_date_beats_feed_date_and_feed_fills_missing_fields():
    head = '<meta property="article:published_time" content="2024-03-05T10:00:00Z">'
    hints = EntryHints(title="Feed title", published_at=datetime(2024, 3, 1, tzinfo=timezone.utc), authors=["Feed Author"])
    art = extract_article(page(head), URL, hints=hints, now=NOW)
    assert art.published_at == datetime(2024, 3, 5, 10, 0, tzinfo=timezone.utc)
    assert art.authors == ["Feed Author"]


def test_naive_feed_date_becomes_aware():
    hints = EntryHints(published_at=datetime(2024, 3, 1, 8, 0))
    art = extract_article(page(), "https://news.example/story", hints=hints, now=NOW)
    assert art.published_at == datetime(2024, 3, 1, 8, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("raw, expected", [
    ("2019-11-18T16:10:00Z", datetime(2019, 11, 18, 16, 10, tzinfo=timezone.utc)),
    ("November 18, 2019 4:10pm EST", datetime(2019, 11, 18, 21, 10, tzinfo=timezone.utc)),
    ("not a date", None),
    ("", None),
])
def test_parse_datetime(raw, expected):
    assert parse_datetime(raw) == expected


def test_authors_are_split_and_prefixes_dropped():
    head = '<meta name="author" content="By Jane Doe and John Roe">'
    assert extract_article(page(head), URL, now=NOW).authors == ["Jane Doe", "John Roe"]


# --- language ------------------------------------------------------------------------------


@pytest.mark.parametrize("text, lang", [
    ("Der Bundestag hat am Donnerstag ein neues Gesetz beschlossen, das ab Januar gilt.", "de"),
    ("Le gouvernement a présenté mercredi un projet de loi sur les retraites.", "fr"),
    ("El Gobierno aprobó el martes los presupuestos generales del Estado.", "es"),
    ("The government approved the budget on Tuesday after a long debate.", "en"),
    ("O governo aprovou nesta terça-feira o orçamento para o próximo ano.", "pt"),
])
def test_detect_language(text, lang):
    assert detect_language(text) == lang


def test_short_text_falls_back_to_declared_language():
    assert detect_language("Ja.", declared="de-DE") == "de"


# --- statuses ------------------------------------------------------------------------------


def test_statuses_are_from_the_model_vocabulary():
    assert extract_article(page(), URL).status in EXTRACTION_STATUSES


def test_empty_page():
    for html in (b"", "   ", "<html><body></body></html>", b"<html><head><title>x</title></head><body><script>var a=1;</script></body></html>"):
        art = extract_article(html, URL)
        assert art.status == "empty", (html, art)
        assert art.error


def test_too_short():
    art = extract_article(page(body="<p>Only a couple of words here.</p>"), URL)
    assert art.status == "too_short"


def test_paywalled_by_marker_text():
    body = f"<p>{PARAGRAPHS[0]}</p><div class='paywall'><p>Subscribe to continue reading. Already a subscriber? Log in.</p></div>"
    assert extract_article(page(body=body), URL).status == "paywalled"


def test_paywalled_by_schema_flag():
    head = jsonld(headline="x", isAccessibleForFree="False")
    body = f"<p>{PARAGRAPHS[0]}</p><p>{PARAGRAPHS[1]}</p>"
    assert extract_article(page(head, body), URL).status == "paywalled"


def test_full_text_with_paywall_schema_is_ok():
    head = jsonld(headline="x", isAccessibleForFree=False)
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS * 3)
    assert extract_article(page(head, body), URL).status == "ok"


@pytest.mark.parametrize("text", [
    "Subscribe to continue reading.", "Sign in to keep reading", "This article is only available to paying subscribers",
    "Already a subscriber? Log in", "Become a subscriber?", "To continue reading, please log in",
    "You've reached your free article limit", "You have used all of your monthly story",
    "Dieser Artikel ist nur für Abonnenten", "Jetzt weiterlesen mit Z+", "Weiterlesen mit SPIEGEL+",
    "Cet article est réservé aux abonnés", "La suite est réservée aux abonnés",
    "Este artículo es exclusivo para suscriptores", "Contenido exclusivo para suscriptores",
    "Conteúdo exclusivo para assinantes", "Articolo riservato agli abbonati", "Материал доступен только для подписчиков",
    "The minister said subscribers to the plan would continue reading the report.",
    "Free articles and monthly limits were discussed; she kept reading.",
])
def test_paywall_text_search_equals_the_full_pattern(text):
    from newsflow.extract.quality import PAYWALL_TEXTS, has_paywall_text

    for padded in (text, "x " * 300 + text + " y" * 300):
        assert has_paywall_text(padded) == bool(PAYWALL_TEXTS.search(padded)), padded


def test_index_page_is_not_an_article():
    links = "".join(f"<li><a href='/news/{i}'>Headline number {i} about the city council and its budget</a></li>" for i in range(60))
    html = f"<html><head><title>Home | Example News</title><meta property='og:type' content='website'></head><body><ul>{links}</ul></body></html>"
    art = extract_article(html, "https://news.example/")
    assert art.status in ("not_article", "empty"), art


# --- limits and hostile input --------------------------------------------------------------


def test_huge_page_fails_fast():
    html = b"<html><body>" + b"<p>word word word</p>" * (MAX_HTML_BYTES // 20 + 10) + b"</body></html>"
    start = time.monotonic()
    art = extract_article(html, URL)
    assert art.status == "failed" and "exceeds" in art.error
    assert time.monotonic() - start < 1.0


@pytest.mark.parametrize("html", [
    b"<div>" * 200_000 + b"deep",  # nesting: libxml2 caps the depth
    b"<b>x</b>" * 150_000,  # too many tags
    b"<p>" + b"x" * 3_000_000,  # one enormous text node
    bytes(range(256)) * 2000,  # binary garbage
    "<html><body><p>\ud800 lone surrogate</p></body></html>",
    b"\xff\xfe<\x00h\x00t\x00m\x00l\x00>\x00",  # UTF-16 BOM
    b"<html><head><meta charset='no-such-charset'></head><body>\xe9t\xe9</body></html>",
])
def test_pathological_pages_return_a_status_quickly(html):
    start = time.monotonic()
    art = extract_article(html, URL, deadline_s=5)
    assert art.status in EXTRACTION_STATUSES
    assert time.monotonic() - start < 7


def _peak_rss_mb() -> float:
    """This process's peak resident memory so far (ru_maxrss: KiB on Linux)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.mark.parametrize("as_text", [False, True])
def test_30_mb_page_finishes_within_its_bounds(as_text):
    paragraph = b"<p>" + b"The council met on Tuesday to discuss the budget for schools and roads. " * 4 + b"</p>"
    html = b"<html><body>" + paragraph * (30 * 1024 * 1024 // len(paragraph)) + b"</body></html>"
    assert len(html) >= 30 * 1024 * 1024 - len(paragraph)
    page_in = html.decode() if as_text else html
    before = _peak_rss_mb()
    start = time.monotonic()
    art = extract_article(page_in, URL, deadline_s=5)
    assert time.monotonic() - start < 1.0
    assert art.status == "failed" and "exceeds the cap" in art.error
    assert _peak_rss_mb() - before < 100  # refused before decoding or parsing: no copies of the page


@pytest.mark.parametrize("depth, status", [
    (200, "ok"),  # deep but within libxml2's depth limit: the article is found
    (40_000, None),  # far beyond it (and below the tag cap): libxml2 stops nesting, we get a status
])
def test_deeply_nested_page_finishes_within_its_bounds(depth, status):
    html = "<html><body>" + "<div>" * depth + "".join(f"<p>{p}</p>" for p in PARAGRAPHS * 2) + "</div>" * depth + "</body></html>"
    before = _peak_rss_mb()
    start = time.monotonic()
    art = extract_article(html, URL, deadline_s=5)
    assert time.monotonic() - start < 6  # the hard deadline is 1.2 x 5 s
    assert art.status in EXTRACTION_STATUSES
    if status:
        assert art.status == status and art.word_count > 100
    assert _peak_rss_mb() - before < 200


def test_slow_page_hits_the_deadline():
    body = "".join(f"<p>Paragraph {i} with some words in it.</p>" for i in range(40_000))
    start = time.monotonic()
    art = extract_article(page(body=body), URL, deadline_s=0.5)
    assert time.monotonic() - start < 3
    assert art.status == "failed" and "deadline" in art.error


def test_never_raises_on_wrong_types():
    for html in (None, 12, ["<p>"]):
        art = extract_article(html, URL)  # type: ignore[arg-type]
        assert art.status in ("failed", "empty")


# --- CLI -----------------------------------------------------------------------------------


def _parse_cli(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="newsflow")
    add_cli(parser.add_subparsers(dest="command"))
    return parser.parse_args(argv)


def test_cli_html_and_gz(tmp_path):
    source = (FIXTURES / "clean_en.html").read_bytes()
    plain = tmp_path / "a.html"
    plain.write_bytes(source)
    packed = tmp_path / "b.html.gz"
    packed.write_bytes(gzip.compress(source))
    broken = tmp_path / "c.html.gz"
    broken.write_bytes(b"not gzip")
    args = _parse_cli(["extract", "--url", "https://ledger.example/news/tram-line", str(plain), str(packed), str(broken)])
    out = io.StringIO()
    code = run_cli(args, out=out)
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["source"] for r in records] == [str(plain), str(packed), str(broken)]
    for record in records[:2]:
        assert record["status"] == "ok"
        assert record["title"] == "City council approves new tram line after long debate"
        assert record["published_at"] == "2024-03-05T09:30:00+00:00"
        assert record["language"] == "en"
        assert record["canonical_url"] == "https://ledger.example/news/tram-line"
        assert record["method"]
        assert "Comments (12)" not in record["text"]
    assert records[2]["status"] == "failed"
    assert code == 1


def test_cli_module_entry_point(tmp_path, capsys):
    from newsflow.extract.cli import main

    path = tmp_path / "p.html"
    path.write_text(page(), "utf-8")
    assert main([str(path)]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["status"] == "ok" and record["source"] == str(path)
