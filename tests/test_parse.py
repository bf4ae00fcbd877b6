"""Tests of newsflow.parse: fixture files under tests/fixtures/feeds with `<file>.expect.json` next to them,
plus identity (duplicated / missing / changing GUIDs), caps, encodings and robustness cases.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime, UTC
from pathlib import Path

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from faultserver import FaultServer  # noqa: E402

import newsflow.parse as parse_mod  # noqa: E402
from newsflow.http import HttpClient, HttpSettings  # noqa: E402
from newsflow.parse import (  # noqa: E402
    choose_identity,
    decode_feed,
    detect_not_a_feed,
    entry_identity,
    parse_feed,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "feeds"
EXPECTATIONS = sorted(FIXTURES.glob("*.expect.json"))
NOW = datetime(2026, 3, 5, tzinfo=UTC)


def _iso(dt):
    return dt.isoformat() if dt else None


def test_fixtures_present():
    assert len(EXPECTATIONS) >= 15


@pytest.mark.parametrize("expect_path", EXPECTATIONS, ids=lambda p: p.name.replace(".expect.json", ""))
def test_fixture(expect_path):
    exp = json.loads(expect_path.read_text("utf-8"))
    body = Path(str(expect_path)[: -len(".expect.json")]).read_bytes()
    feed = parse_feed(body, url=exp["url"], content_type=exp.get("content_type"), charset=exp.get("charset"), now=NOW)
    assert feed.status == exp["status"], feed
    if "identity" in exp:
        assert feed.identity == exp["identity"], feed.warnings
    if "title" in exp:
        assert feed.title == exp["title"]
    if "site_url" in exp:
        assert feed.site_url == exp["site_url"]
    if "entries" in exp:
        assert len(feed.entries) == exp["entries"]
    if "entries_min" in exp:
        assert len(feed.entries) >= exp["entries_min"]
    if "keys" in exp:
        assert [e.entry_key for e in feed.entries] == exp["keys"]
    if "first_keys" in exp:
        assert [e.entry_key for e in feed.entries][: len(exp["first_keys"])] == exp["first_keys"]
    if "distinct_keys" in exp:
        assert len({e.entry_key for e in feed.entries}) == exp["distinct_keys"]
    if "links" in exp:
        assert [e.link for e in feed.entries] == exp["links"]
    if "published" in exp:
        assert [_iso(e.published_at) for e in feed.entries] == exp["published"]
    if "updated" in exp:
        assert [_iso(e.updated_at) for e in feed.entries] == exp["updated"]
    if "first_title" in exp:
        assert feed.entries[0].title == exp["first_title"]
    if "first_summary" in exp:
        assert feed.entries[0].summary == exp["first_summary"]
    if "first_authors" in exp:
        assert feed.entries[0].authors == exp["first_authors"]
    if "first_tags" in exp:
        assert feed.entries[0].tags == exp["first_tags"]
    for needle in exp.get("warnings_contain", []):
        assert any(needle in w for w in feed.warnings), (needle, feed.warnings)
    if exp.get("no_warnings"):
        assert feed.warnings == []
    needles = exp.get("error_contains", [])
    for needle in [needles] if isinstance(needles, str) else needles:
        assert feed.error and needle in feed.error, (needle, feed.error)
    if feed.status == "ok":
        assert feed.error is None
        for e in feed.entries:
            assert e.entry_key
            assert e.link is None or e.link.startswith(("http://", "https://"))
            for dt in (e.published_at, e.updated_at):
                assert dt is None or dt.utcoffset().total_seconds() == 0


def test_utf8_bytes_win_over_latin1_declaration():
    body = (FIXTURES / "latin1-declared-utf8.xml").read_bytes()
    assert b'encoding="ISO-8859-1"' in body
    feed = parse_feed(
        body, url="https://z.example.ch/rss", content_type="text/xml; charset=ISO-8859-1", charset="iso-8859-1"
    )
    assert feed.entries[0].title == "Grüße aus Zürich: „Café“ für alle"
    assert "Ã" not in feed.entries[0].title  # no mojibake


def test_decode_order():
    utf8 = "é".encode()
    assert decode_feed(utf8, "iso-8859-1")[:2] == ("é", "utf-8")
    latin = "café".encode("latin-1")
    assert decode_feed(latin, "iso-8859-1")[0] == "café"
    assert decode_feed(b'<?xml version="1.0" encoding="iso-8859-15"?><a>\xa4</a>', None)[0].endswith("<a>€</a>")
    # header beats prolog when the bytes are not UTF-8
    text, enc, _ = decode_feed(b'<?xml version="1.0" encoding="koi8-r"?><a>\xe9</a>', "iso-8859-1")
    assert enc == "cp1252" and text.endswith("<a>é</a>")


def test_illegal_control_characters_are_stripped():
    body = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>A\x00B\x1bC</title>'
        b"<item><title>x\x08y</title><link>https://e.example/1</link><guid>1</guid></item></channel></rss>"
    )
    feed = parse_feed(body, url="https://e.example/rss")
    assert feed.status == "ok"
    assert feed.title == "ABC" and feed.entries[0].title == "xy"
    assert feed.warnings == ["removed 3 characters that are illegal in XML"]


def test_feed_served_as_text_html_still_parses():
    body = (FIXTURES / "healthy.rss.xml").read_bytes()
    feed = parse_feed(body, url="https://news.example.com/rss", content_type="text/html; charset=utf-8")
    assert feed.status == "ok" and len(feed.entries) == 3


def test_detect_not_a_feed():
    assert detect_not_a_feed(b"", None).startswith("empty response")
    assert detect_not_a_feed(b"   \n", "application/rss+xml").startswith("empty response")
    assert "HTML page" in detect_not_a_feed(b"<!DOCTYPE html><html><body>hi</body></html>", "text/html")
    assert "HTML page" in detect_not_a_feed(b"\xef\xbb\xbf  <html lang=en><head></head></html>", None)
    assert "anti-bot" in detect_not_a_feed(b"<html><title>Attention Required! | Cloudflare</title></html>", None)
    assert detect_not_a_feed(b'<?xml version="1.0"?>\n<!-- c --><rss version="2.0"/>', "text/html") is None
    assert detect_not_a_feed(b"<feed xmlns='http://www.w3.org/2005/Atom'/>", None) is None
    # a feed whose items talk about captchas is still a feed
    assert detect_not_a_feed(b"<rss><channel><item><title>captcha news</title></item></channel></rss>", None) is None


def test_feedparser_crash_is_malformed(monkeypatch):
    import feedparser

    def boom(*a, **k):
        raise RuntimeError("parser bug")

    monkeypatch.setattr(feedparser, "parse", boom)
    feed = parse_feed((FIXTURES / "healthy.rss.xml").read_bytes(), url="https://e.example/rss")
    assert feed.status == "malformed" and "crashed" in feed.error


def test_never_raises_on_garbage():
    import random

    rng = random.Random(7)
    seeds = [(FIXTURES / "healthy.rss.xml").read_bytes(), (FIXTURES / "atom.xml").read_bytes()]
    for _ in range(80):
        doc = bytearray(rng.choice(seeds))
        for _ in range(rng.randint(1, 30)):
            pos = rng.randrange(len(doc))
            doc[pos : pos + rng.randint(0, 20)] = bytes(rng.randrange(256) for _ in range(rng.randint(0, 5)))
        feed = parse_feed(bytes(doc), url="https://e.example/rss")
        assert feed.status in ("ok", "malformed", "not_a_feed")


def _rss(items: list[tuple[str | None, str, str]]) -> bytes:
    parts = []
    for guid, link, title in items:
        g = f'<guid isPermaLink="false">{guid}</guid>' if guid else ""
        parts.append(f"<item><title>{title}</title><link>{link}</link>{g}</item>")
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
        f"<link>https://e.example/</link>{''.join(parts)}</channel></rss>"
    ).encode()


def test_max_entries_cap():
    body = _rss([(f"g{i}", f"https://e.example/{i}", f"T{i}") for i in range(40)])
    feed = parse_feed(body, url="https://e.example/rss", max_entries=10)
    assert len(feed.entries) == 10
    assert feed.entries[0].entry_key == "g0"
    assert any("kept the first 10" in w for w in feed.warnings)


def test_few_missing_guids_keep_guid_identity():
    items = [(f"g{i}", f"https://e.example/{i}", f"T{i}") for i in range(40)]
    items[5] = (None, "https://e.example/5", "T5")  # 1 of 40 = 2.5 % < 5 %
    feed = parse_feed(_rss(items), url="https://e.example/rss")
    assert feed.identity == "guid"
    assert feed.entries[5].entry_key == "https://e.example/5"  # per-entry fallback to the link


def test_changing_guids_with_previous_keys():
    with FaultServer() as fs, HttpClient(HttpSettings(allowed_networks=("127.0.0.1/32",))) as c:
        first = c.fetch(fs.url("changing_guids"), kind="feed")
        second = c.fetch(fs.url("changing_guids"), kind="feed")
    f1 = parse_feed(first.body, url=first.final_url)
    assert f1.identity == "guid"  # nothing to compare with yet
    previous = {e.guid: e.link for e in f1.entries}
    f2 = parse_feed(second.body, url=second.final_url, previous_keys=previous)
    assert f2.identity == "link"
    assert any("GUID changed" in w for w in f2.warnings)
    assert [e.entry_key for e in f2.entries] == [e.link for e in f1.entries]
    # the same pairs as an iterable of tuples work too
    f2b = parse_feed(second.body, url=second.final_url, previous_keys=list(previous.items()))
    assert f2b.identity == "link"


def test_stable_guids_with_previous_keys_stay_guid():
    body = _rss([(f"g{i}", f"https://e.example/{i}", f"T{i}") for i in range(10)])
    f1 = parse_feed(body, url="https://e.example/rss")
    f2 = parse_feed(body, url="https://e.example/rss", previous_keys={e.guid: e.link for e in f1.entries})
    assert f2.identity == "guid" and f2.warnings == []


def test_identity_downgrade_is_sticky():
    body = _rss([(f"g{i}", f"https://e.example/{i}", f"T{i}") for i in range(10)])
    feed = parse_feed(body, url="https://e.example/rss", previous_identity="link")
    assert feed.identity == "link"
    assert feed.entries[0].entry_key == "https://e.example/0"


def test_entry_identity():
    assert entry_identity(guid="g", link="https://e.example/1", title="t", mode="guid") == "g"
    assert entry_identity(guid=None, link="https://e.example/1", title="t", mode="guid") == "https://e.example/1"
    assert entry_identity(guid="g", link="https://e.example/1", title="t", mode="link") == "https://e.example/1"
    h = entry_identity(guid="g", link="https://e.example/1", title="t", mode="hash")
    assert len(h) == 64 and h == entry_identity(guid="other", link="https://e.example/1", title="t", mode="hash")
    assert h != entry_identity(guid="g", link="https://e.example/1", title="t2", mode="hash")
    with pytest.raises(ValueError):
        entry_identity(guid="g", link=None, title=None, mode="bogus")


def test_choose_identity_thresholds():
    good = [(f"g{i}", f"https://e.example/{i}", "t") for i in range(20)]
    assert choose_identity(good)[0] == "guid"
    one_dup = good[:-1] + [("g0", "https://e.example/19", "t")]  # 2 of 20 share a GUID = 10 %
    assert choose_identity(one_dup)[0] == "link"
    no_links = [(None, None, f"t{i}") for i in range(5)]
    assert choose_identity(no_links)[0] == "hash"
    assert choose_identity([])[0] == "guid"


def test_exact_duplicate_items_collapse():
    body = _rss(
        [("g1", "https://e.example/1", "A")] * 3 + [(f"g{i}", f"https://e.example/{i}", "B") for i in range(2, 60)]
    )
    feed = parse_feed(body, url="https://e.example/rss")
    keys = [e.entry_key for e in feed.entries]
    assert len(keys) == len(set(keys))


def test_relative_links_and_site_url():
    body = _rss([("g1", "/a/1", "A"), ("g2", "b/2", "B"), ("g3", "//cdn.example.net/c", "C")])
    feed = parse_feed(body, url="https://news.example.com/feeds/all.xml")
    assert [e.link for e in feed.entries] == [
        "https://news.example.com/a/1",
        "https://news.example.com/feeds/b/2",
        "https://cdn.example.net/c",
    ]


def test_guids_are_not_rewritten_against_the_feed_url():
    body = _rss([("item-1", "https://e.example/1", "A")]).replace(b' isPermaLink="false"', b"")
    feed = parse_feed(body, url="https://e.example/rss")
    assert feed.entries[0].guid == "item-1"


def test_long_guid_is_hashed():
    long_guid = "x" * 2000
    feed = parse_feed(_rss([(long_guid, "https://e.example/1", "A")]), url="https://e.example/rss")
    assert feed.entries[0].guid.startswith("sha256:") and len(feed.entries[0].guid) < 100


def test_url_length_cap():
    monkey_cap = parse_mod.MAX_URL_LENGTH
    link = "https://e.example/" + "a" * monkey_cap
    feed = parse_feed(_rss([("g", link, "A")]), url="https://e.example/rss")
    assert feed.entries[0].link is None


@pytest.mark.parametrize("flavor", ["rss", "atom", "rdf"])
def test_big_documents_are_cut_at_the_entry_cap(flavor):
    pad = "x" * 2000
    if flavor == "rss":
        items = "".join(
            f"<item><title>T{i}</title><link>https://e.example/{i}</link><guid>g{i}</guid>"
            f"<description>{pad}</description></item>"
            for i in range(800)
        )
        doc = f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'
    elif flavor == "atom":
        items = "".join(
            f"<entry><title>T{i}</title><link href='https://e.example/{i}'/><id>g{i}</id>"
            f"<summary>{pad}</summary></entry>"
            for i in range(800)
        )
        doc = f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>{items}</feed>'
    else:
        items = "".join(
            f'<item rdf:about="https://e.example/{i}"><title>T{i}</title><link>https://e.example/{i}</link>'
            f"<description>{pad}</description></item>"
            for i in range(800)
        )
        doc = (
            '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns="http://purl.org/rss/1.0/"><channel rdf:about="https://e.example/"><title>t</title>'
            f"<link>https://e.example/</link></channel>{items}</rdf:RDF>"
        )
    assert len(doc) > parse_mod.TRUNCATE_ABOVE_CHARS
    feed = parse_feed(doc.encode(), url="https://e.example/rss", max_entries=100)
    assert feed.status == "ok"
    assert len(feed.entries) == 100
    assert feed.entries[-1].title == "T99"
    assert any("kept the first 100" in w for w in feed.warnings)
    assert not any("not well-formed" in w for w in feed.warnings), feed.warnings  # the cut document is valid XML
