"""Every cleaning rule against its own examples, and the cleaning fixtures in four languages.

The fixtures are article pages with debris between paragraphs; `*.expected.json` lists what must stay and go.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import html as lxml_html

from newsflow.extract import extract_article
from newsflow.extract.clean import clean_text, dom_rule_for, matching_rule, prune_dom
from newsflow.extract.cleaning_rules import DOM_RULES, RULES

FIXTURES = Path(__file__).parent / "fixtures" / "extract"
CLEANING_FIXTURES = sorted(FIXTURES.glob("clean_*.html"))


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_rule_removes_its_examples(rule):
    assert rule.removes, "every rule needs at least one example of what it removes"
    for line in rule.removes:
        assert matching_rule(line) is not None, f"{rule.name} should remove: {line!r}"


@pytest.mark.parametrize("rule", [r for r in RULES if r.keeps], ids=lambda r: r.name)
def test_rule_keeps_prose(rule):
    for line in rule.keeps:
        assert matching_rule(line) is None, f"{rule.name}: a rule removed prose {line!r}"


@pytest.mark.parametrize("rule", DOM_RULES, ids=lambda r: r.name)
def test_dom_rule_examples(rule):
    tree = lxml_html.fromstring(f"<html><body>{rule.removes}<p>{'Body text. ' * 60}</p></body></html>")
    assert any(dom_rule_for(node) is not None for node in tree.iter())
    prune_dom(tree)
    assert "Body text." in tree.text_content()
    removed_text = lxml_html.fromstring(rule.removes).text_content().strip()
    if removed_text:
        assert removed_text not in tree.text_content()
    if rule.keeps:
        kept = lxml_html.fromstring(f"<html><body>{rule.keeps}<p>{'Body text. ' * 60}</p></body></html>")
        before = kept.text_content()
        prune_dom(kept)
        assert kept.text_content() == before


def test_dom_rule_never_removes_the_article_wrapper():
    paragraphs = "".join(f"<p>Paragraph {i} of the story, with enough words to count.</p>" for i in range(30))
    tree = lxml_html.fromstring(f'<html><body><div class="related">{paragraphs}</div><p>x</p></body></html>')
    prune_dom(tree)
    assert "Paragraph 29" in tree.text_content()


def _matches_by_full_scan(tree):
    return [(node, rule.name) for node in tree.iter() if (rule := dom_rule_for(node))]


@pytest.mark.parametrize("page", CLEANING_FIXTURES + [None], ids=lambda p: p.stem if p else "tricky-attributes")
def test_dom_candidates_find_what_a_full_scan_finds(page):
    """The attribute-value prefilter of prune_dom selects exactly what checking every element would."""
    from newsflow.extract.clean import _candidates

    if page is None:
        html = (
            "<html><body><div class='Related'>a</div><div class='x  Share\tbar'>b</div><span id='AD'>c</span>"
            "<div id='ad'>d</div><p class=\"it's ad\">e</p><section class='it&apos;s &quot;ad&quot; x'>f</section>"
            "<div class='header thread'>g</div><div class='read-more-link'>h</div><figure><figcaption>i</figcaption></figure>"
            "<aside class='LÉGENDE'>j</aside><ul class='newsletter'><li>k</li></ul><div class=''>l</div></body></html>"
        )
    else:
        html = page.read_text("utf-8")
    tree = lxml_html.fromstring(html)
    expected = _matches_by_full_scan(tree)
    assert [(node, rule.name) for node in _candidates(tree, DOM_RULES) if (rule := dom_rule_for(node))] == expected
    assert expected


def test_tail_rule_only_cuts_the_tail():
    head_prompt = "Comments (3)\n" + "\n".join(f"Paragraph {i} of the article." for i in range(6))
    assert "Paragraph 5" in clean_text(head_prompt)
    tail_prompt = "\n".join(f"Paragraph {i} of the article." for i in range(6)) + "\nComments (3)\nNice piece!\nI disagree."
    cleaned = clean_text(tail_prompt)
    assert cleaned.endswith("Paragraph 5 of the article.")


def test_promo_label_drops_its_list_and_title_line_is_dropped():
    text = "Big headline\nFirst paragraph of the story.\nRelated:\n- Another story\n- A third story\nLast paragraph."
    assert clean_text(text, title="Big headline") == "First paragraph of the story.\nLast paragraph."


def test_head_and_end_rules_only_apply_at_the_edges():
    text = "By Jane Doe\nNovember 20, 2019 - 11:28 AMT\nThe story starts here.\nSOURCE: Reuters\nThe story ends here.\nReporting by Jane Doe; Editing by John Roe"
    assert clean_text(text) == "The story starts here.\nSOURCE: Reuters\nThe story ends here."


@pytest.mark.parametrize("page", CLEANING_FIXTURES, ids=lambda p: p.stem)
def test_cleaning_fixture(page):
    expected = json.loads(page.with_name(page.stem + ".expected.json").read_text("utf-8"))
    article = extract_article(page.read_bytes(), "https://example.org/" + page.stem)
    assert article.status == "ok", article.error
    assert article.language == expected["language"]
    for line in expected["must_contain"]:
        assert line in article.text
    for line in expected["must_not_contain"]:
        assert line not in article.text, f"debris left in: {line!r}"


def test_fixtures_cover_four_languages():
    langs = {json.loads(p.with_name(p.stem + ".expected.json").read_text("utf-8"))["language"] for p in CLEANING_FIXTURES}
    assert {"en", "de", "fr", "es"} <= langs
