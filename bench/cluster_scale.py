"""Scaling of `newsflow cluster` on generated news streams: time and peak memory at 10,000 vs 100,000 articles.
Run: .venv/bin/python bench/cluster_scale.py [--sizes 10000,100000] [--daily 10000|0] [--work-dir DIR]

--daily N (default 10,000): the stream is consecutive generated days of N articles each (day d: seed SEED+d,
its own outlets, clock d days later), so 100,000 articles are ten days of the same newsroom volume: a longer
stream, not a denser one. --daily 0: one generated newsroom of the full size (all articles of one day, so
the same window holds more reports of more same-kind events: denser, not only longer)."""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from clustering import load_scorer  # bench/clustering.py, beside this script

#: One outlet per this many articles, as bench/pipeline.py sizes its newsrooms.
ARTICLES_PER_FEED = 100
SEED = 8


def write_generated(n: int, path: Path, daily: int = 0) -> None:
    """n generated articles as story-clusters records (publication order), gold in `story`: one newsroom of n
    articles, or (daily > 0) consecutive days of `daily` articles each."""
    from newsflow.demo import generate

    days = [(0, n)] if daily <= 0 else [(d, min(daily, n - d * daily)) for d in range(-(-n // daily))]
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        for day, count in days:
            room = generate(count, max(50, count // ARTICLES_PER_FEED), SEED + day,
                            now=datetime(2026, 1, 3, tzinfo=UTC) + timedelta(days=day))
            for a in sorted(room.articles, key=lambda a: (a.published, a.path)):
                view = a.at(1)
                rid = f"/d{day}{a.path}"
                fh.write(json.dumps({
                    "id": rid, "title": view.title, "text": "\n".join(p.removeprefix("## ") for p in view.paragraphs),
                    "date": a.published.isoformat(), "source": a.outlet, "url": f"https://demo.example{rid}",
                    "story": f"d{day}:{a.story_key or 'solo:' + a.path}",
                }) + "\n")


def run_cluster(path: Path, out: Path) -> dict:
    """`newsflow cluster` in a child process: wall, CPU (user+sys) and peak RSS of that process."""
    cmd = [sys.executable, "-m", "newsflow.cli", "cluster", str(path)]
    t0 = time.perf_counter()
    with open(out, "w") as fh:
        proc = subprocess.Popen(cmd, stdout=fh)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd)} failed with exit {os.waitstatus_to_exitcode(status)}")
    return {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime, "peak_rss_mib": usage.ru_maxrss / 1024}


def _gold_pred(gold_path: Path, pred_path: Path) -> tuple[dict, dict]:
    with gzip.open(gold_path, "rt", encoding="utf-8") as fh:
        gold = {r["id"]: r["story"] for r in map(json.loads, fh)}
    with open(pred_path, encoding="utf-8") as fh:
        pred = {r["id"]: r["cluster"] for r in map(json.loads, fh)}
    return gold, pred


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--daily", type=int, default=10_000, help="articles per generated day (0: one newsroom)")
    ap.add_argument("--work-dir", type=Path, default=None, help="generated files are kept here (default: a temp dir)")
    args = ap.parse_args(argv)
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="nf-cluster-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"# {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}; "
          f"work dir {work}", flush=True)
    results = {}
    for n in sizes:
        path = work / f"generated-{n}-daily{args.daily}-seed{SEED}.jsonl.gz"
        if not path.exists():
            t = time.perf_counter()
            write_generated(n, path, args.daily)
            print(f"generated {n} articles in {time.perf_counter() - t:.1f} s -> {path}", flush=True)
        r = run_cluster(path, work / f"pred-{n}.jsonl")
        results[n] = r
        print(f"{n:>7} articles: wall {r['wall_s']:8.1f} s  cpu {r['cpu_s']:8.1f} s  "
              f"{n / r['wall_s']:6.0f} docs/s  peak RSS {r['peak_rss_mib']:6.0f} MiB  "
              f"(load {os.getloadavg()[0]:.2f})", flush=True)
        gold = load_scorer().score(*_gold_pred(path, work / f"pred-{n}.jsonl"))
        print(f"{'':>16}B3 P {gold['bcubed_p']:.3f} R {gold['bcubed_r']:.3f} F1 {gold['bcubed_f1']:.3f}  "
              f"pairwise P {gold['pairwise_p']:.3f} R {gold['pairwise_r']:.3f}", flush=True)
    if len(sizes) >= 2:
        a, b = sizes[0], sizes[-1]
        print(f"time {b} / {a}: wall {results[b]['wall_s'] / results[a]['wall_s']:.2f}x, "
              f"cpu {results[b]['cpu_s'] / results[a]['cpu_s']:.2f}x for {b / a:.0f}x the articles "
              f"(target <= 12x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
