"""HTML article pages (one page style per outlet family), outlet home pages, RSS 2.0 and Atom feeds.

Pages carry the clutter real sites have (navigation, cookie banners, share bars, ads, inline links) so extraction is tested.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from html import escape

from newsflow.demo.model import Article, ArticleView, Newsroom, Outlet

#: How many "Also read" links are woven into a body, and after which paragraphs.
ALSO_READ_AFTER = (2, 5)
#: After which paragraph the in-body advertisement sits.
AD_AFTER = 3
#: Length of the related-stories list.
RELATED_COUNT = 4

#: Boilerplate per language, so non-English outlets look native.
STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "also": "Also read:",
        "related": "Related stories",
        "latest": "Latest",
        "comments": "Comments ({n})",
        "login": "Login to post a comment",
        "ad": "Advertisement",
        "nl_head": "Get the morning briefing",
        "nl_text": "Our editors' pick of the day's news, in your inbox at 7am.",
        "subscribe": "Sign up",
        "email": "Your email address",
        "cookie": "We use cookies to personalise content and ads and to analyse our traffic. "
        "By clicking \u201cAccept all\u201d you agree to our use of cookies.",
        "accept": "Accept all",
        "manage": "Manage preferences",
        "share": "Share this article",
        "by": "By",
        "photo": "Photo",
        "updated": "Updated",
        "published": "Published",
        "home": "Home",
        "rights": "All rights reserved.",
        "minutes": "{n} min read",
        "date": "%d %B %Y, %H:%M UTC",
    },
    "de": {
        "also": "Lesen Sie auch:",
        "related": "Mehr zum Thema",
        "latest": "Neueste Artikel",
        "comments": "Kommentare ({n})",
        "login": "Melden Sie sich an, um zu kommentieren",
        "ad": "Anzeige",
        "nl_head": "Der Morgen-Newsletter",
        "nl_text": "Die wichtigsten Nachrichten des Tages, jeden Morgen um 7 Uhr in Ihrem Postfach.",
        "subscribe": "Abonnieren",
        "email": "Ihre E-Mail-Adresse",
        "cookie": "Wir verwenden Cookies, um Inhalte und Anzeigen zu personalisieren und "
        "unseren Datenverkehr zu analysieren.",
        "accept": "Alle akzeptieren",
        "manage": "Einstellungen",
        "share": "Artikel teilen",
        "by": "Von",
        "photo": "Foto",
        "updated": "Aktualisiert",
        "published": "Ver\u00f6ffentlicht",
        "home": "Startseite",
        "rights": "Alle Rechte vorbehalten.",
        "minutes": "Lesezeit {n} Min.",
        "date": "%d.%m.%Y, %H:%M Uhr",
    },
    "fr": {
        "also": "\u00c0 lire aussi :",
        "related": "Sur le m\u00eame sujet",
        "latest": "Derniers articles",
        "comments": "Commentaires ({n})",
        "login": "Connectez-vous pour commenter",
        "ad": "Publicit\u00e9",
        "nl_head": "La lettre du matin",
        "nl_text": "L'essentiel de l'actualit\u00e9, chaque matin \u00e0 7 heures.",
        "subscribe": "S'inscrire",
        "email": "Votre adresse e-mail",
        "cookie": "Nous utilisons des cookies pour personnaliser le contenu et les publicit\u00e9s "
        "et pour analyser notre trafic.",
        "accept": "Tout accepter",
        "manage": "Param\u00e9trer",
        "share": "Partager",
        "by": "Par",
        "photo": "Photo",
        "updated": "Mis \u00e0 jour",
        "published": "Publi\u00e9",
        "home": "Accueil",
        "rights": "Tous droits r\u00e9serv\u00e9s.",
        "minutes": "Lecture {n} min",
        "date": "%d/%m/%Y \u00e0 %H:%M",
    },
}


@dataclass(frozen=True)
class PageContext:
    """Everything a page style needs, computed once."""

    newsroom: Newsroom
    outlet: Outlet
    view: ArticleView
    url: str
    base: str
    image_url: str
    also_read: list[tuple[str, str]]  # (headline, url)
    related: list[tuple[str, str]]
    comments: int
    s: dict[str, str]

    @property
    def art(self) -> Article:
        return self.view.article


def _e(text: str) -> str:
    return escape(text, quote=True)


def _stable_int(text: str, modulo: int) -> int:
    """A per-page number (comment counts...) that is the same on every run."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=4).digest(), "big") % modulo


def _neighbours(newsroom: Newsroom, art: Article, count: int, skip: int) -> list[Article]:
    """Other articles of the same outlet near this one: what a CMS would put in link boxes."""
    siblings = newsroom.articles_of(art.outlet)
    pos = newsroom.position_in_outlet[art.path]
    picked: list[Article] = []
    for step in range(1 + skip, len(siblings) + skip):
        for idx in (pos + step, pos - step):
            if 0 <= idx < len(siblings) and siblings[idx] is not art and siblings[idx] not in picked:
                picked.append(siblings[idx])
            if len(picked) == count:
                return picked
    return picked


def _context(newsroom: Newsroom, art: Article, edition: int, base: str) -> PageContext:
    outlet = newsroom.outlet(art.outlet)
    view = art.at(edition)
    link = lambda a: (a.at(edition).title, base + a.path)  # noqa: E731
    also = [link(a) for a in _neighbours(newsroom, art, len(ALSO_READ_AFTER), 0)]
    related = [link(a) for a in _neighbours(newsroom, art, RELATED_COUNT, len(ALSO_READ_AFTER) // 2)]
    return PageContext(
        newsroom=newsroom,
        outlet=outlet,
        view=view,
        url=base + art.path,
        base=base,
        image_url=f"{base}/img/{outlet.slug}/{_stable_int(art.path, 10**6):06d}.svg",
        also_read=also,
        related=related,
        comments=_stable_int(art.path + "#c", 60),
        s=STRINGS.get(outlet.language, STRINGS["en"]),
    )


def _fmt(dt: datetime, s: dict[str, str]) -> str:
    return dt.strftime(s["date"])


def _iso(dt: datetime) -> str:
    return dt.isoformat(timespec="seconds")


# --- shared page pieces -----------------------------------------------------------------------


def _head(c: PageContext) -> str:
    v, o = c.view, c.outlet
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": c.url},
        "headline": v.title,
        "description": v.summary,
        "image": [c.image_url],
        "datePublished": _iso(c.art.published),
        "dateModified": _iso(v.modified),
        "author": [{"@type": "Organization" if c.art.author in c.newsroom.outlet_names else "Person", "name": c.art.author}],
        "publisher": {
            "@type": "Organization",
            "name": o.name,
            "logo": {"@type": "ImageObject", "url": f"{c.base}/img/{o.slug}/logo.svg"},
        },
        "articleSection": c.art.section,
        "inLanguage": o.language,
        "wordCount": v.word_count,
    }
    # "</" inside a script element would end it early.
    ld_json = json.dumps(ld, ensure_ascii=False).replace("</", "<\\/")
    feed_type = "application/rss+xml" if o.feed_format == "rss" else "application/atom+xml"
    return f"""<!DOCTYPE html>
<html lang="{o.language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(v.title)} | {_e(o.name)}</title>
<meta name="description" content="{_e(v.summary)}">
<meta name="author" content="{_e(c.art.author)}">
<link rel="canonical" href="{_e(c.url)}">
<link rel="alternate" type="{feed_type}" title="{_e(o.name)}" href="{c.base}{o.feed_path}">
<meta property="og:type" content="article">
<meta property="og:site_name" content="{_e(o.name)}">
<meta property="og:title" content="{_e(v.title)}">
<meta property="og:description" content="{_e(v.summary)}">
<meta property="og:url" content="{_e(c.url)}">
<meta property="og:image" content="{_e(c.image_url)}">
<meta property="og:locale" content="{o.language}">
<meta property="article:published_time" content="{_iso(c.art.published)}">
<meta property="article:modified_time" content="{_iso(v.modified)}">
<meta property="article:section" content="{_e(c.art.section)}">
<meta property="article:author" content="{_e(c.art.author)}">
<meta name="twitter:card" content="summary_large_image">
<script type="application/ld+json">{ld_json}</script>
<link rel="stylesheet" href="{c.base}/static/{o.template}.css">
</head>
"""


def _nav(c: PageContext, cls: str, item_cls: str = "") -> str:
    li = f'<li class="{item_cls}">' if item_cls else "<li>"
    items = "".join(
        f'{li}<a href="{c.base}{c.outlet.home_path}#{sec.lower()}">{_e(sec)}</a></li>' for sec in c.outlet.sections
    )
    home = f'{li}<a href="{c.base}{c.outlet.home_path}">{c.s["home"]}</a></li>'
    return f'<nav class="{cls}" aria-label="Main"><ul>{home}{items}</ul></nav>'


def _cookie(c: PageContext, cls: str) -> str:
    return (
        f'<div class="{cls}" role="dialog" aria-label="Cookies"><p>{_e(c.s["cookie"])}</p>'
        f'<button type="button">{c.s["accept"]}</button> <button type="button">{c.s["manage"]}</button></div>'
    )


def _share(c: PageContext, cls: str) -> str:
    from urllib.parse import quote

    u = quote(c.url, safe="")
    return (
        f'<div class="{cls}"><span>{c.s["share"]}</span><ul>'
        f'<li><a href="https://social.example/share?u={u}">Facebook</a></li>'
        f'<li><a href="https://microblog.example/intent?url={u}">X</a></li>'
        f'<li><a href="mailto:?subject={quote(c.view.title)}&amp;body={u}">Email</a></li>'
        f'<li><button type="button" data-copy="{_e(c.url)}">Copy link</button></li></ul></div>'
    )


def _ad(c: PageContext, cls: str, slot: str) -> str:
    return f'<div class="{cls}" data-slot="{slot}"><span class="ad-label">{c.s["ad"]}</span><div class="ad-frame"></div></div>'


def _newsletter(c: PageContext, cls: str) -> str:
    return (
        f'<div class="{cls}"><h3>{c.s["nl_head"]}</h3><p>{_e(c.s["nl_text"])}</p>'
        f'<form action="{c.base}/newsletter" method="post"><input type="email" name="email" '
        f'placeholder="{c.s["email"]}"><button type="submit">{c.s["subscribe"]}</button></form></div>'
    )


def _comments(c: PageContext, cls: str) -> str:
    return (
        f'<section class="{cls}" id="comments"><h3>{c.s["comments"].format(n=c.comments)}</h3>'
        f'<p><a href="{c.base}/login?next={_e(c.art.path)}">{c.s["login"]}</a></p></section>'
    )


def _related(c: PageContext, cls: str, heading_tag: str = "h2") -> str:
    items = "".join(f'<li><a href="{_e(u)}">{_e(t)}</a></li>' for t, u in c.related)
    return f'<aside class="{cls}"><{heading_tag}>{c.s["related"]}</{heading_tag}><ul>{items}</ul></aside>'


def _figure(c: PageContext, cls: str, cap_cls: str, credit_cls: str) -> str:
    if not c.art.caption and not c.art.credit:
        return ""
    credit = f' <span class="{credit_cls}">{c.s["photo"]}: {_e(c.art.credit)}</span>' if c.art.credit else ""
    return (
        f'<figure class="{cls}"><img src="{_e(c.image_url)}" alt="{_e(c.art.caption)}" width="1200" height="675">'
        f'<figcaption class="{cap_cls}">{_e(c.art.caption)}{credit}</figcaption></figure>'
    )


def _footer(c: PageContext, cls: str) -> str:
    year = c.newsroom.now.year
    return (
        f'<footer class="{cls}"><p>&copy; {year} {_e(c.outlet.name)}. {c.s["rights"]}</p>'
        f'<ul><li><a href="{c.base}{c.outlet.home_path}about">About us</a></li>'
        f'<li><a href="{c.base}{c.outlet.home_path}privacy">Privacy</a></li>'
        f'<li><a href="{c.base}{c.outlet.feed_path}">{c.outlet.feed_format.upper()} feed</a></li></ul></footer>'
    )


def _body(
    c: PageContext,
    p_open: str,
    also: Callable[[str, str], str],
    ad: Callable[[], str],
    h2: str = "<h2>{}</h2>",
) -> str:
    """Paragraphs with the inline clutter woven in: 'Also read' links and an ad slot."""
    out = []
    also_iter = iter(c.also_read)
    for i, para in enumerate(c.view.paragraphs, start=1):
        if para.startswith("## "):
            out.append(h2.format(_e(para[3:])))
        else:
            out.append(f"{p_open}{_e(para)}</p>")
        if i in ALSO_READ_AFTER and i < len(c.view.paragraphs):
            nxt = next(also_iter, None)
            if nxt:
                out.append(also(*nxt))
        if i == AD_AFTER and i < len(c.view.paragraphs):
            out.append(ad())
    return "\n".join(out)


def _times(c: PageContext, cls: str) -> str:
    s, v = c.s, c.view
    pub = f'{s["published"]} <time datetime="{_iso(c.art.published)}">{_fmt(c.art.published, s)}</time>'
    if v.modified > c.art.published:
        pub += f' &middot; {s["updated"]} <time datetime="{_iso(v.modified)}">{_fmt(v.modified, s)}</time>'
    return f'<p class="{cls}">{pub}</p>'


# --- page styles --------------------------------------------------------------------------------


def _ledger(c: PageContext) -> str:
    """Semantic HTML5 with BEM class names."""
    also = lambda t, u: f'<p class="story__also-read"><strong>{c.s["also"]}</strong> <a href="{_e(u)}">{_e(t)}</a></p>'  # noqa: E731
    body = _body(c, "<p>", also, lambda: _ad(c, "ad-slot ad-slot--inline", "mid"))
    return f"""<body class="page-article">
{_cookie(c, "cookie-banner")}
<header class="site-header"><a class="site-header__logo" href="{c.base}{c.outlet.home_path}">{_e(c.outlet.name)}</a>
{_nav(c, "site-nav", "site-nav__item")}</header>
{_ad(c, "ad-slot ad-slot--leaderboard", "top")}
<main id="main">
<article class="story">
<header class="story__header">
<p class="story__kicker"><a href="{c.base}{c.outlet.home_path}#{c.art.section.lower()}">{_e(c.art.section)}</a></p>
<h1 class="story__headline">{_e(c.view.title)}</h1>
<p class="story__standfirst">{_e(c.view.summary)}</p>
<p class="story__byline">{c.s["by"]} <a rel="author" href="{c.base}{c.outlet.home_path}authors/{_e(c.art.author.lower().replace(" ", "-"))}">{_e(c.art.author)}</a></p>
{_times(c, "story__dates")}
</header>
{_share(c, "share-bar")}
{_figure(c, "story__figure", "story__caption", "story__credit")}
<div class="story__body">
{body}
</div>
{_share(c, "share-bar share-bar--bottom")}
</article>
{_newsletter(c, "newsletter-box")}
{_related(c, "related-stories")}
{_comments(c, "comments")}
</main>
{_footer(c, "site-footer")}
</body>
</html>
"""


def _northwind(c: PageContext) -> str:
    """Div soup with microdata, share bar above the text, inline related boxes."""
    also = lambda t, u: f'<div class="inline-related"><span class="label">{c.s["also"]}</span> <a href="{_e(u)}">{_e(t)}</a></div>'  # noqa: E731
    body = _body(c, '<p class="p-text">', also, lambda: _ad(c, "dfp-ad mpu", "inread"), '<h3 class="crosshead">{}</h3>')
    return f"""<body>
<div id="page">
{_cookie(c, "gdpr-consent-overlay")}
<div class="hdr"><div class="hdr-inner"><div class="logo"><a href="{c.base}{c.outlet.home_path}">{_e(c.outlet.name)}</a></div>
{_nav(c, "menu-primary", "menu-item")}<div class="hdr-search"><form action="{c.base}/search"><input name="q"></form></div></div></div>
<div class="breadcrumbs"><a href="{c.base}{c.outlet.home_path}">{c.s["home"]}</a> &rsaquo; <span>{_e(c.art.section)}</span></div>
<div class="content-wrapper" itemscope itemtype="https://schema.org/NewsArticle">
<div class="headline-block"><h1 itemprop="headline">{_e(c.view.title)}</h1>
<div class="meta"><span class="author" itemprop="author">{_e(c.art.author)}</span> |
<span class="date" itemprop="datePublished" content="{_iso(c.art.published)}">{_fmt(c.art.published, c.s)}</span> |
<span class="read-time">{c.s["minutes"].format(n=max(1, c.view.word_count // 220))}</span></div></div>
{_share(c, "social-share top")}
{_figure(c, "lead-image", "wp-caption-text", "image-credit")}
<div class="entry-content" itemprop="articleBody">
{body}
</div>
<div class="tags">Tags: <a href="{c.base}{c.outlet.home_path}tag/{c.art.section.lower()}">{_e(c.art.section)}</a></div>
{_related(c, "more-stories", "h4")}
{_newsletter(c, "nl-signup")}
{_comments(c, "comment-area")}
</div>
<div class="sidebar">{_ad(c, "dfp-ad sidebar-ad", "side")}</div>
{_footer(c, "ftr")}
</div>
</body>
</html>
"""


def _wire(c: PageContext) -> str:
    """A wire agency: sparse page, dateline copy, distribution notes."""
    also = lambda t, u: f'<p class="see-also">{c.s["also"]} <a href="{_e(u)}">{_e(t)}</a></p>'  # noqa: E731
    body = _body(c, "<p>", also, lambda: _ad(c, "wire-ad", "body"))
    return f"""<body class="wire">
{_cookie(c, "consent")}
<div class="topbar"><a class="brand" href="{c.base}{c.outlet.home_path}">{_e(c.outlet.name)}</a>
{_nav(c, "wire-nav")}<a class="login" href="{c.base}/login">Client login</a></div>
<main id="content">
<article class="wire-story">
<div class="slugline">{_e(c.art.section.upper())} | {_fmt(c.art.published, c.s)}</div>
<h1>{_e(c.view.title)}</h1>
<div class="byline">{c.s["by"]} {_e(c.art.author)}</div>
{_times(c, "timestamps")}
{_figure(c, "wire-photo", "wire-photo__caption", "wire-photo__credit")}
<div class="wire-body">
{body}
</div>
<p class="wire-end">(Reporting by {_e(c.art.author)}; editing by the {_e(c.outlet.name)} desk)</p>
<p class="copyright">&copy; {c.newsroom.now.year} {_e(c.outlet.name)}. Licensed for republication by subscribing clients.</p>
</article>
{_share(c, "share")}
{_related(c, "wire-related", "h3")}
</main>
{_footer(c, "wire-footer")}
</body>
</html>
"""


def _kestrel(c: PageContext) -> str:
    """Body split into several text blocks with asides between them, as modern CMSes do."""
    also = lambda t, u: f'</div>\n<aside class="kp-inline-link"><b>{c.s["also"]}</b> <a href="{_e(u)}">{_e(t)}</a></aside>\n<div class="kp-text-block">'  # noqa: E731
    ad = lambda: f'</div>\n{_ad(c, "kp-ad", "block")}\n<div class="kp-text-block">'  # noqa: E731
    body = _body(c, '<p class="kp-paragraph">', also, ad, '<h2 class="kp-subhead">{}</h2>')
    return f"""<body class="kp">
<div class="kp-skip"><a href="#kp-main">Skip to content</a></div>
<header class="kp-masthead"><div class="kp-brand"><a href="{c.base}{c.outlet.home_path}">{_e(c.outlet.name)}</a><span class="kp-tagline">{_e(c.outlet.tagline)}</span></div>
{_nav(c, "kp-nav", "kp-nav__item")}
<div class="kp-account"><a href="{c.base}/subscribe">Subscribe</a> <a href="{c.base}/login">Sign in</a></div></header>
<main class="kp-main" id="kp-main">
<div class="kp-article">
<header class="kp-article__header">
<span class="kp-article__section">{_e(c.art.section)}</span>
<h1 class="kp-article__title">{_e(c.view.title)}</h1>
<div class="kp-article__meta"><span class="kp-article__author">{_e(c.art.author)}</span>{_times(c, "kp-article__time")}</div>
</header>
{_figure(c, "kp-media", "kp-media__caption", "kp-media__credit")}
<section class="kp-article__content">
<div class="kp-text-block">
{body}
</div>
</section>
{_share(c, "kp-share")}
</div>
{_related(c, "kp-related", "h3")}
{_comments(c, "kp-comments")}
{_newsletter(c, "kp-newsletter")}
</main>
{_cookie(c, "kp-cookie-notice")}
{_footer(c, "kp-footer")}
</body>
</html>
"""


def _courier(c: PageContext) -> str:
    """An older grid layout with ids instead of classes and a right rail."""
    also = lambda t, u: f'<p class="also"><b>{c.s["also"].upper()}</b> <a href="{_e(u)}">{_e(t)}</a></p>'  # noqa: E731
    body = _body(c, "<p>", also, lambda: _ad(c, "advert", "mid"), "<p><strong>{}</strong></p>")
    return f"""<body>
{_cookie(c, "cc-window")}
<div id="top-ad">{_ad(c, "advert", "top")}</div>
<div class="container">
<div id="masthead"><a href="{c.base}{c.outlet.home_path}"><img src="{c.base}/img/{c.outlet.slug}/logo.svg" alt="{_e(c.outlet.name)}"></a></div>
{_nav(c, "navbar")}
<div class="row">
<div class="col-main">
<h1 id="article-title">{_e(c.view.title)}</h1>
<div id="article-meta">{c.s["by"]} <span class="byline-name">{_e(c.art.author)}</span> &ndash; {_fmt(c.art.published, c.s)}</div>
{_figure(c, "photo", "photo-caption", "photo-credit")}
<div id="article-text">
{body}
</div>
{_share(c, "sharing")}
{_comments(c, "comments-box")}
</div>
<div class="col-rail">
{_related(c, "rail-related", "h3")}
{_newsletter(c, "rail-newsletter")}
{_ad(c, "advert", "rail")}
</div>
</div>
{_footer(c, "bottom")}
</div>
</body>
</html>
"""


def _atlas(c: PageContext) -> str:
    """A broadsheet layout: long standfirst, dateline bar, section subheads, footnote-style related list."""
    also = lambda t, u: f'<div class="atl-also"><p>{c.s["also"]} <a href="{_e(u)}">{_e(t)}</a></p></div>'  # noqa: E731
    body = _body(c, '<p class="atl-p">', also, lambda: _ad(c, "atl-adunit", "article-mid"), '<h2 class="atl-h2">{}</h2>')
    return f"""<body class="atl">
<header class="atl-header"><div class="atl-wordmark"><a href="{c.base}{c.outlet.home_path}">{_e(c.outlet.name)}</a></div>
{_nav(c, "atl-sections", "atl-section-link")}</header>
{_cookie(c, "atl-privacy-banner")}
<div class="atl-layout">
<article class="atl-article">
<div class="atl-kicker">{_e(c.art.section)}</div>
<h1 class="atl-headline">{_e(c.view.title)}</h1>
<h2 class="atl-dek">{_e(c.view.summary)}</h2>
<div class="atl-byline-bar"><address class="atl-author">{c.s["by"]} {_e(c.art.author)}</address>{_times(c, "atl-time")}</div>
{_figure(c, "atl-hero", "atl-caption", "atl-credit")}
<div class="atl-body">
{body}
</div>
{_share(c, "atl-share")}
</article>
<div class="atl-aside">{_ad(c, "atl-adunit", "rail")}{_newsletter(c, "atl-newsletter")}</div>
</div>
{_related(c, "atl-related")}
{_comments(c, "atl-comments")}
{_footer(c, "atl-footer")}
</body>
</html>
"""


def _rundschau(c: PageContext) -> str:
    """A German regional paper: its own class vocabulary, teaser links between paragraphs."""
    also = lambda t, u: f'<p class="artikel-teaserlink">{c.s["also"]} <a href="{_e(u)}">{_e(t)}</a></p>'  # noqa: E731
    body = _body(c, '<p class="artikel-absatz">', also, lambda: _ad(c, "werbung", "mitte"), '<h2 class="zwischentitel">{}</h2>')
    return f"""<body class="artikelseite">
{_cookie(c, "cookie-hinweis")}
<div class="kopf"><a class="logo" href="{c.base}{c.outlet.home_path}">{_e(c.outlet.name)}</a>{_nav(c, "hauptnavigation")}</div>
<div class="inhalt">
<div class="artikel">
<span class="dachzeile">{_e(c.art.section)}</span>
<h1 class="artikel-titel">{_e(c.view.title)}</h1>
<p class="artikel-vorspann">{_e(c.view.summary)}</p>
<div class="artikel-meta"><span class="autor">{c.s["by"]} {_e(c.art.author)}</span>{_times(c, "datum")}</div>
{_figure(c, "artikel-bild", "bildunterschrift", "bildnachweis")}
<div class="artikel-text">
{body}
</div>
{_share(c, "teilen-leiste")}
</div>
{_related(c, "mehr-zum-thema")}
{_newsletter(c, "newsletter-kasten")}
{_comments(c, "kommentare")}
</div>
{_footer(c, "fuss")}
</body>
</html>
"""


#: Page style name -> renderer. Generated outlets cycle through the English-friendly ones.
STYLES: dict[str, Callable[[PageContext], str]] = {
    "ledger": _ledger,
    "northwind": _northwind,
    "wire": _wire,
    "kestrel": _kestrel,
    "courier": _courier,
    "atlas": _atlas,
    "rundschau": _rundschau,
}


def render_article(newsroom: Newsroom, art: Article, edition: int, base_url: str) -> str:
    c = _context(newsroom, art, edition, base_url.rstrip("/"))
    return _head(c) + STYLES[c.outlet.template](c)


# --- index pages --------------------------------------------------------------------------------


def render_outlet_home(newsroom: Newsroom, outlet: Outlet, edition: int, base_url: str) -> str:
    base = base_url.rstrip("/")
    s = STRINGS.get(outlet.language, STRINGS["en"])
    items = "\n".join(
        f'<li><a href="{base}{a.path}">{_e(a.at(edition).title)}</a> <time>{_fmt(a.published, s)}</time></li>'
        for a in newsroom.articles_of(outlet.slug)
    )
    return f"""<!DOCTYPE html>
<html lang="{outlet.language}"><head><meta charset="utf-8"><title>{_e(outlet.name)}</title>
<link rel="alternate" type="application/{outlet.feed_format}+xml" href="{base}{outlet.feed_path}"></head>
<body><h1>{_e(outlet.name)}</h1><p>{_e(outlet.tagline)}</p><h2>{s["latest"]}</h2><ul>
{items}
</ul><p><a href="{base}{outlet.feed_path}">Feed</a> &middot; <a href="{base}/">All outlets</a></p></body></html>
"""


def render_index(newsroom: Newsroom, edition: int, base_url: str) -> str:
    base = base_url.rstrip("/")
    rows = "\n".join(
        f'<li><a href="{base}{o.home_path}">{_e(o.name)}</a> ({o.language}, {len(newsroom.articles_of(o.slug))} articles)'
        f' &middot; <a href="{base}{o.feed_path}">{o.feed_format.upper()} feed</a></li>'
        for o in newsroom.outlets
    )
    st = newsroom.stats()
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{_e(newsroom.name)}</title></head>
<body><h1>{_e(newsroom.name)}</h1>
<p>{_e(newsroom.description)}</p>
<p>Edition {edition} of {newsroom.editions}. {st["outlets"]} outlets, {st["articles"]} articles, {st["stories"]} stories,
{st["wire_copies"]} wire copies, {st["standalone"]} stand-alone articles. Times are relative to {newsroom.now.isoformat()}.</p>
<p><a href="{base}/_demo/feeds.yaml">feeds.yaml for this site</a> &middot;
<a href="{base}/_demo/ground-truth.json">ground truth (JSON)</a></p>
<ul>
{rows}
</ul></body></html>
"""


# --- feeds --------------------------------------------------------------------------------------


def _rfc3339(dt: datetime) -> str:
    return dt.isoformat(timespec="seconds").replace("+00:00", "Z")


def render_rss(newsroom: Newsroom, outlet: Outlet, edition: int, base_url: str) -> str:
    base = base_url.rstrip("/")
    arts = newsroom.articles_of(outlet.slug)
    built = max((a.at(edition).modified for a in arts), default=newsroom.now)
    items = []
    for a in arts:
        v = a.at(edition)
        url = base + a.path
        items.append(
            f"<item><title>{_e(v.title)}</title><link>{_e(url)}</link>"
            f'<guid isPermaLink="true">{_e(url)}</guid><pubDate>{format_datetime(a.published)}</pubDate>'
            f"<dc:creator>{_e(a.author)}</dc:creator><category>{_e(a.section)}</category>"
            f"<description>{_e(v.summary)}</description></item>"
        )
    body = "\n".join(items)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
<title>{_e(outlet.name)}</title>
<link>{base}{outlet.home_path}</link>
<description>{_e(outlet.tagline or outlet.name)}</description>
<language>{outlet.language}</language>
<lastBuildDate>{format_datetime(built)}</lastBuildDate>
<atom:link href="{base}{outlet.feed_path}" rel="self" type="application/rss+xml"/>
{body}
</channel>
</rss>
"""


def render_atom(newsroom: Newsroom, outlet: Outlet, edition: int, base_url: str) -> str:
    base = base_url.rstrip("/")
    arts = newsroom.articles_of(outlet.slug)
    updated = max((a.at(edition).modified for a in arts), default=newsroom.now)
    entries = []
    for a in arts:
        v = a.at(edition)
        url = base + a.path
        # Tag URIs stay stable whatever host/port the demo runs on.
        entry_id = f"tag:{outlet.slug}.demo.newsflow,{a.published:%Y-%m-%d}:{a.path}"
        entries.append(
            f"<entry><id>{_e(entry_id)}</id><title>{_e(v.title)}</title>"
            f'<link rel="alternate" type="text/html" href="{_e(url)}"/>'
            f"<published>{_rfc3339(a.published)}</published><updated>{_rfc3339(v.modified)}</updated>"
            f"<author><name>{_e(a.author)}</name></author>"
            f'<category term="{_e(a.section)}"/><summary>{_e(v.summary)}</summary></entry>'
        )
    body = "\n".join(entries)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{outlet.language}">
<id>tag:{outlet.slug}.demo.newsflow,2020:feed</id>
<title>{_e(outlet.name)}</title>
<subtitle>{_e(outlet.tagline or outlet.name)}</subtitle>
<updated>{_rfc3339(updated)}</updated>
<link rel="self" type="application/atom+xml" href="{base}{outlet.feed_path}"/>
<link rel="alternate" type="text/html" href="{base}{outlet.home_path}"/>
{body}
</feed>
"""


def render_feed(newsroom: Newsroom, outlet: Outlet, edition: int, base_url: str) -> str:
    renderer = render_rss if outlet.feed_format == "rss" else render_atom
    return renderer(newsroom, outlet, edition, base_url)
