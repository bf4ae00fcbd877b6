"""Provenance: every cue rule against its examples, the gazetteer, false friends, the labeled fixture set
(precision/recall gates), wire marks, the per-story rule, and the migration + loader + views on PostgreSQL.
"""

from __future__ import annotations

import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from newsflow.provenance import (
    Citation,
    StoryArticle,
    WireMark,
    analyse_article,
    detect_wire,
    extract_citations,
    load_gazetteer,
    load_provenance,
    original_markers,
    registrable_domain,
    story_provenance,
)
from newsflow.provenance_rules import CUE_RULES, ORIGINAL_MARKERS

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import provenance as bench  # noqa: E402  (bench/provenance.py: the scorer the benchmark prints)

T0 = datetime(2026, 3, 3, 10, 0, tzinfo=timezone.utc)


def _lang(rule) -> str | None:
    langs = [lang for lang in rule.languages if lang != "xx"]
    return langs[0] if langs else None


# --- rules and gazetteer as data -----------------------------------------------------------------


@pytest.mark.parametrize("rule", CUE_RULES, ids=lambda r: r.name)
def test_cue_rule_matches_its_examples(rule):
    assert rule.matches, "every cue rule needs at least one example it matches"
    for sentence in rule.matches:
        got = [c for c in extract_citations(sentence, language=_lang(rule)) if c.rule == rule.name]
        assert got, f"{rule.name} should match: {sentence!r}"


@pytest.mark.parametrize("rule", [r for r in CUE_RULES if r.misses], ids=lambda r: r.name)
def test_cue_rule_misses_its_counterexamples(rule):
    for sentence in rule.misses:
        got = [c for c in extract_citations(sentence, language=_lang(rule)) if c.rule == rule.name]
        assert not got, f"{rule.name} matched a false friend: {sentence!r} -> {got}"


@pytest.mark.parametrize("name,pattern,examples", ORIGINAL_MARKERS, ids=lambda x: x if isinstance(x, str) else "")
def test_original_marker_examples(name, pattern, examples):
    for text in examples:
        assert name in original_markers(text), text


def test_gazetteer_every_plain_alias_is_found_after_a_cue():
    gz = load_gazetteer()
    missing = []
    for text, alias in gz.aliases.items():
        if alias.requires_after is not None:
            continue
        got = extract_citations(f"The figures were later confirmed, according to {text}, on Monday.")
        if [c.outlet for c in got] != [alias.outlet.name]:
            missing.append((text, [c.outlet for c in got]))
    assert not missing


def test_gazetteer_covers_the_agencies_the_issue_names():
    gz = load_gazetteer()
    for name in ("Reuters", "Associated Press", "AFP", "dpa", "EFE", "ANSA", "TASS", "RIA Novosti", "Interfax",
                 "Xinhua", "Kyodo", "Yonhap", "PTI", "Ukrinform"):
        assert gz.outlets[name].kind == "agency"
    for alias, name in (("AP", "Associated Press"), ("Agence France-Presse", "AFP"), ("NYT", "The New York Times"),
                        ("DER SPIEGEL", "Der Spiegel"), ("France 24 (English)", "France 24"),
                        ("Reuters Staff", None), ("El País", "El País")):
        hit = gz.resolve(alias)
        assert (hit.name if hit else None) == name, alias


# --- citations -----------------------------------------------------------------------------------

FALSE_FRIENDS = [
    "Parents gathered on Reuters Street in Fairfield on Tuesday.",
    "Paul Reuter, a historian at the University of Chicago, said the delay was unprecedented.",
    "Students who sat the AP Biology exam in May will get their scores late, the board said.",
    "He said the AP exam results, according to the AP exam board, were delayed.",
    "Crowds packed Times Square, the mayor said.",
    "A Guardian angel statue stood near the square, the city said.",
    "Iran's Guardian Council said it had disqualified dozens of candidates.",
    "The sun rose over the Pacific, according to witnesses.",
    "She looked in the mirror, she told reporters.",
    "The Post reported that his club had been informed.",
    "Michael Bloomberg said on Monday he would give $1bn to Johns Hopkins.",
    "Mayor Bloomberg told reporters he intended to give away his fortune.",
    "Bloomberg Philanthropies said in a statement that the money would cover tuition.",
    "According to the Reuters Institute, trust in news has stabilised.",
    "The Nikkei rose 0.5% to 40,109, traders said.",
    "Die Zeit drängt, sagte der Bürgermeister.",
    "Sie sagte, der Spiegel im Flur sei ein Erbstück.",
    "Tout le monde était présent, selon le maire.",
    "El País Vasco registró un récord, según el Eustat.",
    "Tornadoes tore through Ohio on Thursday. (AP Photo/Joshua A. Bickel)",
]


@pytest.mark.parametrize("sentence", FALSE_FRIENDS)
def test_false_friends_are_not_cited(sentence):
    assert extract_citations(sentence) == []


def test_the_outlet_as_outlet_next_to_the_person():
    text = "Michael Bloomberg said he would give $1bn, Bloomberg reported. He later told Bloomberg News more."
    got = {(c.outlet, c.kind) for c in extract_citations(text)}
    assert got == {("Bloomberg", "report"), ("Bloomberg", "told")}


def test_own_outlet_never_cited_and_dedup_keeps_first_sentence():
    text = ("A senior MP told the BBC the vote was close. CNN said the vote was close.\n"
            "Later, CNN said the coalition was split. Reuters news agency reports a new motion.")
    got = extract_citations(text, own_outlet="BBC News")
    assert [(c.outlet, c.kind, c.position) for c in got] == [("CNN", "report", 0), ("Reuters", "agency_wire", 1)]
    assert got[0].sentence == "CNN said the vote was close."
    assert original_markers(text, own_outlet="BBC News") == ["self_told"]


def test_kinds():
    cases = {
        "A spokesperson said in a statement, according to CNN, that talks continued.": ("CNN", "statement"),
        "The minister told Reuters in a statement that he would stay.": ("Reuters", "statement"),
        "Russian news agency TASS reported that talks continued.": ("TASS", "agency_wire"),
        "Das berichtete die Nachrichtenagentur dpa am Montag.": ("dpa", "agency_wire"),
        "Un incendie a fait deux morts, selon l'AFP.": ("AFP", "report"),
        "La sequía sigue, según informó la agencia EFE.": ("EFE", "agency_wire"),
        "The city's mayor told the New York Times that it was over.": ("The New York Times", "told"),
        "A report on Kyiv Independent said the missile hit a building.": ("Kyiv Independent", "report"),
        "Le ministre a démissionné lundi soir (AFP).": ("AFP", "agency_wire"),
    }
    for text, want in cases.items():
        assert [(c.outlet, c.kind) for c in extract_citations(text)] == [want], text


def test_dateline_is_a_wire_mark_not_a_citation():
    text = "KYIV (Reuters) - Ukraine said on Sunday it shot down 38 drones."
    assert extract_citations(text) == []
    assert detect_wire(text, url="https://news.yahoo.com/x.html") == WireMark("Reuters", "dateline", "KYIV (Reuters) -")


# --- wire marks ----------------------------------------------------------------------------------


@pytest.mark.parametrize("text,agency", [
    ("KYIV, March 3 (Reuters) - Ukraine's air force said...", "Reuters"),
    ("WASHINGTON (AP) — The Senate passed a bill.", "Associated Press"),
    ("AFP - French President Emmanuel Macron said...", "AFP"),
    ("BERLIN (dpa) - Die Bundesregierung hat...", "dpa"),
    ("Madrid, 5 mar (EFE).- El Gobierno aprobará...", "EFE"),
    ("(ANSA) - ROMA, 11 MAR - Il governo ha approvato...", "ANSA"),
    ("MOSCOW, March 3. /TASS/. The Kremlin said...", "TASS"),
    ("BEIJING, March 5 (Xinhua) -- China set its target...", "Xinhua"),
    ("New Delhi, June 1 (PTI) The monsoon is likely to hit Kerala.", "PTI"),
    ("LONDON (Reuters/AFP) - Britain said...", "Reuters"),
    ("(CNN) — The Senate passed a bill.", "CNN"),
])
def test_datelines(text, agency):
    mark = detect_wire(text, url="https://example-local.com/a")
    assert mark is not None and (mark.agency, mark.evidence) == (agency, "dateline")


@pytest.mark.parametrize("authors,agency", [
    (["Reuters Staff"], "Reuters"), (["By Reuters"], "Reuters"), (["AP"], "Associated Press"),
    (["Jill Lawless, Associated Press"], "Associated Press"), (["Von Max Mustermann | dpa"], "dpa"),
    (["Paul Reuter"], None), (["Jane Doe"], None), (["APA", "red"], "APA"),
])
def test_bylines(authors, agency):
    mark = detect_wire("Body text without a dateline.", authors=authors, url="https://example-local.com/a")
    assert (mark.agency if mark else None) == agency
    if mark:
        assert mark.evidence == "byline"


def test_canonical_and_own_site():
    yahoo = "https://news.yahoo.com/a.html"
    mark = detect_wire("Text.", url=yahoo, canonical_url="https://apnews.com/article/x")
    assert (mark.agency, mark.evidence) == ("Associated Press", "canonical")
    mark = detect_wire("Text.", url=yahoo, canonical_url="https://www.some-paper.co.uk/story")
    assert (mark.agency, mark.evidence) == ("some-paper.co.uk", "canonical")
    # Same site in another host form, or the same outlet on another of its domains: not a wire copy.
    assert detect_wire("Text.", url="https://edition.cnn.com/a", canonical_url="https://www.cnn.com/a") is None
    assert detect_wire("Text.", url="https://www.bbc.com/news/a", canonical_url="https://www.bbc.co.uk/news/a") is None
    # An agency's own story carries its own dateline: not a copy.
    assert detect_wire("WASHINGTON (Reuters) - Text.", url="https://www.reuters.com/a", own_outlet="Reuters") is None
    assert registrable_domain("https://news.bbc.co.uk/x") == "bbc.co.uk"


def test_credit_and_site_name():
    text = "A volcano erupted.\nCopyright 2024 The Associated Press. All rights reserved."
    assert detect_wire(text, url="https://www.usnews.com/a").evidence == "credit"
    mark = detect_wire("Text.", url="https://www.bbc.com/news/a", site_name="Reuters")
    assert (mark.agency, mark.evidence) == ("Reuters", "site_name")
    # Without knowing whose page it is, a site name is just the publisher naming itself.
    assert detect_wire("Text.", url="https://unknown.example/a", site_name="Reuters") is None


# --- acceptance: the labeled fixture set ---------------------------------------------------------


def _all_fixtures() -> list[dict]:
    return bench.load_fixtures(bench.FIXTURES) + bench.load_fixtures(bench.HOLDOUT)


def test_fixture_set_is_big_and_varied():
    items = _all_fixtures()
    assert len(items) >= 40
    assert {"en", "de", "fr", "es"} <= {i["lang"] for i in items}
    assert len({i["id"] for i in items}) == len(items)
    assert sum(1 for i in items if not i["citations"] and not i["wire"]) >= 5  # pure false-friend articles


def test_fixture_precision_and_recall():
    result = bench.score(_all_fixtures())
    got_c, want_c, got_w, want_w = result["_sets"]
    for task in ("citations", "wire"):
        p, r, *_ = result[task]
        assert p >= 0.95, (task, p, sorted(got_c - want_c if task == "citations" else got_w - want_w))
        assert r >= 0.90, (task, r, sorted(want_c - got_c if task == "citations" else want_w - got_w))


# --- per story -----------------------------------------------------------------------------------


def _cite(outlet: str, kind: str = "report", position: int = 0, cited_kind: str = "outlet") -> Citation:
    return Citation(outlet, cited_kind, kind, "s.", position, 0, "test", outlet)


def test_story_provenance_rule():
    members = [
        StoryArticle(2, "Yahoo News", T0 + timedelta(minutes=30), T0, "Drones downed",
                     wire=WireMark("Reuters", "dateline", "KYIV (Reuters) -")),
        StoryArticle(1, "The Guardian", T0 + timedelta(hours=1), T0, "Ukraine downs 38 drones",
                     citations=(_cite("Reuters", cited_kind="agency", position=3),), original_markers=("self_told",)),
        StoryArticle(3, "BBC News", T0 + timedelta(hours=2), T0, "Ukraine downs 38 drones",
                     citations=(_cite("Reuters", "agency_wire", 0, "agency"),)),
        StoryArticle(4, "Le Monde", T0 + timedelta(hours=3), T0, "L'Ukraine abat 38 drones",
                     citations=(_cite("The Guardian"),)),
        StoryArticle(5, "NPR", T0 + timedelta(hours=4), T0, "Drones over Odesa",
                     citations=(_cite("The New York Times"),)),
        StoryArticle(6, "CNN", T0 + timedelta(hours=5), T0, "Drones over Odesa", is_copy=True),
        StoryArticle(7, "NPR", T0 + timedelta(hours=6), T0, "Drones over Odesa", is_copy=True),
    ]
    sp = story_provenance(members)
    # The first article is a Reuters wire copy: Reuters broke it.
    assert (sp.first_outlet, sp.first_published_at, sp.first_article_id) == ("Reuters", T0 + timedelta(minutes=30), 2)
    assert sp.original_outlets == ("NPR", "The Guardian")  # NPR cites the NYT, which is no member and no agency
    assert sp.relaying_outlets == ("BBC News", "CNN", "Le Monde", "Yahoo News")
    assert sp.relay_reasons == {2: "wire", 3: "lead_citation", 4: "lead_citation", 6: "copy", 7: "copy"}
    assert sp.wire_agencies == ("Reuters",)
    assert sp.citation_graph == {("The Guardian", "Reuters"): 1, ("BBC News", "Reuters"): 1,
                                 ("Le Monde", "The Guardian"): 1, ("NPR", "The New York Times"): 1}
    assert [(h.outlet, h.headline) for h in sp.headline_timeline] == [
        ("Yahoo News", "Drones downed"), ("The Guardian", "Ukraine downs 38 drones"),
        ("Le Monde", "L'Ukraine abat 38 drones"), ("NPR", "Drones over Odesa")]


def test_story_provenance_empty_and_published_at_fallback():
    assert story_provenance([]).first_outlet is None
    a = StoryArticle(1, "CNN", None, T0 + timedelta(hours=1), "x")
    b = StoryArticle(2, "BBC News", T0 + timedelta(hours=2), T0, "x")
    assert story_provenance([b, a]).first_outlet == "CNN"


# --- warehouse -----------------------------------------------------------------------------------

STORY = [
    # article_id placeholder order: outlet, url, minutes after T0, is_copy, text, authors
    ("Reuters", "https://www.reuters.com/world/drones-1", 0, False,
     "KYIV (Reuters) - Ukraine shot down 38 drones overnight.\nA Ukrainian official told Reuters the attack was large.", []),
    ("Yahoo News", "https://news.yahoo.com/drones-1.html", 30, False,
     "KYIV (Reuters) - Ukraine shot down 38 drones overnight, the air force said.", []),
    ("The Guardian", "https://www.theguardian.com/world/drones", 60, False,
     "Ukraine shot down 38 drones, the Guardian has learned.\nThe air force confirmed the figure, Reuters reported.", []),
    ("BBC News", "https://www.bbc.co.uk/news/drones", 90, False,
     "Ukraine said it shot down 38 drones, Reuters news agency reported.", []),
    ("CNN", "https://edition.cnn.com/drones", 120, True,
     "KYIV (Reuters) - Ukraine shot down 38 drones overnight, the air force said.", []),
    ("Le Monde", "https://www.lemonde.fr/drones", 150, False,
     "L'Ukraine a abattu 38 drones, selon The Guardian.", []),
    ("NPR", "https://www.npr.org/drones", 180, False,
     "Ukraine downed 38 drones. The New York Times reported the attack targeted Odesa.", []),
]


def _seed_story(conn) -> tuple[int, list[int]]:
    ids = []
    with conn.cursor() as cur:
        for i, (outlet, url, minutes, _copy, text, _authors) in enumerate(STORY):
            cur.execute("INSERT INTO newsflow.outlets (name) VALUES (%s) ON CONFLICT (name) DO NOTHING", (outlet,))
            cur.execute("SELECT outlet_id FROM newsflow.outlets WHERE name = %s", (outlet,))
            oid = cur.fetchone()[0]
            at = T0 + timedelta(minutes=minutes)
            cur.execute(
                """INSERT INTO newsflow.articles (url_key, url, outlet_id, title, text, published_at, language,
                       extraction_status, first_seen_at, last_changed_at)
                   VALUES (%s, %s, %s, %s, %s, %s, %s, 'ok', %s, %s) RETURNING article_id""",
                (url, url, oid, f"headline {i}", text, at, "fr" if outlet == "Le Monde" else "en", at, at))
            ids.append(cur.fetchone()[0])
        story_id = ids[0]
        cur.execute("""INSERT INTO newsflow.stories (story_id, headline, first_seen_at, n_outlets, n_articles)
                       VALUES (%s, 'drones', %s, 7, 7)""", (story_id, T0))
        for aid, row in zip(ids, STORY):
            cur.execute("INSERT INTO newsflow.story_members (article_id, story_id, score, is_copy) VALUES (%s, %s, 1, %s)",
                        (aid, story_id, row[3]))
    conn.commit()
    return story_id, ids


def _rows(ids):
    return [(aid, outlet, text, authors, url, None, None, "fr" if outlet == "Le Monde" else "en")
            for aid, (outlet, url, _m, _c, text, authors) in zip(ids, STORY)]


def test_loader_and_views(warehouse):
    story_id, ids = _seed_story(warehouse)
    counts = load_provenance(warehouse, _rows(ids))
    assert counts == {"articles": 7, "citations": 4, "wire_marks": 2}
    with warehouse.cursor() as cur:
        cur.execute("SELECT first_outlet, first_published_at, original_outlets, relaying_outlets, wire_agencies "
                    "FROM newsflow.story_provenance WHERE story_id = %s", (story_id,))
        first, first_at, original, relaying, wires = cur.fetchone()
        cur.execute("SELECT citing_outlet, cited_outlet, kind, story_id FROM newsflow.citations ORDER BY article_id")
        cites = cur.fetchall()
        cur.execute("SELECT citing_outlet, cited_outlet, citations, stories FROM newsflow.outlet_citation_graph "
                    "ORDER BY 1, 2")
        graph = cur.fetchall()
        cur.execute("SELECT agency, evidence FROM newsflow.article_wire_marks ORDER BY article_id")
        marks = cur.fetchall()
    assert (first, first_at) == ("Reuters", T0)
    assert original == ["NPR", "Reuters", "The Guardian"]
    assert relaying == ["BBC News", "CNN", "Le Monde", "Yahoo News"]
    assert wires == ["Reuters"]
    assert marks == [("Reuters", "dateline"), ("Reuters", "dateline")]
    assert cites == [("The Guardian", "Reuters", "report", story_id), ("BBC News", "Reuters", "agency_wire", story_id),
                     ("Le Monde", "The Guardian", "report", story_id), ("NPR", "The New York Times", "report", story_id)]
    assert graph == [("BBC News", "Reuters", 1, 1), ("Le Monde", "The Guardian", 1, 1),
                     ("NPR", "The New York Times", 1, 1), ("The Guardian", "Reuters", 1, 1)]

    # The SQL view and the pure function agree on the same members.
    members = []
    for aid, (outlet, url, minutes, is_copy, text, authors), row in zip(ids, STORY, _rows(ids)):
        res = analyse_article(*row)
        members.append(StoryArticle(aid, outlet, T0 + timedelta(minutes=minutes), T0 + timedelta(minutes=minutes),
                                    None, res.citations, res.wire, is_copy, res.original_markers))
    sp = story_provenance(members)
    assert (sp.first_outlet, list(sp.original_outlets), list(sp.relaying_outlets), list(sp.wire_agencies)) == \
        (first, original, relaying, wires)


def test_reload_replaces_and_cascades(warehouse):
    story_id, ids = _seed_story(warehouse)
    load_provenance(warehouse, _rows(ids))
    # The Yahoo copy is re-extracted without its dateline, and BBC's text no longer cites Reuters.
    rows = _rows(ids)
    rows[1] = (*rows[1][:2], "Ukraine shot down 38 drones overnight.", *rows[1][3:])
    rows[3] = (*rows[3][:2], "Ukraine said it shot down 38 drones.", *rows[3][3:])
    assert load_provenance(warehouse, [rows[1], rows[3]]) == {"articles": 2, "citations": 0, "wire_marks": 0}
    assert load_provenance(warehouse, []) == {"articles": 0, "citations": 0, "wire_marks": 0}
    with warehouse.cursor() as cur:
        cur.execute("SELECT count(*) FROM newsflow.article_wire_marks")
        assert cur.fetchone()[0] == 1
        cur.execute("SELECT count(*) FROM newsflow.article_citations WHERE article_id = %s", (ids[3],))
        assert cur.fetchone()[0] == 0
        cur.execute("DELETE FROM newsflow.articles WHERE article_id = %s", (ids[2],))
        cur.execute("SELECT count(*) FROM newsflow.article_citations WHERE article_id = %s", (ids[2],))
        assert cur.fetchone()[0] == 0
    warehouse.rollback()


def test_analyst_role_reads_the_views(warehouse):
    with warehouse.cursor() as cur:
        for view in ("story_provenance", "citations", "outlet_citation_graph"):
            cur.execute("SELECT has_table_privilege('newsflow_analyst', %s, 'SELECT')", (f"newsflow.{view}",))
            assert cur.fetchone()[0], view
        cur.execute("SELECT has_table_privilege('newsflow_analyst', 'newsflow.article_citations', 'SELECT')")
        assert not cur.fetchone()[0]
