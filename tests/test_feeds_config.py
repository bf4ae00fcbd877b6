"""Tests for newsflow.feeds_config: good files load, every bad file names its line."""

from pathlib import Path

import pytest
import yaml

from newsflow.feeds_config import FeedsConfigError, load_feeds, parse_feeds_text
from newsflow.models import Politeness

REPO = Path(__file__).resolve().parents[1]
CASES = yaml.safe_load((Path(__file__).parent / "fixtures" / "feeds_config" / "cases.yaml").read_text())


def test_bundled_feeds_file_is_valid():
    config = load_feeds(REPO / "include" / "feeds.yaml")
    assert len(config.feeds) >= 18
    assert len({f.language for f in config.feeds}) >= 5, "the default list covers several languages"
    assert all(f.url.startswith("https://") for f in config.feeds)


def test_full_shape_with_overrides():
    config = parse_feeds_text(
        """
feeds:
  - url: https://example.org/rss.xml
    outlet: Example News
    language: EN
    tags: [world, politics]
  - url: https://example.net/atom
    outlet: Other
    min_delay_s: 5
    tier: fast
politeness:
  min_delay_s: 0
  max_concurrency_per_host: 4
"""
    )
    first, second = config.feeds
    assert first.language == "en" and first.tags == ("world", "politics") and first.line == 3
    assert config.politeness_for(first) == Politeness(0.0, 4)
    assert config.politeness_for(second) == Politeness(5.0, 4), "per-feed keys override the global block"
    assert second.tier == "fast"


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_bad_files_name_the_line(case):
    with pytest.raises(FeedsConfigError) as err:
        parse_feeds_text(case["text"], "feeds.yaml")
    assert case["error"] in str(err.value)
    assert str(err.value).startswith("feeds.yaml")


def test_missing_file(tmp_path):
    with pytest.raises(FeedsConfigError, match="no such feeds file"):
        load_feeds(tmp_path / "nope.yaml")


def test_env_overrides_the_global_politeness_not_a_feeds_own():
    text = """
feeds:
  - url: https://a.example/rss
    outlet: A
  - url: https://b.example/rss
    outlet: B
    min_delay_s: 9
politeness:
  min_delay_s: 1
"""
    config = parse_feeds_text(text, env={"NEWSFLOW_MIN_DELAY_S": "4", "NEWSFLOW_MAX_CONCURRENCY_PER_HOST": "1"})
    a, b = config.feeds
    assert config.politeness_for(a) == Politeness(4.0, 1)
    assert config.politeness_for(b) == Politeness(9.0, 1)
    with pytest.raises(FeedsConfigError, match="NEWSFLOW_MIN_DELAY_S"):
        parse_feeds_text(text, env={"NEWSFLOW_MIN_DELAY_S": "soon"})
