"""Table-driven tests of canonicalize_url: tracking params, AMP variants, case, ports, slashes, junk.
Pure string cases; no network."""

import pytest

from newsflow.urlnorm import canonicalize_url

CASES = [
    # scheme and host case, default port, fragment
    ("HTTP://Example.COM:80/News/Story#comments", "https://example.com/News/Story"),
    ("https://example.com:443/a", "https://example.com/a"),
    ("https://example.com:8443/a", "https://example.com:8443/a"),
    ("http://www.example.com/a", "https://example.com/a"),
    # tracking parameters, sorted remaining query
    ("https://example.com/a?utm_source=rss&utm_medium=feed&id=7", "https://example.com/a?id=7"),
    ("https://example.com/a?fbclid=XYZ", "https://example.com/a"),
    ("https://example.com/a?gclid=1&b=2&a=1&msclkid=3&UTM_Campaign=x", "https://example.com/a?a=1&b=2"),
    ("https://example.com/a?mc_cid=1&mc_eid=2&_ga=3&igshid=4&ref=tw", "https://example.com/a"),
    ("https://example.com/a?p=1&p=0", "https://example.com/a?p=0&p=1"),
    ("https://example.com/a?q=a%20b", "https://example.com/a?q=a%20b"),
    # AMP variants
    ("https://example.com/news/story/amp", "https://example.com/news/story"),
    ("https://example.com/news/story/amp/", "https://example.com/news/story"),
    ("https://example.com/amp/news/story", "https://example.com/news/story"),
    ("https://example.com/news/story?amp=1", "https://example.com/news/story"),
    ("https://example.com/news/story?amp", "https://example.com/news/story"),
    ("https://example.com/news/story?outputType=amp", "https://example.com/news/story"),
    ("https://amp.example.com/news/story", "https://example.com/news/story"),
    ("https://example.com/news/story.amp", "https://example.com/news/story"),
    ("https://m.example.co.uk/news/1", "https://example.co.uk/news/1"),
    # slashes, dot segments, percent-encoding
    ("https://example.com/a/b/", "https://example.com/a/b"),
    ("https://example.com", "https://example.com/"),
    ("https://example.com/", "https://example.com/"),
    ("https://example.com//a///b", "https://example.com/a/b"),
    ("https://example.com/a/./b/../c", "https://example.com/a/c"),
    ("https://example.com/%7Euser/caf%c3%a9", "https://example.com/~user/caf%C3%A9"),
    # feed artefacts: HTML-escaped ampersands, stray spaces, protocol-relative
    ("  https://example.com/a?x=1&amp;utm_source=rss  ", "https://example.com/a?x=1"),
    ("//example.com/a", "https://example.com/a"),
    ("https://Example.com./a", "https://example.com/a"),
    # a mirror prefix is never stripped down to a bare suffix
    ("https://m.co/a", "https://m.co/a"),
    # internationalized host
    ("https://bücher.example/a", "https://xn--bcher-kva.example/a"),
]


@pytest.mark.parametrize("url,expected", CASES)
def test_canonical(url, expected):
    assert canonicalize_url(url) == expected


@pytest.mark.parametrize("url,expected", CASES)
def test_idempotent(url, expected):
    assert canonicalize_url(expected) == expected


@pytest.mark.parametrize(
    "junk",
    ["", "   ", "not a url", "mailto:someone@example.com", "ftp://example.com/x", "http://", "http://[::1",
     "https://exa mple.com/x", "javascript:alert(1)", "http://example.com:99999/x", "\x00\x01", "?utm_source=x"],
)
def test_junk_never_raises(junk):
    assert canonicalize_url(junk) == junk.strip()


def test_variants_share_one_identity():
    variants = [
        "http://www.example.com/world/story-1/?utm_source=twitter#top",
        "https://example.com/world/story-1",
        "https://amp.example.com/world/story-1/amp",
        "https://EXAMPLE.com:443/world/story-1?fbclid=abc&amp=1",
    ]
    assert len({canonicalize_url(u) for u in variants}) == 1
