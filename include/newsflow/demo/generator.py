"""Deterministic large newsrooms: templated events reported by several outlets in different words.

`generate(n_articles, n_feeds, seed)` gives multi-outlet stories, wire copies, stand-alone pieces and a few re-edits.
"""

from __future__ import annotations

import random
from dataclasses import replace
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import cache
from string import Formatter

from newsflow.demo import vocab
from newsflow.demo.model import Article, Newsroom, Outlet, Revision, article_path, default_now, slugify

#: Share of articles that are stand-alone (no other outlet reports the event); kept as a running quota.
STANDALONE_SHARE = 0.12
#: Share of multi-outlet stories that start as wire copy republished by clients.
WIRE_STORY_SHARE = 0.15
#: How many outlets report a story in their own words, and how often.
REPORTERS_WEIGHTS = {2: 35, 3: 30, 4: 20, 5: 15}
#: One wire agency per this many feeds (at least one when there are 3+ feeds).
FEEDS_PER_WIRE = 25
#: Share of articles re-edited in edition 2 (new headline and lead at the same URL).
REVISED_SHARE = 0.01
#: Stories start within this window before "now" (hours), and follow-ups come within the next few hours.
FIRST_REPORT_HOURS = (6.0, 47.0)
FOLLOW_UP_MINUTES = (8, 75)
#: How many of a kind's stock facts (beyond the lead) a report leaves out.
FACTS_DROPPED = (1, 2)
#: Event-specific detail sentences per event, and how many of them each report carries.
EVENT_DETAILS = 7
REPORT_DETAILS = (5, 6)
#: Background sentences each report adds (chosen per outlet), so pages reach article length.
CONTEXT_SENTENCES = 1
#: Page styles generated outlets cycle through (the wire style is for agencies).
NEWSPAPER_STYLES = ("ledger", "northwind", "kestrel", "courier", "atlas")
URL_STYLES = ("dated", "section", "numbered")

GENERATED_EDITIONS = 2


def _places() -> list[str]:
    return [h + t for h in vocab.PLACE_HEADS for t in vocab.PLACE_TAILS]


def _make_outlets(rng: random.Random, n_feeds: int, places: list[str]) -> list[Outlet]:
    n_wire = max(1, n_feeds // FEEDS_PER_WIRE) if n_feeds >= 3 else 0
    outlets: list[Outlet] = []
    names: set[str] = set()
    while len(outlets) < n_feeds:
        is_wire = len(outlets) < n_wire
        place = rng.choice(places)
        if is_wire:
            name = f"{place} {rng.choice(vocab.WIRE_NAMES)}"
        else:
            name = f"{rng.choice(('The ', ''))}{place} {rng.choice(vocab.MASTHEADS)}"
        slug = slugify(name.removeprefix("The "))
        if name in names or any(o.slug == slug for o in outlets[-50:]) or slug in {o.slug for o in outlets}:
            continue
        names.add(name)
        i = len(outlets)
        outlets.append(
            Outlet(
                slug=slug,
                name=name,
                language="en",
                feed_format="rss" if is_wire or rng.random() < 0.5 else "atom",
                template="wire" if is_wire else NEWSPAPER_STYLES[i % len(NEWSPAPER_STYLES)],
                url_style="numbered" if is_wire else rng.choice(URL_STYLES),
                tags=("wire",) if is_wire else (rng.choice(("news", "local", "national", "world")),),
                is_wire=is_wire,
                tagline=f"News from {place} and the {rng.choice(vocab.REGIONS)}",
            )
        )
    return outlets


def _person(rng: random.Random) -> str:
    return f"{rng.choice(vocab.FIRST_NAMES)} {rng.choice(vocab.LAST_NAMES)}"


def _dec(rng: random.Random, lo: int, hi: int) -> str:
    return f"{rng.randint(lo, hi)}.{rng.randint(0, 9)}"


#: How to draw each event-specific slot; only the slots a kind's templates use are drawn (that keeps 20,000 fast).
SLOT_DRAWS: dict[str, Callable[[random.Random], str]] = {
    "days": lambda r: str(r.randint(2, 21)),
    "pct": lambda r: _dec(r, 3, 19),
    "ask": lambda r: str(r.randint(12, 20)),
    "vote": lambda r: str(r.randint(55, 91)),
    "members": lambda r: f"{r.randint(4, 180) * 100:,}",
    "cost": lambda r: str(r.randint(5, 900)),
    "building": lambda r: r.choice(vocab.BUILDINGS),
    "street": lambda r: r.choice(vocab.STREETS),
    "injured": lambda r: str(r.randint(2, 40)),
    "firefighters": lambda r: str(r.randint(30, 160)),
    "engines": lambda r: str(r.randint(6, 30)),
    "evacuated": lambda r: str(r.randint(20, 600)),
    "party": lambda r: r.choice(vocab.PARTIES),
    "party2": lambda r: r.choice(vocab.PARTIES),
    "pct2": lambda r: _dec(r, 25, 45),
    "turnout": lambda r: _dec(r, 38, 78),
    "years": lambda r: str(r.randint(3, 60)),
    "company": lambda r: f"{r.choice(vocab.LAST_NAMES)} {r.choice(vocab.COMPANY_KINDS)}",
    "jobs": lambda r: f"{r.randint(2, 60) * 50:,}",
    "records": lambda r: _dec(r, 1, 9),
    "group_name": lambda r: f"{r.choice(vocab.HACKER_COLOURS)} {r.choice(vocab.HACKER_NOUNS)}",
    "storm": lambda r: r.choice(vocab.FIRST_NAMES),
    "wind": lambda r: str(r.randint(9, 17) * 10),
    "homes": lambda r: f"{r.randint(5, 150) * 1000:,}",
    "charge": lambda r: r.choice(vocab.CHARGES),
    "span": lambda r: str(r.randint(2, 9)),
    "passengers": lambda r: str(r.randint(60, 450)),
}
#: Per-kind overrides where a number must be plausible for that kind of event.
KIND_DRAWS: dict[tuple[str, str], Callable[[random.Random], str]] = {
    ("election", "pct"): lambda r: _dec(r, 46, 68),
    ("breach", "pct"): lambda r: str(r.randint(4, 35)),
}


@cache
def _slot_names(kind: str) -> tuple[str, ...]:
    """The slots a kind's templates (and the shared fillers) refer to, in a fixed order."""
    spec = vocab.EVENT_TYPES[kind]
    texts = [*spec["headlines"], *spec["context"], *vocab.FILLERS, *(t for fact in spec["facts"] for t in fact)]
    names = {field for text in texts for _, field, _, _ in Formatter().parse(text) if field}
    return tuple(sorted(names & SLOT_DRAWS.keys()))


def _event_slots(rng: random.Random, kind: str, places: list[str]) -> dict[str, str]:
    """Facts of one event: the shared names, places and numbers that let clustering find it."""
    place = rng.choice(places)
    person, person2 = _person(rng), _person(rng)
    group, union, employer = rng.choice(vocab.GROUPS)
    region = rng.choice(vocab.REGIONS)
    slots = {
        "place": place,
        "PLACE": place.upper(),
        "region": region,
        "person": person,
        "person_last": person.split()[-1],
        "person2": person2,
        "weekday": rng.choice(vocab.WEEKDAYS),
        "group": group,
        "Group": group[0].upper() + group[1:],
        "union": f"{place} {union}",
        "employer": employer.format(place=place, region=region),
        "office": rng.choice(vocab.OFFICES).format(place=place, region=region),
        "operator": f"{region} Rail",
        "village": rng.choice(vocab.VILLAGE_HEADS) + rng.choice(vocab.VILLAGE_MIDS) + rng.choice(vocab.VILLAGE_TAILS),
        "witness": _person(rng),
        "witness2": _person(rng),
        "official": _person(rng),
        "occupation": rng.choice(vocab.OCCUPATIONS),
        "occupation2": rng.choice(vocab.OCCUPATIONS),
        "institution": rng.choice(vocab.INSTITUTIONS),
        "landmark": rng.choice(vocab.LANDMARKS),
        "n_a": str(rng.randint(3, 40)),
        "n_b": f"{rng.randint(40, 2000):,}",
    }
    for name in _slot_names(kind):
        slots[name] = KIND_DRAWS.get((kind, name), SLOT_DRAWS[name])(rng)
    if slots.get("party2") == slots.get("party"):
        slots["party2"] = "Independents"
    # The event's own details, shared by every report of it (stored as indexes to keep slots str -> str).
    slots["_details"] = ",".join(str(i) for i in rng.sample(range(len(vocab.DETAILS)), EVENT_DETAILS))
    return slots


class _Gen:
    """State of one generation run; every choice goes through `self.rng` so a seed fixes the result."""

    def __init__(self, n_articles: int, n_feeds: int, seed: int, now: datetime) -> None:
        self.rng = random.Random(seed)
        self.now = now
        self.n = n_articles
        self.places = _places()
        self.outlets = _make_outlets(self.rng, n_feeds, self.places)
        self.wires = [o for o in self.outlets if o.is_wire]
        self.papers = [o for o in self.outlets if not o.is_wire] or self.outlets
        self.staff = {o.slug: [_person(self.rng) for _ in range(5)] for o in self.outlets}
        self.articles: list[Article] = []
        self.paths: set[str] = set()
        self.kinds = sorted(vocab.EVENT_TYPES)
        self.story_no = 0
        self.standalone = 0

    def run(self) -> list[Article]:
        while len(self.articles) < self.n:
            remaining = self.n - len(self.articles)
            kind = self.rng.choice(self.kinds)
            slots = _event_slots(self.rng, kind, self.places)
            t0 = self.now - timedelta(hours=self.rng.uniform(*FIRST_REPORT_HOURS))
            t0 = t0.replace(second=0, microsecond=0)
            if remaining == 1 or self.standalone < STANDALONE_SHARE * (len(self.articles) + 1):
                self.standalone += 1
                self._report(kind, slots, self.rng.choice(self.papers), self.rng.randrange(5), t0, None)
                continue
            self.story_no += 1
            key = f"{kind}-{self.story_no:05d}-{slugify(slots['place'], 1)}"
            if self.wires and self.rng.random() < WIRE_STORY_SHARE:
                self._wire_story(kind, slots, key, t0, min(remaining, self.rng.randint(2, 5)))
            else:
                k = min(remaining, self.rng.choices(list(REPORTERS_WEIGHTS), list(REPORTERS_WEIGHTS.values()))[0])
                k = min(k, len(self.papers))
                if k < 2:  # too few outlets for a story: report it once, stand-alone
                    self.standalone += 1
                    self._report(kind, slots, self.papers[0], 0, t0, None)
                    continue
                when = t0
                for variant, outlet in enumerate(self.rng.sample(self.papers, k)):
                    self._report(kind, slots, outlet, variant, when, key)
                    when += timedelta(minutes=self.rng.randint(*FOLLOW_UP_MINUTES))
        self._revise()
        return self.articles

    # --- composing text ----------------------------------------------------------------------

    def _compose(self, kind: str, slots: dict[str, str], variant: int, dateline: str | None) -> tuple[str, list[str]]:
        spec = vocab.EVENT_TYPES[kind]
        rng = self.rng
        title = spec["headlines"][variant % len(spec["headlines"])].format(**slots)
        facts = spec["facts"]
        lead = facts[0][variant % len(facts[0])].format(**slots)
        rest = [f[rng.randrange(len(f))].format(**slots) for f in facts[1:]]
        rng.shuffle(rest)
        del rest[len(rest) - rng.randint(*FACTS_DROPPED) :]  # outlets do not all carry every fact
        rest += [c.format(**slots) for c in rng.sample(spec["context"], CONTEXT_SENTENCES)]
        details = [vocab.DETAILS[int(i)] for i in slots["_details"].split(",")]
        rest += [d.format(**slots) for d in rng.sample(details, rng.randint(*REPORT_DETAILS))]
        rng.shuffle(rest)
        for _ in range(rng.randint(0, 1)):
            rest.insert(rng.randrange(len(rest) + 1), rng.choice(vocab.FILLERS).format(**slots))
        if dateline:
            lead = f"{dateline} {lead}"
        paras = [lead]
        i = 0
        while i < len(rest):
            take = rng.choice((1, 2, 2))
            paras.append(" ".join(rest[i : i + take]))
            i += take
        return title, paras

    def _report(self, kind: str, slots: dict[str, str], outlet: Outlet, variant: int, when: datetime,
                key: str | None) -> Article:
        dateline = f"{slots['PLACE']} —" if outlet.is_wire else None
        title, paras = self._compose(kind, slots, variant, dateline)
        return self._add(outlet, title, paras, self.rng.choice(self.staff[outlet.slug]), when, kind, slots, key, None)

    def _wire_story(self, kind: str, slots: dict[str, str], key: str, t0: datetime, total: int) -> None:
        """A wire original, 1-2 clients republishing it with small edits, then papers writing their own."""
        wire = self.rng.choice(self.wires)
        variant = self.rng.randrange(5)
        original = self._report(kind, slots, wire, variant, t0, key)
        n_copies = min(total - 1, self.rng.randint(1, 2))
        outlets = self.rng.sample(self.papers, min(total - 1, len(self.papers)))
        when = t0
        for i, outlet in enumerate(outlets):
            when += timedelta(minutes=self.rng.randint(*FOLLOW_UP_MINUTES))
            if i >= n_copies:
                self._report(kind, slots, outlet, variant + i, when, key)
                continue
            paras = list(original.paragraphs)
            if len(paras) > 3 and self.rng.random() < 0.5:
                paras.pop()  # a trimmed last paragraph
            paras[0] = paras[0].replace(f"{slots['PLACE']} —", f"{slots['PLACE']} ({wire.name}) —", 1)
            title = original.title
            if self.rng.random() < 0.5:  # clients often rewrite the headline
                headlines = vocab.EVENT_TYPES[kind]["headlines"]
                title = headlines[(variant + 1) % len(headlines)].format(**slots)
            author = self.rng.choice((wire.name, f"{original.author}, {wire.name}"))
            self._add(outlet, title, paras, author, when, kind, slots, key, original.path)

    def _add(self, outlet: Outlet, title: str, paras: list[str], author: str, when: datetime, kind: str,
             slots: dict[str, str], key: str | None, copy_of: str | None) -> Article:
        section = vocab.EVENT_TYPES[kind]["section"]
        serial = 100_000 + len(self.articles) * 7
        path = article_path(outlet, title, when, section, serial)
        if path in self.paths:  # same headline, same outlet, same day: CMSes add a number
            path = path.replace(".html", f"-{serial}.html") if path.endswith(".html") else path.rstrip("/") + f"-{serial}"
        self.paths.add(path)
        art = Article(
            outlet=outlet.slug,
            path=path,
            title=title,
            paragraphs=tuple(paras),
            author=author,
            published=when,
            section=section,
            story_key=key,
            wire_copy_of=copy_of,
            caption=f"The scene in {slots['place']} on {slots['weekday']}.",
            credit=f"{outlet.name}",
        )
        self.articles.append(art)
        return art

    def _revise(self) -> None:
        """Re-edit a few articles for edition 2: the same URL gets a new headline and an extra lead sentence."""
        n_rev = int(len(self.articles) * REVISED_SHARE)
        for idx in sorted(self.rng.sample(range(len(self.articles)), n_rev)):
            art = self.articles[idx]
            modified = min(self.now, art.published + timedelta(minutes=self.rng.randint(30, 300)))
            paras = list(art.paragraphs)
            paras[0] = paras[0] + " This article has been updated with new information."
            rev = Revision(2, f"UPDATE: {art.title}", tuple(paras), modified)
            self.articles[idx] = replace(art, revisions=(rev,))


def generate(n_articles: int, n_feeds: int, seed: int = 0, now: datetime | None = None) -> Newsroom:
    """A newsroom of exactly `n_articles` articles across `n_feeds` outlets; the same seed and now give the same newsroom."""
    if n_articles < 0 or n_feeds < 1:
        raise ValueError("n_articles must be >= 0 and n_feeds >= 1")
    now = now or default_now()
    gen = _Gen(n_articles, n_feeds, seed, now)
    articles = gen.run()
    return Newsroom(
        name=f"generated newsroom (seed {seed})",
        outlets=tuple(gen.outlets),
        articles=tuple(articles),
        now=now,
        editions=GENERATED_EDITIONS,
        description=f"{n_articles} generated articles across {n_feeds} fictional outlets, seed {seed}.",
    )
