"""A story that continues over three daily runs keeps its id; earlier memberships never move."""

from __future__ import annotations

import yaml

from newsflow.demo import demo_newsroom, serve
from newsflow.feeds_config import load_feeds
from newsflow.pipeline.inline import run_inline
from wh import rows

#: Outlets whose feeds each "day" reads: the story grows as more outlets report it.
DAYS = (("meridian-wire", "harbor-ledger"), ("atlas-times", "northwind-daily"), ("lakeside-courier", "kestrel-post"))


def test_story_keeps_its_id_over_three_runs(warehouse_url, warehouse, tmp_path):
    newsroom = demo_newsroom()
    truth = None
    with serve(newsroom, host="127.0.0.1", port=0) as server:
        truth = {a["url"]: a for a in newsroom.ground_truth(server.url)}
        seen: list[str] = []
        memberships = []
        for day, slugs in enumerate(DAYS, start=1):
            seen.extend(slugs)
            feeds = [{"url": server.url + newsroom.outlet(s).feed_path, "outlet": newsroom.outlet(s).name}
                     for s in seen]
            path = tmp_path / f"day{day}.yaml"
            path.write_text(yaml.safe_dump({"feeds": feeds, "politeness": {"min_delay_s": 0}}))
            run_inline(warehouse_url, load_feeds(path), f"day-{day}")
            memberships.append(dict(rows(warehouse, """SELECT a.url, m.story_id FROM newsflow.story_members m
                                                       JOIN newsflow.articles a USING (article_id)""")))
    # Earlier assignments never change.
    for before, after in zip(memberships, memberships[1:]):
        assert {u: after[u] for u in before} == before
    # Each English story that day 1 opened gathers the later reports of the same event under the same id.
    final = memberships[-1]
    for url, story_id in memberships[0].items():
        key = truth[url]["story_key"]
        if not key:
            continue
        later = [u for u, t in truth.items() if t["story_key"] == key and t["language"] == "en" and u in final]
        assert len(later) > 1
        assert {final[u] for u in later} == {story_id}, key
