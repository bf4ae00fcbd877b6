"""The hand-written demo newsroom: seven fictional outlets and the stories in `data/stories.yaml`.

`demo_newsroom(now)` builds it; edition 2 re-edits one article in place (a changed headline and paragraph).
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

import yaml

from newsflow.demo.model import Article, Newsroom, Outlet, Revision, article_path, default_now, minutes_before

STORIES_FILE = Path(__file__).with_name("data") / "stories.yaml"

#: Editions the hand-written demo has (edition 2 updates the bridge-collapse article at the same URL).
DEMO_EDITIONS = 2

#: A wire dateline at the start of a paragraph: "SOLVIK — ", "GRENNICK (Meridian Wire) — ".
DATELINE = re.compile(r"^[A-Z][A-Z .'-]+(?: \([^)]*\))? — ")

_DE_SECTIONS = ("Politik", "Wirtschaft", "Region", "Kultur", "Sport", "Lokales")

OUTLETS: tuple[Outlet, ...] = (
    Outlet(
        "harbor-ledger", "The Harbor Ledger", "en", "rss", "ledger", "dated", ("world", "business"),
        tagline="Independent journalism from Calder Bay since 1891",
        sections=("News", "World", "Business", "Technology", "Local", "Sport"),
    ),
    Outlet(
        "northwind-daily", "Northwind Daily", "en", "atom", "northwind", "section", ("national",),
        tagline="The nation's morning paper",
        sections=("National", "Politics", "Economy", "World", "Sport", "Opinion"),
    ),
    Outlet(
        "meridian-wire", "Meridian Wire", "en", "rss", "wire", "numbered", ("wire", "world"), is_wire=True,
        tagline="Fast, accurate, impartial. News agency copy for subscribing clients.",
        sections=("World", "Business", "Weather", "Politics"),
    ),
    Outlet(
        "kestrel-post", "Kestrel Post", "en", "atom", "kestrel", "section", ("politics",),
        tagline="Sharp reporting, every day",
        sections=("National", "Politics", "Economy", "Technology", "Culture"),
    ),
    Outlet(
        "lakeside-courier", "Lakeside Courier", "en", "rss", "courier", "dated", ("local",),
        tagline="Your lake, your news",
        sections=("Local", "Business", "Culture", "Sport"),
    ),
    Outlet(
        "atlas-times", "Atlas Times", "en", "atom", "atlas", "dated", ("world",),
        tagline="News and analysis from Ardania and the world",
        sections=("National", "World", "Politics", "Business", "Culture"),
    ),
    Outlet(
        "nordstadt-rundschau", "Nordstadt Rundschau", "de", "rss", "rundschau", "numbered", ("regional",),
        tagline="Die Zeitung für Nordstadt und die Küste",
        sections=_DE_SECTIONS,
    ),
)


@cache
def _load() -> dict:
    with STORIES_FILE.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _paragraphs(body: str) -> tuple[str, ...]:
    return tuple(" ".join(p.split()) for p in body.strip().split("\n\n") if p.strip())


class _Builder:
    """Turns the YAML records into Articles; numbers them in file order so URLs are stable."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.outlets = {o.slug: o for o in OUTLETS}
        self.articles: list[Article] = []

    def add(self, rec: dict, story_key: str | None) -> Article:
        outlet = self.outlets[rec["outlet"]]
        published = minutes_before(self.now, float(rec["hours_ago"]))
        art = self._article(outlet, rec, published, _paragraphs(rec["body"]), story_key)
        if "edition2" in rec:
            art = self._with_revision(art, rec["edition2"])
        self.articles.append(art)
        return art

    def copy(self, rec: dict, original: Article, story_key: str) -> Article:
        outlet = self.outlets[rec["outlet"]]
        published = original.published + timedelta(minutes=int(rec["delay_min"]))
        drop = set(rec.get("drop", ()))
        paras = [p for i, p in enumerate(original.paragraphs) if i not in drop]
        if "dateline" in rec:
            paras[0] = rec["dateline"] + " " + DATELINE.sub("", paras[0])
        fields = {
            "title": rec.get("title", original.title),
            "author": rec.get("author", original.author),
            "section": rec.get("section", original.section),
            "caption": original.caption,
            "credit": original.credit,
        }
        art = self._article(outlet, fields, published, tuple(paras), story_key, wire_copy_of=original.path)
        self.articles.append(art)
        return art

    def _article(self, outlet: Outlet, rec: dict, published: datetime, paras: tuple[str, ...],
                 story_key: str | None, wire_copy_of: str | None = None) -> Article:
        serial = 4100 + 37 * len(self.articles)  # CMS ids look arbitrary but are stable
        return Article(
            outlet=outlet.slug,
            path=article_path(outlet, rec["title"], published, rec.get("section", "News"), serial),
            title=rec["title"],
            paragraphs=paras,
            author=rec["author"],
            published=published,
            section=rec.get("section", "News"),
            story_key=story_key,
            wire_copy_of=wire_copy_of,
            caption=rec.get("caption", ""),
            credit=rec.get("credit", ""),
        )

    def _with_revision(self, art: Article, rec: dict) -> Article:
        paras = list(art.paragraphs)
        for idx, text in (rec.get("replace") or {}).items():
            paras[int(idx)] = " ".join(text.split())
        rev = Revision(
            edition=2,
            title=rec.get("title", art.title),
            paragraphs=tuple(paras),
            modified=minutes_before(self.now, float(rec["hours_ago"])),
        )
        return replace(art, revisions=(rev,))


def demo_newsroom(now: datetime | None = None) -> Newsroom:
    """The hand-written newsroom, with publication times relative to `now` (default: this hour, UTC)."""
    now = now or default_now()
    data = _load()
    b = _Builder(now)
    for story in data["stories"]:
        by_outlet = {}
        for rec in story["reports"]:
            by_outlet[rec["outlet"]] = b.add(rec, story["key"])
        for rec in story.get("copies", ()):
            b.copy(rec, by_outlet[rec["of"]], story["key"])
    for rec in data["standalone"]:
        b.add(rec, None)
    return Newsroom(
        name="newsflow demo newsroom",
        outlets=OUTLETS,
        articles=tuple(b.articles),
        now=now,
        editions=DEMO_EDITIONS,
        description="Seven fictional outlets reporting ten events in the fictional Republic of Ardania, "
        "with wire copies, stand-alone pieces and one article re-edited in edition 2.",
    )
