"""Provenance benchmark: citation and wire precision/recall on the labeled fixtures (dev, held-out, all), and speed.
Run: .venv/bin/python bench/provenance.py [--verbose] [--repeat N]  (prints P/R per set and task, docs/s)"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import yaml

from newsflow.provenance import detect_wire, extract_citations, load_gazetteer, original_markers

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "provenance"
HOLDOUT = FIXTURES / "holdout"


def load_fixtures(directory: Path = FIXTURES) -> list[dict]:
    items: list[dict] = []
    for path in sorted(directory.glob("*.yaml")):
        items.extend(yaml.safe_load(path.read_text(encoding="utf-8")))
    return items


def predict(item: dict) -> tuple[set, set]:
    cites = extract_citations(item["text"], own_outlet=item["outlet"], language=item.get("lang"))
    wire = detect_wire(item["text"], authors=item.get("authors") or [], url=item.get("url"),
                       canonical_url=item.get("canonical_url"), site_name=item.get("site_name"),
                       own_outlet=item["outlet"])
    got_c = {(item["id"], c.outlet, c.kind) for c in cites}
    got_w = {(item["id"], wire.agency)} if wire else set()
    return got_c, got_w


def gold(item: dict) -> tuple[set, set]:
    want_c = {(item["id"], o, k) for o, k in item.get("citations") or []}
    want_w = {(item["id"], item["wire"]["agency"])} if item.get("wire") else set()
    return want_c, want_w


def prf(got: set, want: set) -> tuple[float, float, int, int, int]:
    tp = len(got & want)
    p = tp / len(got) if got else 1.0
    r = tp / len(want) if want else 1.0
    return p, r, tp, len(got), len(want)


def score(items: list[dict]) -> dict[str, tuple]:
    got_c, want_c, got_w, want_w = set(), set(), set(), set()
    for item in items:
        gc, gw = predict(item)
        wc, ww = gold(item)
        got_c |= gc
        got_w |= gw
        want_c |= wc
        want_w |= ww
    return {"citations": prf(got_c, want_c), "wire": prf(got_w, want_w),
            "_sets": (got_c, want_c, got_w, want_w)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--verbose", action="store_true", help="print every false positive and false negative")
    ap.add_argument("--repeat", type=int, default=20, help="passes over the fixtures for the speed figure")
    args = ap.parse_args(argv)
    load_gazetteer()  # compile once, outside the timing
    sets = {"dev": load_fixtures(FIXTURES), "held-out": load_fixtures(HOLDOUT)}
    sets["all"] = sets["dev"] + sets["held-out"]
    items = sets["all"]
    print(f"fixtures: {len(items)} articles ({', '.join(sorted({i.get('lang') for i in items}))}) under {FIXTURES}")
    for name, subset in sets.items():
        result = score(subset)
        for task in ("citations", "wire"):
            p, r, tp, ng, nw = result[task]
            print(f"{name:9s} {task:10s} precision {p:.3f}  recall {r:.3f}  (tp {tp}, predicted {ng}, gold {nw})")
        if args.verbose and name != "all":
            got_c, want_c, got_w, want_w = result["_sets"]
            for label, diff in (("FP cite", got_c - want_c), ("FN cite", want_c - got_c),
                                ("FP wire", got_w - want_w), ("FN wire", want_w - got_w)):
                for x in sorted(diff):
                    print("   ", label, x)
    # Speed: the whole per-article analysis (citations, wire, original markers), as the loader runs it.
    chars = sum(len(i["text"]) for i in items)
    t0 = time.perf_counter()
    for _ in range(args.repeat):
        for i in items:
            extract_citations(i["text"], own_outlet=i["outlet"], language=i.get("lang"))
            original_markers(i["text"], own_outlet=i["outlet"], language=i.get("lang"))
            detect_wire(i["text"], authors=i.get("authors") or [], url=i.get("url"),
                        canonical_url=i.get("canonical_url"), site_name=i.get("site_name"), own_outlet=i["outlet"])
    dt = time.perf_counter() - t0
    n = len(items) * args.repeat
    print(f"speed     {n / dt:,.0f} docs/s, {chars * args.repeat / dt / 1e6:.2f} MB/s "
          f"({chars / len(items):,.0f} chars/doc, {n} docs in {dt:.2f}s)")
    # Real articles are longer: the same analysis on article-sized docs (fixture texts glued to ~5,000 chars).
    long_docs, buf = [], []
    for i in items:
        buf.append(i["text"])
        if sum(map(len, buf)) >= 5000:
            long_docs.append("\n".join(buf))
            buf = []
    t0 = time.perf_counter()
    for doc in long_docs * args.repeat:
        extract_citations(doc, own_outlet="Example Daily")
        original_markers(doc, own_outlet="Example Daily")
        detect_wire(doc, authors=[], url="https://example.com/a", canonical_url=None, site_name=None,
                    own_outlet="Example Daily")
    dt = time.perf_counter() - t0
    avg = sum(map(len, long_docs)) / max(len(long_docs), 1)
    mentions = sum(len(load_gazetteer().mention_rx.findall(d)) for d in long_docs) / max(len(long_docs), 1)
    print(f"speed     {len(long_docs) * args.repeat / dt:,.0f} docs/s on {len(long_docs)} article-sized docs "
          f"({avg:,.0f} chars/doc, ~{mentions:.0f} outlet names each, language unknown: all rules tried)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
