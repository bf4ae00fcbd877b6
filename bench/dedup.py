"""Duplicate-detection benchmark: generated wire copies with edits among real ECB+ reports of the same events.
Run: .venv/bin/python bench/dedup.py [--seed N] [--runs N]  (pairwise precision/recall of duplicate links, docs/s)"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
import time
from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path

from newsflow.dedup import _shingle_hashes, find_duplicates, text_signature
from newsflow.models import Doc, DuplicateLink
from newsflow.textfeatures import normalize_text

SHARED = Path(__file__).resolve().parents[2] / "shared"
ECB = SHARED / "data" / "story-clusters" / "ecbplus_dev.jsonl.gz"
START = datetime(2026, 1, 1, tzinfo=timezone.utc)
#: Real ECB+ docs that already share this containment of 4-shingles with another are themselves
#: wire copies (ECB+ was collected from Google News): they are left out of the original pool,
#: so that the gold set has no unlabeled copies. Looser than the detector (0.7) on purpose.
REAL_COPY_CONTAINMENT = 0.5
#: Share of pool docs that get copies, and the copies per such doc.
COPY_RATE = 0.5
MAX_COPIES = 3

BYLINES = ["By {n}, Associated Press", "By {n} | Reuters", "{n}, AFP", "By {n}\nStaff Writer", "Posted by {n}"]
NAMES = ["Jane Doe", "Ahmed Saleh", "Maria Lopez", "Tom Becker", "Yuki Tanaka", "Sam O'Neil"]
DATELINES = ["WASHINGTON (AP) — ", "LONDON (Reuters) - ", "PARIS, France -- ", "(CNN) ", "NEW YORK: "]
FOOTERS = [
    "Copyright 2013 The Associated Press. All rights reserved. This material may not be published, broadcast, rewritten or redistributed.",
    "Reporting by staff; Editing by the desk.",
    "Follow us on Twitter and Facebook for the latest updates.",
    "Read more: the full story is available on our website.",
]
HEADLINE_WORDS = ["Update:", "Breaking:", "Report:", "Watch:", "Latest:"]


def load_ecb_rows() -> list[dict]:
    with gzip.open(ECB, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _pool(rows: list[dict], min_words: int = 60) -> list[dict]:
    """Rows usable as independent originals: enough text, and no real copy of another row."""
    rows = [r for r in rows if len(normalize_text(r["text"]).split()) >= min_words]
    sh = [set(_shingle_hashes(normalize_text(r["text"])).tolist()) for r in rows]
    post: dict[int, list[int]] = defaultdict(list)
    for i, s in enumerate(sh):
        for h in s:
            post[h].append(i)
    drop = set()
    for i, s in enumerate(sh):
        if i in drop:
            continue
        shared = Counter(j for h in s for j in post[h] if j > i)
        for j, c in shared.items():
            if c / min(len(s), len(sh[j])) >= REAL_COPY_CONTAINMENT:
                drop.add(j)
    return [r for i, r in enumerate(rows) if i not in drop]


def _edit(text: str, title: str, rnd: random.Random) -> tuple[str, str]:
    """A syndicated copy: 2-4 of byline, dateline, new headline, trimmed tail, dropped paragraph,
    a few replaced words, footer, re-flowed paragraphs."""
    lines = [ln for ln in text.split("\n") if ln.strip()]
    edits = rnd.sample(["byline", "dateline", "headline", "trim", "drop", "words", "footer", "reflow"], rnd.randint(2, 4))
    if "trim" in edits and len(lines) > 4:
        keep = max(3, int(len(lines) * rnd.uniform(0.5, 0.9)))
        lines = lines[:keep]
    if "drop" in edits and len(lines) > 5:
        del lines[rnd.randrange(1, len(lines) - 1)]
    if "words" in edits:
        out = []
        for ln in lines:
            ws = ln.split(" ")
            for _ in range(max(0, len(ws) // 25)):
                ws[rnd.randrange(len(ws))] = rnd.choice(["reportedly", "also", "then", "local", "officials"])
            out.append(" ".join(ws))
        lines = out
    if "dateline" in edits and lines:
        lines[0] = rnd.choice(DATELINES) + lines[0]
    if "byline" in edits:
        lines.insert(0, rnd.choice(BYLINES).format(n=rnd.choice(NAMES)))
    if "footer" in edits:
        lines.append(rnd.choice(FOOTERS))
    if "reflow" in edits and len(lines) > 3:
        lines = [" ".join(lines[i : i + 2]) for i in range(0, len(lines), 2)]
    if "headline" in edits or not title:
        title = f"{rnd.choice(HEADLINE_WORDS)} {' '.join((lines[-1] if lines else '').split()[:8])}"
    return "\n".join(lines), title


def make_dedup_set(rows: list[dict], seed: int = 0) -> tuple[list[Doc], dict[int, int]]:
    """Docs (real originals + generated copies) and gold: article_id -> id of its original.

    Copies are seen after their original; some are copies of copies (gold still = the first
    original), and some reuse the original's URL with tracking parameters (the URL rule).
    """
    rnd = random.Random(seed)
    pool = _pool(rows)
    rnd.shuffle(pool)
    docs: list[Doc] = []
    gold: dict[int, int] = {}
    t = 0
    for r in pool:
        aid = len(docs) + 1
        url = r.get("url") or f"https://outlet{aid}.example/news/{aid}"
        docs.append(Doc(aid, url, url, r.get("source") or f"outlet{aid}", r.get("title") or "", r["text"],
                        None, START + timedelta(minutes=t)))
        gold[aid] = aid
        t += 1
        if rnd.random() >= COPY_RATE:
            continue
        parent_text, parent_title = r["text"], r.get("title") or ""
        for _ in range(rnd.randint(1, MAX_COPIES)):
            cid = len(docs) + 1
            text, title = _edit(parent_text, parent_title, rnd)
            if rnd.random() < 0.1:  # same article reached through a tracking link
                curl = url + ("&" if "?" in url else "?") + "utm_source=rss&fbclid=x"
                text = r["text"]
            else:
                curl = f"https://copy{cid}.example/{cid}"
            docs.append(Doc(cid, curl, curl, f"copy{cid}.example", title, text, None, START + timedelta(minutes=t)))
            gold[cid] = aid
            t += 1
            if rnd.random() < 0.3:  # the next copy is made from this copy (a chain)
                parent_text, parent_title = text, title
    return docs, gold


def pairwise(links: list[DuplicateLink], gold: dict[int, int]) -> dict:
    """Pairwise P/R over 'same original' pairs: predicted groups = doc + its link target."""
    pred = {aid: aid for aid in gold}
    pred.update({lk.article_id: lk.duplicate_of for lk in links})

    def pairs(assign: dict[int, int]) -> set[tuple[int, int]]:
        groups: dict[int, list[int]] = defaultdict(list)
        for aid, g in assign.items():
            groups[g].append(aid)
        return {(a, b) for m in groups.values() for i, a in enumerate(sorted(m)) for b in sorted(m)[i + 1 :]}

    gp, pp = pairs(gold), pairs(pred)
    tp = len(gp & pp)
    p = tp / len(pp) if pp else 1.0
    r = tp / len(gp) if gp else 1.0
    roots_ok = sum(1 for lk in links if gold[lk.article_id] == lk.duplicate_of)
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0, "tp": tp,
            "pred_pairs": len(pp), "gold_pairs": len(gp), "links": len(links),
            "links_to_true_root": roots_ok, "kinds": dict(Counter(lk.kind for lk in links))}


def run_incremental(docs: list[Doc], runs: int) -> list[DuplicateLink]:
    """Feed docs in `runs` chronological runs; stored docs carry signature and duplicate_of."""
    size = -(-len(docs) // runs)
    stored: list[Doc] = []
    links: list[DuplicateLink] = []
    for start in range(0, len(docs), size):
        batch = docs[start : start + size]
        got = find_duplicates(batch, stored)
        links.extend(got)
        dup = {lk.article_id: lk.duplicate_of for lk in got}
        for d in batch:
            stored.append(Doc(**{**d.__dict__, "duplicate_of": dup.get(d.article_id), "signature": text_signature(d.text)}))
    return links


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--runs", type=int, default=5, help="incremental runs (existing = earlier runs)")
    a = ap.parse_args(argv)
    docs, gold = make_dedup_set(load_ecb_rows(), a.seed)
    n_copies = sum(1 for k, v in gold.items() if k != v)
    print(f"dedup set: {len(docs)} docs ({len(docs) - n_copies} real ECB+ originals, {n_copies} generated copies), seed {a.seed}")
    t = time.perf_counter()
    links = find_duplicates(docs, [])
    dt = time.perf_counter() - t
    s = pairwise(links, gold)
    print(f"  batch        P={s['precision']:.4f} R={s['recall']:.4f} F1={s['f1']:.4f} links={s['links']} "
          f"to-true-root={s['links_to_true_root']} kinds={s['kinds']} | {len(docs) / dt:.0f} docs/s")
    t = time.perf_counter()
    links = run_incremental(docs, a.runs)
    dt = time.perf_counter() - t
    s = pairwise(links, gold)
    print(f"  {a.runs} runs       P={s['precision']:.4f} R={s['recall']:.4f} F1={s['f1']:.4f} links={s['links']} "
          f"to-true-root={s['links_to_true_root']} | {len(docs) / dt:.0f} docs/s (incl. signatures)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
