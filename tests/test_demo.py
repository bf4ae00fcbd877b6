"""Tests for the offline demo newsroom: content, ground truth, feeds, pages, HTTP caching, editions, generator.

Everything is served on 127.0.0.1 with port 0; nothing touches the internet.
"""

from __future__ import annotations

import difflib
import gzip
import http.client
import json
import re
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import feedparser
import pytest
import yaml

from newsflow.demo import demo_newsroom, generate, serve, write_feeds_yaml
from newsflow.demo.feedsfile import feeds_yaml

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
TOKEN = re.compile(r"\b(?:[A-Z][a-z]{2,}|\d[\d.,]*\d|\d)\b")


def get(url: str, headers: dict[str, str] | None = None, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    """A plain HTTP request (no proxies, no redirects): status, lower-cased headers, body."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request(method, parts.path + (f"?{parts.query}" if parts.query else ""), headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def newsroom():
    return demo_newsroom(NOW)


@pytest.fixture(scope="module")
def server(newsroom):
    with serve(newsroom, port=0) as srv:
        yield srv


def own_reports(newsroom, key):
    return [a for a in newsroom.articles if a.story_key == key and not a.wire_copy_of]


# --- content -------------------------------------------------------------------------------------


def test_demo_counts(newsroom):
    st = newsroom.stats()
    assert st["outlets"] >= 6
    assert st["stories"] >= 10
    assert st["multi_outlet_stories"] >= 10
    assert st["wire_copies"] >= 2
    assert st["standalone"] >= 3
    assert st["updated_articles"] >= 1
    assert st["languages"] >= 2
    assert {o.feed_format for o in newsroom.outlets} == {"rss", "atom"}
    assert any(o.is_wire for o in newsroom.outlets)
    assert len({o.template for o in newsroom.outlets}) >= 6
    assert len({a.path for a in newsroom.articles}) == len(newsroom.articles)
    # most stories are told by 2-5 outlets in their own words
    sizes = Counter(len({a.outlet for a in own_reports(newsroom, k)}) for k in newsroom.expected_stories())
    assert sum(n for size, n in sizes.items() if 2 <= size <= 5) >= 8


def test_reports_are_in_own_words_but_share_entities(newsroom):
    for key in newsroom.expected_stories():
        reports = own_reports(newsroom, key)
        assert len({a.title for a in reports}) == len(reports), key
        english = [a for a in reports if newsroom.outlet(a.outlet).language == "en"]
        for a in reports:
            words = a.at(1).word_count
            assert 90 <= words <= 500, (a.path, words)
        for i, a in enumerate(english):
            for b in english[i + 1 :]:
                ratio = difflib.SequenceMatcher(None, " ".join(a.paragraphs), " ".join(b.paragraphs)).ratio()
                assert ratio < 0.6, (key, a.outlet, b.outlet, ratio)  # different wording
                shared = set(TOKEN.findall(" ".join(a.paragraphs))) & set(TOKEN.findall(" ".join(b.paragraphs)))
                assert len(shared) >= 6, (key, a.outlet, b.outlet, shared)  # same names, places, numbers


def test_wire_copies_are_near_verbatim_and_later(newsroom):
    copies = [a for a in newsroom.articles if a.wire_copy_of]
    assert {newsroom.articles_by_path[c.wire_copy_of].outlet for c in copies} == {"meridian-wire"}
    assert len({c.outlet for c in copies}) >= 2
    for c in copies:
        orig = newsroom.articles_by_path[c.wire_copy_of]
        assert c.outlet != orig.outlet and c.story_key == orig.story_key
        assert c.published > orig.published
        ratio = difflib.SequenceMatcher(None, " ".join(orig.paragraphs), " ".join(c.paragraphs)).ratio()
        assert ratio > 0.8, (c.path, ratio)
    # the edits the brief asks for: a changed headline, a trimmed paragraph, an added dateline
    assert any(c.title != newsroom.articles_by_path[c.wire_copy_of].title for c in copies)
    assert any(len(c.paragraphs) < len(newsroom.articles_by_path[c.wire_copy_of].paragraphs) for c in copies)
    assert any("(Meridian Wire)" in c.paragraphs[0] for c in copies)


def test_times_are_recent_aware_and_first_reporter_unambiguous(newsroom):
    for a in newsroom.articles:
        assert a.published.tzinfo is not None
        assert NOW - timedelta(hours=48) <= a.published < NOW
    for key, urls in newsroom.expected_stories().items():
        times = sorted(newsroom.articles_by_path[u].published for u in urls)
        assert times[0] < times[1], key


def test_default_now_is_this_hour():
    nr = demo_newsroom()
    assert nr.now.tzinfo is not None and nr.now.minute == 0
    assert abs(datetime.now(UTC) - nr.now) < timedelta(hours=1, minutes=1)


# --- ground truth ------------------------------------------------------------------------------


def test_ground_truth_json_is_consistent(newsroom, server):
    doc = json.loads(newsroom.ground_truth_json(server.url))
    rows = doc["articles"]
    by_url = {r["url"]: r for r in rows}
    assert len(by_url) == len(rows) == len(newsroom.articles)
    feeds = set(server.feed_urls())
    assert set(doc["feeds"]) == feeds
    for r in rows:
        assert r["url"].startswith(server.url + "/")
        assert r["feed_url"] in feeds
        datetime.fromisoformat(r["published"])
        if r["wire_copy_of"]:
            assert by_url[r["wire_copy_of"]]["story_key"] == r["story_key"]
    stories = {}
    for r in rows:
        if r["story_key"]:
            stories.setdefault(r["story_key"], []).append(r["url"])
    assert stories == doc["stories"] == server.expected_stories()
    # served over HTTP too, with the same content
    status, headers, body = get(server.url + "/_demo/ground-truth.json")
    assert status == 200 and headers["content-type"].startswith("application/json")
    assert json.loads(body)["articles"] == rows
    # wire bylines are organisations in JSON-LD
    copy = next(a for a in newsroom.articles if a.author == "Meridian Wire")
    page = get(server.url + copy.path)[2].decode()
    assert '"author": [{"@type": "Organization", "name": "Meridian Wire"}]' in page


def test_write_ground_truth(newsroom, tmp_path):
    path = newsroom.write_ground_truth(tmp_path / "gt" / "truth.json", "http://127.0.0.1:9", edition=2)
    doc = json.loads(path.read_text())
    assert doc["edition"] == 2 and len(doc["articles"]) == len(newsroom.articles)
    assert any(r["updated_in_edition"] == 2 for r in doc["articles"])


# --- feeds and pages over HTTP -------------------------------------------------------------------


def test_feeds_parse_and_every_link_resolves(newsroom, server):
    seen = 0
    for outlet, feed_url in zip(newsroom.outlets, server.feed_urls(), strict=True):
        status, headers, body = get(feed_url)
        assert status == 200
        assert "charset=utf-8" in headers["content-type"]
        parsed = feedparser.parse(body)
        assert not parsed.bozo, (feed_url, parsed.get("bozo_exception"))
        assert parsed.version.startswith("rss" if outlet.feed_format == "rss" else "atom"), parsed.version
        assert len(parsed.entries) == len(newsroom.articles_of(outlet.slug))
        for entry in parsed.entries:
            assert entry.get("published_parsed") and entry.get("title")
            status, headers, page = get(entry.link)
            assert status == 200, entry.link
            assert headers["content-type"] == "text/html; charset=utf-8"
            html = page.decode("utf-8")
            assert f'<link rel="canonical" href="{entry.link}">' in html
            assert entry.title in html.replace("&#x27;", "'").replace("&quot;", '"').replace("&amp;", "&")
            seen += 1
    assert seen == len(newsroom.articles)


def test_pages_carry_metadata_and_boilerplate(newsroom, server):
    for art in newsroom.articles:
        html = get(server.url + art.path)[2].decode()
        ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
        assert ld["@type"] == "NewsArticle"
        for key in ("headline", "datePublished", "dateModified", "author", "publisher"):
            assert ld[key], key
        assert datetime.fromisoformat(ld["datePublished"]) == art.published
        for needle in ('property="og:title"', 'property="og:url"', 'property="article:published_time"'):
            assert needle in html
        lang = newsroom.outlet(art.outlet).language
        if lang == "en":
            needles = ["Also read:", "Advertisement", "Accept all", "Related stories"]
            if not newsroom.outlet(art.outlet).is_wire:  # agencies take no comments and sell no newsletters
                needles += ["Login to post a comment", "Comments (", "Get the morning briefing"]
            for needle in needles:
                assert needle.lower() in html.lower(), (art.path, needle)
        else:
            assert "Lesen Sie auch:" in html and "Anzeige" in html
        if art.caption:
            assert "<figcaption" in html


def test_templates_differ_between_outlets(newsroom, server):
    classes = {}
    for outlet in newsroom.outlets:
        html = get(server.url + newsroom.articles_of(outlet.slug)[0].path)[2].decode()
        classes[outlet.slug] = set(re.findall(r'class="([^"]+)"', html))
    slugs = list(classes)
    for i, a in enumerate(slugs):
        for b in slugs[i + 1 :]:
            jaccard = len(classes[a] & classes[b]) / len(classes[a] | classes[b])
            assert jaccard < 0.5, (a, b, jaccard)


def test_conditional_get(newsroom, server):
    for path in (newsroom.outlets[0].feed_path, newsroom.articles[0].path):
        status, headers, _ = get(server.url + path)
        assert status == 200 and headers["etag"] and headers["last-modified"]
        assert get(server.url + path, {"If-None-Match": headers["etag"]})[0] == 304
        assert get(server.url + path, {"If-Modified-Since": headers["last-modified"]})[0] == 304
        assert get(server.url + path, {"If-None-Match": '"other"'})[0] == 200
        # If-None-Match wins over a matching If-Modified-Since
        both = {"If-None-Match": '"other"', "If-Modified-Since": headers["last-modified"]}
        assert get(server.url + path, both)[0] == 200
        earlier = "Mon, 01 Jan 2001 00:00:00 GMT"
        assert get(server.url + path, {"If-Modified-Since": earlier})[0] == 200
        # gzip is a separate representation with its own validator
        status, gz_headers, body = get(server.url + path, {"Accept-Encoding": "gzip"})
        assert status == 200 and gz_headers["content-encoding"] == "gzip"
        assert gzip.decompress(body) == get(server.url + path)[2]
        assert gz_headers["etag"] != headers["etag"]
        assert get(server.url + path, {"Accept-Encoding": "gzip", "If-None-Match": gz_headers["etag"]})[0] == 304


def test_robots_404_and_head(server):
    status, headers, body = get(server.url + "/robots.txt")
    assert status == 200 and headers["content-type"] == "text/plain; charset=utf-8"
    assert b"Allow: /" in body and b"Disallow: /" not in body
    assert get(server.url + "/no/such/page.html")[0] == 404
    assert get(server.url + "/feeds/nope.xml")[0] == 404
    status, headers, body = get(server.url + "/", method="HEAD")
    assert status == 200 and body == b"" and int(headers["content-length"]) > 0
    assert get(server.url + "/")[0] == 200


def test_edition_switch_changes_headline(newsroom):
    updated = next(a for a in newsroom.articles if a.revisions)
    with serve(newsroom, port=0) as srv:
        url = srv.url + updated.path
        outlet = newsroom.outlet(updated.outlet)
        _, headers1, page1 = get(url)
        feed1 = feedparser.parse(get(srv.url + outlet.feed_path)[2])
        srv.set_edition(2)
        status, headers2, page2 = get(url)
        feed2 = feedparser.parse(get(srv.url + outlet.feed_path)[2])
        assert status == 200
        assert get(url, {"If-None-Match": headers1["etag"]})[0] == 200  # changed page: no 304
        srv.set_edition(1)
        assert get(url)[2] == page1
    title1, title2 = updated.title, updated.revisions[0].title
    assert title1 != title2
    assert f">{title1}</h1>" in page1.decode() and f">{title2}</h1>" not in page1.decode()
    assert f">{title2}</h1>" in page2.decode()
    assert title1 in {e.title for e in feed1.entries} and title2 in {e.title for e in feed2.entries}
    assert headers2["last-modified"] != headers1["last-modified"]
    assert newsroom.ground_truth(edition=2) != newsroom.ground_truth(edition=1)
    with pytest.raises(ValueError):
        srv.set_edition(9)


def test_edition_can_be_switched_over_http(newsroom):
    with serve(newsroom, port=0) as srv:
        assert get(srv.url + "/_demo/edition/2", method="POST")[0] == 200
        assert srv.edition == 2
        assert get(srv.url + "/_demo/edition/7", method="POST")[0] == 400
        assert get(srv.url + "/robots.txt", method="POST")[0] == 405
        assert srv.edition == 2


def test_demo_site_module_runs(tmp_path):
    """`python -m newsflow.demo --port 0` prints its URL and serves until stopped."""
    import subprocess
    import sys

    feeds = tmp_path / "feeds.yaml"
    proc = subprocess.Popen(
        [sys.executable, "-m", "newsflow.demo", "--port", "0", "--quiet", "--feeds-file", str(feeds)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        first = proc.stdout.readline()
        base = re.search(r"(http://127\.0\.0\.1:\d+)/", first).group(1)
        assert get(base + "/robots.txt")[0] == 200
        for _ in range(50):  # the feeds file is written before serving starts
            if feeds.exists():
                break
            time.sleep(0.1)
        assert yaml.safe_load(feeds.read_text())["feeds"][0]["url"].startswith(base)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_write_feeds_yaml(newsroom, server, tmp_path):
    path = write_feeds_yaml(newsroom, server.url, tmp_path / "feeds.yaml", min_delay_s=0)
    text = path.read_text()
    assert text.startswith(f"feeds:\n  - url: {server.url}/feeds/harbor-ledger.xml\n    outlet: The Harbor Ledger\n")
    assert text.endswith("politeness:\n  min_delay_s: 0\n  max_concurrency_per_host: 8\n")
    doc = yaml.safe_load(text)
    assert [f["url"] for f in doc["feeds"]] == server.feed_urls()
    assert {f["language"] for f in doc["feeds"]} == {"en", "de"}
    assert all(isinstance(f["tags"], list) and f["tags"] for f in doc["feeds"])
    assert get(server.url + "/_demo/feeds.yaml")[2].decode() == feeds_yaml(newsroom, server.url)


def test_feeds_yaml_loads_with_pipeline_loader(newsroom, tmp_path):
    feeds_config = pytest.importorskip("newsflow.feeds_config")
    path = write_feeds_yaml(newsroom, "http://127.0.0.1:8765", tmp_path / "feeds.yaml", min_delay_s=0.5)
    cfg = feeds_config.load_feeds(path)
    assert [f.outlet for f in cfg.feeds] == [o.name for o in newsroom.outlets]
    assert cfg.politeness.min_delay_s == 0.5 and cfg.politeness.max_concurrency_per_host == 8


# --- generator -----------------------------------------------------------------------------------


def test_generator_is_deterministic_and_shaped():
    t0 = time.perf_counter()
    a = generate(5000, 60, seed=7, now=NOW)
    elapsed = time.perf_counter() - t0
    b = generate(5000, 60, seed=7, now=NOW)
    c = generate(5000, 60, seed=8, now=NOW)
    assert a.ground_truth("http://h") == b.ground_truth("http://h")
    assert [x.paragraphs for x in a.articles] == [x.paragraphs for x in b.articles]
    assert a.ground_truth("http://h") != c.ground_truth("http://h")
    st = a.stats()
    assert st["articles"] == 5000 and st["outlets"] == 60
    assert st["stories"] > 500 and st["wire_copies"] > 50 and st["standalone"] > 200 and st["updated_articles"] > 10
    assert elapsed < 20
    for key, urls in a.expected_stories().items():
        arts = [a.articles_by_path[u] for u in urls]
        times = sorted(x.published for x in arts)
        assert len(times) >= 2 and times[0] < times[1], key
        for x in arts:
            if x.wire_copy_of:
                assert a.articles_by_path[x.wire_copy_of].published < x.published
    assert all(NOW - timedelta(hours=48) <= x.published <= NOW for x in a.articles)


def test_generated_newsroom_serves_valid_feeds():
    nr = generate(400, 12, seed=3, now=NOW)
    with serve(nr, port=0) as srv:
        for feed_url in srv.feed_urls():
            parsed = feedparser.parse(get(feed_url)[2])
            assert not parsed.bozo, feed_url
            for entry in parsed.entries[:3]:
                status, headers, _ = get(entry.link)
                assert status == 200 and headers["content-type"].startswith("text/html")
        assert len(srv.ground_truth()) == 400
