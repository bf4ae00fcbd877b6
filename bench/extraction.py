"""Benchmark newsflow's extractor against trafilatura 2.3.1 on the extraction-bench DEV split.

Both run in this process on the same pages; scores come from the official shared scorer.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "extraction-bench"
DEFAULT_SCORER = REPO.parent / "shared" / "scorers" / "extraction_score.py"
#: Pages run untimed through both extractors before measuring.
WARMUP_PAGES = 10


def load_scorer(path: Path):
    """Import the official scorer module from its file (it is not an installed package)."""
    spec = importlib.util.spec_from_file_location("extraction_score", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_pages(data: Path, limit: int | None) -> list[tuple[str, str, bytes]]:
    """(id, url, html bytes) for every page of the split, in id order."""
    truth = json.loads((data / "ground-truth.json").read_text("utf-8"))
    ids = sorted(truth)[:limit] if limit else sorted(truth)
    return [(i, truth[i].get("url") or "", gzip.decompress((data / "html" / f"{i}.html.gz").read_bytes())) for i in ids]


def ours(html: bytes, url: str) -> str:
    from newsflow.extract import extract_article

    return extract_article(html, url).text


def baseline(html: bytes, url: str) -> str:
    """trafilatura with its default settings, as published baselines run it."""
    import trafilatura

    return trafilatura.extract(html, url=url or None) or ""


def run_once(fn, pages) -> tuple[dict[str, str], float, float]:
    """Predictions, wall seconds and process CPU seconds of one pass over the pages."""
    wall, cpu = time.perf_counter(), time.process_time()
    preds = {page_id: fn(html, url) for page_id, url, html in pages}
    return preds, time.perf_counter() - wall, time.process_time() - cpu


def run_both(extractors, pages, rounds: int) -> dict[str, tuple[dict[str, str], float, float]]:
    """Predictions and throughput (wall docs/s, CPU docs/s) of every extractor, best of `rounds`.

    Rounds are interleaved and their order alternates (A B, B A, ...), so load from other
    processes on a shared machine falls on both sides alike; CPU time (this process only) is
    far less sensitive to that load than wall time and is reported next to it.
    """
    best = {name: [None, float("inf"), float("inf")] for name, _ in extractors}
    for round_no in range(rounds):
        order = extractors if round_no % 2 == 0 else extractors[::-1]
        for name, fn in order:
            preds, wall, cpu = run_once(fn, pages)
            entry = best[name]
            entry[0] = preds
            entry[1], entry[2] = min(entry[1], wall), min(entry[2], cpu)
    return {name: (preds, len(pages) / wall, len(pages) / cpu) for name, (preds, wall, cpu) in best.items()}


def load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="split directory (ground-truth.json + html/)")
    parser.add_argument("--scorer", type=Path, default=DEFAULT_SCORER, help="official extraction_score.py")
    parser.add_argument("--limit", type=int, help="only the first N pages (quick checks)")
    parser.add_argument("--rounds", type=int, default=1, help="timing rounds per extractor, interleaved (best is kept)")
    parser.add_argument("--save", type=Path, help="write our predictions as JSON {id: text} here")
    parser.add_argument("--worst", type=int, default=0, help="list the N pages where we lose most against the baseline")
    parser.add_argument("--n-bootstrap", type=int, default=200)
    args = parser.parse_args(argv)

    scorer = load_scorer(args.scorer)
    gold = scorer.load_gold(args.data)
    pages = load_pages(args.data, args.limit)
    gold = {page_id: gold[page_id] for page_id, _, _ in pages}
    # Warm-up, untimed: imports, model loading and trafilatura's one-time jusText stoplist
    # build (several seconds) are not per-page costs, and must not land on either side.
    for page_id, url, html in pages[:WARMUP_PAGES]:
        ours(html, url)
        baseline(html, url)
    try:
        from trafilatura.external import jt_stoplist_init

        jt_stoplist_init()
    except ImportError:  # another trafilatura version: the warm-up pages have to do
        pass

    print(f"load average before: {load_average()} ({os.cpu_count()} CPUs)", flush=True)
    extractors = [("trafilatura-2.3.1", baseline), ("newsflow", ours)]
    runs = run_both(extractors, pages, args.rounds)
    results = {}
    for name, _ in extractors:
        preds, speed, cpu_speed = runs[name]
        metrics = scorer.score(gold, preds, n_bootstrap=args.n_bootstrap)
        results[name] = (preds, metrics, speed, cpu_speed)
        print(f"{scorer.format_row(name, metrics)}  {speed:.1f} docs/s (CPU {cpu_speed:.1f} docs/s)", flush=True)
    print(f"load average after: {load_average()}", flush=True)
    (_, base, base_speed, base_cpu), (our_preds, mine, my_speed, my_cpu) = results["trafilatura-2.3.1"], results["newsflow"]
    print(
        f"ratio newsflow/trafilatura: F1 {mine['f1'] / base['f1']:.4f} (Δ {mine['f1'] - base['f1']:+.4f}), "
        f"P Δ {mine['precision'] - base['precision']:+.4f}, R Δ {mine['recall'] - base['recall']:+.4f}, "
        f"speed {my_speed / base_speed:.2f}x (CPU time {my_cpu / base_cpu:.2f}x)"
    )
    if args.worst:
        base_preds = results["trafilatura-2.3.1"][0]

        def page_f1(pred: str, page_id: str) -> float:
            tp, fp, fn = scorer.page_counts(gold[page_id], pred)
            return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0

        deltas = sorted((page_f1(our_preds[i], i) - page_f1(base_preds[i], i), i) for i in gold)
        for delta, page_id in deltas[: args.worst]:
            print(f"  {delta:+.3f} {page_id} ours {page_f1(our_preds[page_id], page_id):.3f}")
    if args.save:
        args.save.write_text(json.dumps(our_preds, ensure_ascii=False, indent=0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
