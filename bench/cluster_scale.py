"""Scaling of `newsflow cluster` on generated newsrooms: time and peak memory at 10,000 vs 100,000 articles.
Run: .venv/bin/python bench/cluster_scale.py [--sizes 10000,100000] [--work-dir DIR]"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

#: One outlet per this many articles, as bench/pipeline.py sizes its newsrooms.
ARTICLES_PER_FEED = 100
SEED = 8


def write_generated(n: int, path: Path) -> None:
    """The generated newsroom of n articles as story-clusters records (publication order), gold in `story`."""
    from newsflow.demo import generate

    room = generate(n, max(50, n // ARTICLES_PER_FEED), SEED, now=datetime(2026, 1, 3, tzinfo=UTC))
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        for a in sorted(room.articles, key=lambda a: (a.published, a.path)):
            view = a.at(1)
            fh.write(json.dumps({
                "id": a.path, "title": view.title, "text": "\n".join(p.removeprefix("## ") for p in view.paragraphs),
                "date": a.published.isoformat(), "source": a.outlet, "url": f"https://demo.example{a.path}",
                "story": a.story_key or f"solo:{a.path}",
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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--work-dir", type=Path, default=None, help="generated files are kept here (default: a temp dir)")
    args = ap.parse_args(argv)
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="nf-cluster-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"# {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}; "
          f"work dir {work}", flush=True)
    results = {}
    for n in sizes:
        path = work / f"generated-{n}-seed{SEED}.jsonl.gz"
        if not path.exists():
            t = time.perf_counter()
            write_generated(n, path)
            print(f"generated {n} articles in {time.perf_counter() - t:.1f} s -> {path}", flush=True)
        r = run_cluster(path, work / f"pred-{n}.jsonl")
        results[n] = r
        print(f"{n:>7} articles: wall {r['wall_s']:8.1f} s  cpu {r['cpu_s']:8.1f} s  "
              f"{n / r['wall_s']:6.0f} docs/s  peak RSS {r['peak_rss_mib']:6.0f} MiB  "
              f"(load {os.getloadavg()[0]:.2f})", flush=True)
    if len(sizes) >= 2:
        a, b = sizes[0], sizes[-1]
        print(f"time {b} / {a}: wall {results[b]['wall_s'] / results[a]['wall_s']:.2f}x, "
              f"cpu {results[b]['cpu_s'] / results[a]['cpu_s']:.2f}x for {b / a:.0f}x the articles "
              f"(target <= 12x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
