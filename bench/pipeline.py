"""Benchmark of the whole daily run: the real news_ingest DAG over generated newsrooms, against the floor.

Run: .venv/bin/python bench/pipeline.py [--sizes 1000,5000,20000] [--mode sizes|parallel|all]
                                        [--runner scheduler|dags-test] [--parallelism N]

Mode `sizes` (default), for each size (articles across feeds: 1,000/50, 5,000/100, 20,000/200):
  1. generates the newsroom with the demo generator (same seed every time) and serves it on loopback from a
     child process, with politeness delays of zero in the feeds file;
  2. creates a fresh warehouse database on the local PostgreSQL server and runs the news_ingest DAG into it:
     `--runner scheduler` (default) the way a deployment runs it, with an api-server, scheduler and
     dag-processor (LocalExecutor, parallelism `--parallelism`, default the number of CPUs; metadata DB on the
     local PostgreSQL), timing the DAG run from its start to its end and sampling the peak RSS of every task
     process; `--runner dags-test`: `airflow dags test news_ingest` (as `newsflow run` does, tasks one after the
     other inside that one process), timing the whole command, peak RSS per task from the process's VmHWM;
  3. reads per-stage wall/CPU seconds from the run row (newsflow.ingest_runs.durations) and per-task times
     from the Airflow metadata DB;
  4. measures the floor in this process over the very pages the run fetched (read back from
     raw_documents): extract_article + signature for every page, find_duplicates + cluster_batch over the
     resulting docs, and one bare COPY of the article rows into an index-less table;
  5. prints per stage wall, CPU, rows, peak RSS, and the ratio end-to-end / floor; drops the database.

Mode `parallel` runs the largest size through a real scheduler (api-server, scheduler, dag-processor;
LocalExecutor, metadata DB on the local PostgreSQL) at parallelism 1 and 2 and prints the speedup.

Numbers are measurements, not assertions: see docs/performance.md for how to read them. Nothing here changes
pipeline code; every database created is dropped at the end (--keep-db keeps the warehouses).
"""

from __future__ import annotations

import argparse
import gzip
import json
import multiprocessing
import os
import re
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psutil
import psycopg2
from psycopg2 import sql

REPO = Path(__file__).resolve().parents[1]
DEFAULT_PG = os.environ.get("NEWSFLOW_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
#: Feeds per size, as the issue fixes them; other sizes get one feed per 100 articles (at least 5).
FEEDS_FOR = {1000: 50, 5000: 100, 20000: 200}
SEED = 8
DAG_ID = "news_ingest"
#: Stages in DAG order; fetch_feeds, fetch_articles and group_stories are timed by record_stage inside the task (run row), all by
#: Airflow (task_instance start/end), and the whole run by this script.
STAGE_ORDER = ("validate_feeds", "fetch_feeds", "plan_pages", "fetch_articles", "group_stories", "data_checks",
               "finish_run")
#: record_stage keys (ingest_runs.durations) -> Airflow task ids.
RUN_ROW_STAGE = {"fetch_feeds": "fetch_feeds", "fetch_articles": "fetch_articles", "group_stories": "group_stories"}
#: Count reported as "rows" per stage (from the stage's own counts in the run row).
ROW_KEYS = {"fetch_feeds": ("entries",), "fetch_articles": ("new", "changed"), "group_stories": ("articles",)}
POLL_S = 0.1
MiB = 1024 * 1024


def log(msg: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {msg}", file=sys.stderr, flush=True)


def feeds_for(n: int) -> int:
    return FEEDS_FOR.get(n, max(5, n // 100))


# --- databases ------------------------------------------------------------------------------------------


def with_db(url: str, name: str) -> str:
    p = urlsplit(url)
    return urlunsplit((p.scheme, p.netloc, "/" + name, p.query, p.fragment))


def admin(pg: str):
    conn = psycopg2.connect(pg)
    conn.autocommit = True
    return conn


def create_db(pg: str, prefix: str) -> tuple[str, str]:
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    conn = admin(pg)
    try:
        with conn.cursor() as cur:
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        conn.close()
    return name, with_db(pg, name)


def drop_db(pg: str, name: str) -> None:
    conn = admin(pg)
    try:
        with conn.cursor() as cur:
            cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    finally:
        conn.close()


# --- the demo site in a child process ------------------------------------------------------------------


def _serve_child(newsroom, pipe) -> None:
    from newsflow.demo import DemoServer

    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    srv = DemoServer(newsroom, host="127.0.0.1", port=0, quiet=True)
    pipe.send(srv.url)
    srv.serve_forever()


class Site:
    """The generated newsroom served by a forked child (its CPU stays out of this process and is measured)."""

    def __init__(self, newsroom) -> None:
        ctx = multiprocessing.get_context("fork")
        parent, child = ctx.Pipe()
        self.proc = ctx.Process(target=_serve_child, args=(newsroom, child), daemon=True, name="bench-demo-site")
        self.proc.start()
        self.url = parent.recv()
        self.ps = psutil.Process(self.proc.pid)

    def cpu_s(self) -> float:
        t = self.ps.cpu_times()
        return t.user + t.system

    def stop(self) -> None:
        if self.proc.is_alive():
            self.proc.terminate()
        self.proc.join(10)


# --- memory of processes ------------------------------------------------------------------------------


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak RSS) of a process in bytes; empty if it is gone."""
    out = {}
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    k, v = line.split(":", 1)
                    out[k] = int(v.split()[0]) * 1024
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return out


def reset_hwm(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


class InProcessTaskMemory:
    """Peak RSS per task of `airflow dags test`, which runs every task inside its own process.

    At each task start (seen in its output) the process's peak RSS so far is booked to the previous task and
    the kernel's high-water mark is reset; a sampler also books VmRSS every POLL_S to the running task.
    """

    START = re.compile(r"\[DAG TEST\] starting task_id=(\S+) map_index=(-?\d+)")

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.current = "airflow start-up"
        self.peak: dict[str, int] = defaultdict(int)
        self.start_rss: dict[str, int] = {}
        self.order: list[str] = [self.current]
        self.tree_peak = 0
        self.hwm_reset_ok = True
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _book(self, label: str, value: int) -> None:
        self.peak[label] = max(self.peak[label], value)

    def _sample(self) -> None:
        while not self._stop.wait(POLL_S):
            with self._lock:
                st = proc_status(self.pid)
                if st:
                    self._book(self.current, max(st["VmRSS"], st["VmHWM"] if self.hwm_reset_ok else 0))
                try:
                    tree = psutil.Process(self.pid)
                    total = tree.memory_info().rss + sum(c.memory_info().rss for c in tree.children(recursive=True))
                    self.tree_peak = max(self.tree_peak, total)
                except psutil.Error:
                    pass

    def line(self, text: str) -> None:
        m = self.START.search(text)
        if not m:
            return
        label = m.group(1) if m.group(2) == "-1" else f"{m.group(1)}[{m.group(2)}]"
        with self._lock:
            st = proc_status(self.pid)
            if st:
                if self.hwm_reset_ok:
                    self._book(self.current, st["VmHWM"])
                    self.hwm_reset_ok = reset_hwm(self.pid)
                self.start_rss[label] = st["VmRSS"]
            self.current = label
            self.order.append(label)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


class TaskProcessMemory:
    """Peak RSS of every process under the Airflow components (LocalExecutor: one process per task).

    Task processes retitle themselves "airflow worker -- <task instance id>"; their VmHWM is exact per process.
    """

    def __init__(self, roots: list[int]) -> None:
        self.roots = roots
        self.by_pid: dict[int, dict] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(POLL_S):
            for root in self.roots:
                try:
                    procs = [psutil.Process(root)] + psutil.Process(root).children(recursive=True)
                except psutil.Error:
                    continue
                for p in procs:
                    st = proc_status(p.pid)
                    if not st:
                        continue
                    rec = self.by_pid.get(p.pid)
                    if rec is None:
                        rec = self.by_pid[p.pid] = {"title": "", "hwm": 0, "root": root}
                    try:
                        title = " ".join(p.cmdline())
                    except psutil.Error:
                        title = ""
                    if title:
                        rec["title"] = title
                    rec["hwm"] = max(rec["hwm"], st["VmHWM"], st["VmRSS"])

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def task_peaks(self) -> dict[str, int]:
        """task instance id -> peak RSS of its task process."""
        out = {}
        for rec in self.by_pid.values():
            m = re.search(r"airflow worker -- ([0-9a-f-]{36})", rec["title"])
            if m:
                out[m.group(1)] = max(out.get(m.group(1), 0), rec["hwm"])
        return out

    def component_peaks(self) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for rec in self.by_pid.values():
            t = rec["title"]
            if "airflow worker -- " in t:
                continue
            m = re.search(r"airflow (api[-_]server|scheduler|dag-processor|supervisor|executor|LocalExecutor)", t)
            key = m.group(1) if m else (t.split(" -- ")[0][:40] or "?")
            out[key] = max(out[key], rec["hwm"])
        return dict(out)


# --- environment --------------------------------------------------------------------------------------


def base_env(home: Path) -> dict[str, str]:
    from newsflow.demo import DEMO_GAZETTEER

    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env.update({
        "NEWSFLOW_HOME": str(home),
        "NEWSFLOW_ALLOWED_NETWORKS": "127.0.0.0/8",
        "NEWSFLOW_GAZETTEER_EXTRA": str(DEMO_GAZETTEER),
    })
    env.pop("NEWSFLOW_ALLOW_PRIVATE_NETWORKS", None)
    return env


def airflow_bin() -> str:
    return str(Path(sys.executable).with_name("airflow"))


def dag_env(home: Path, warehouse_url: str) -> dict[str, str]:
    from newsflow.airflow_env import airflow_env
    from newsflow.settings import Settings

    base = base_env(home)
    settings = Settings.from_env(base, home=str(home), warehouse_url=warehouse_url)
    return airflow_env(settings, warehouse_url, base=base)


# --- one run through `airflow dags test` --------------------------------------------------------------


@dataclass
class DagRunResult:
    run_id: str | None
    status: str
    wall_s: float
    cpu_s: float  # user+sys of the airflow process and its children
    task_mem: dict[str, int]
    task_start_rss: dict[str, int]
    tree_peak: int
    log_path: Path
    hwm_exact: bool


def run_dags_test(env: dict[str, str], feeds_file: Path, log_path: Path) -> DagRunResult:
    from newsflow.runner import ensure_airflow_ready

    with open(log_path, "w", encoding="utf-8") as logf:
        ensure_airflow_ready(env, logf)
    conf = json.dumps({"feeds_file": str(feeds_file)})
    # Line-buffered output: a task's start line must reach the memory tracker when the task starts.
    env = {**env, "PYTHONUNBUFFERED": "1"}
    before = os.times()
    t0 = time.perf_counter()
    proc = subprocess.Popen([airflow_bin(), "dags", "test", DAG_ID, "--conf", conf], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace", bufsize=1)
    mem = InProcessTaskMemory(proc.pid)
    with open(log_path, "a", encoding="utf-8") as logf:
        for line in proc.stdout:
            logf.write(line)
            mem.line(line)
    rc = proc.wait()
    wall = time.perf_counter() - t0
    after = os.times()
    mem.stop()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    text = log_path.read_text(encoding="utf-8", errors="replace")
    m = re.findall(r"run_id=(manual__[^\s,'\"]+)", text)
    return DagRunResult(m[-1] if m else None, f"exit {rc}", wall, cpu, dict(mem.peak), mem.start_rss,
                        mem.tree_peak, log_path, mem.hwm_reset_ok)


def warehouse_run(url: str) -> dict:
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute("""SELECT run_id, status, extract(epoch FROM finished_at - started_at), durations,
                                  feeds_total, feeds_ok, entries_seen, pages_fetched, pages_failed, articles_new,
                                  duplicates_new, stories_new, warnings
                           FROM newsflow.ingest_runs ORDER BY started_at DESC LIMIT 1""")
            row = cur.fetchone()
    finally:
        conn.close()
    if row is None:
        return {}
    keys = ("run_id", "status", "span_s", "durations", "feeds_total", "feeds_ok", "entries_seen", "pages_fetched",
            "pages_failed", "articles_new", "duplicates_new", "stories_new", "warnings")
    out = dict(zip(keys, row))
    out["span_s"] = float(out["span_s"] or 0)
    return out


def airflow_tis_sqlite(db_path: Path, run_id: str) -> list[dict]:
    conn = sqlite3.connect(str(db_path))
    try:
        rows = conn.execute(
            "SELECT id, task_id, map_index, state, start_date, end_date, duration FROM task_instance "
            "WHERE dag_id = ? AND run_id = ?", (DAG_ID, run_id)).fetchall()
    finally:
        conn.close()
    return [dict(zip(("id", "task_id", "map_index", "state", "start", "end", "duration"), r)) for r in rows]


# --- per-stage table -------------------------------------------------------------------------------------


def stage_table(durations: dict, tis: list[dict], task_mem: dict[str, int]) -> list[dict]:
    """One row per DAG task (mapped tasks summed): tasks, Airflow wall, stage wall/CPU (run row), rows, peak RSS."""
    st: dict[str, dict] = {s: {"stage": s, "tasks": 0, "af_wall": 0.0, "wall": None, "cpu": None, "rows": None,
                               "rss": 0} for s in STAGE_ORDER}
    for ti in tis:
        s = st.setdefault(ti["task_id"], {"stage": ti["task_id"], "tasks": 0, "af_wall": 0.0, "wall": None,
                                          "cpu": None, "rows": None, "rss": 0})
        s["tasks"] += 1
        s["af_wall"] += float(ti["duration"] or 0)
    for key, entry in (durations or {}).items():
        name = key.split("[")[0]
        task = RUN_ROW_STAGE.get(name, name)
        s = st.setdefault(task, {"stage": task, "tasks": 0, "af_wall": 0.0, "wall": None, "cpu": None, "rows": None,
                                 "rss": 0})
        s["wall"] = (s["wall"] or 0) + float(entry.get("wall_s", 0))
        s["cpu"] = (s["cpu"] or 0) + float(entry.get("cpu_s", 0))
        s["rows"] = (s["rows"] or 0) + sum(int(entry.get(k, 0) or 0) for k in ROW_KEYS.get(name, ()))
    for label, peak in task_mem.items():
        task = label.split("[")[0]
        if task in st:
            st[task]["rss"] = max(st[task]["rss"], peak)
    return [st[s] for s in st]


def fmt(v, spec: str = ".1f", none: str = "-") -> str:
    return none if v is None else format(v, spec)


def print_stage_table(rows: list[dict]) -> None:
    print(f"  {'stage':<17} {'tasks':>5} {'airflow wall s':>14} {'stage wall s':>12} {'stage cpu s':>11} "
          f"{'rows':>7} {'peak RSS MiB':>12}")
    for r in rows:
        print(f"  {r['stage']:<17} {r['tasks']:>5} {r['af_wall']:>14.1f} {fmt(r['wall']):>12} {fmt(r['cpu']):>11} "
              f"{fmt(r['rows'], 'd'):>7} {fmt(r['rss'] / MiB if r['rss'] else None, '.0f'):>12}")


# --- the floor ------------------------------------------------------------------------------------------

FLOOR_PAGES_SQL = """
SELECT q.url_key, q.link, q.feed_id, q.entry_key, q.entry_hash, q.fetch_status, q.final_url, q.raw_sha256,
       e.title, e.published_at, e.authors, e.summary, f.language, o.outlet_id,
       f.min_delay_s, f.max_concurrency, o.name, r.body_gz
FROM newsflow.article_queue q
JOIN newsflow.feed_entries e ON e.feed_id = q.feed_id AND e.entry_key = q.entry_key
JOIN newsflow.feeds f ON f.feed_id = q.feed_id
JOIN newsflow.outlets o ON o.outlet_id = f.outlet_id
JOIN newsflow.raw_documents r ON r.sha256 = q.raw_sha256
WHERE q.run_id = %s AND q.fetch_status = 'ok'
ORDER BY q.url_key
"""


def measure_floor(url: str, run_id: str) -> dict:
    """Extraction, dedup, clustering and a bare COPY of the run's pages, directly, in this process."""
    from newsflow.dedup import find_duplicates
    from newsflow.extract import extract_article
    from newsflow.extract.article import warm_up
    from newsflow.models import Doc, EntryHints
    from newsflow.pipeline.articles import (
        ARTICLE_COLUMNS,
        EXTRACT_DEADLINE_S,
        article_row,
    )
    from newsflow.pipeline.pages import QueueItem
    from newsflow.pipeline.runs import versions
    from newsflow.stories import cluster_batch
    from newsflow.warehouse.db import copy_rows

    out = {"pages": 0}
    clock = lambda: (time.perf_counter(), time.process_time())
    t = {}

    w0, c0 = clock()
    warm_up()
    w1, c1 = clock()
    t["warm_up"] = (w1 - w0, c1 - c0)

    conn = psycopg2.connect(url)
    now = datetime.now(UTC)
    extractor_version = versions()["extractor"]
    rows, docs = [], []
    ext_w = ext_c = 0.0
    read_w0 = time.perf_counter()
    with conn.cursor(name="floor_pages") as cur:
        cur.itersize = 200
        cur.execute(FLOOR_PAGES_SQL, (run_id,))
        for rec in cur:
            item = QueueItem(*rec[:16])
            outlet, body = rec[16], gzip.decompress(bytes(rec[17]))
            hints = EntryHints(title=item.title, published_at=item.published_at, authors=list(item.authors or []),
                               language=item.language, summary=item.summary)
            a0, b0 = clock()
            art = extract_article(body, item.final_url or item.link, hints=hints, deadline_s=EXTRACT_DEADLINE_S)
            row = article_row(item, art, run_id=run_id, now=now, extractor_version=extractor_version)
            a1, b1 = clock()
            ext_w += a1 - a0
            ext_c += b1 - b0
            rows.append(row)
            if art.status == "ok":
                docs.append(Doc(article_id=len(rows), url=item.link, canonical_url=row[3] or item.url_key,
                                outlet=outlet, title=art.title or "", text=art.text, published_at=art.published_at,
                                first_seen_at=now, language=art.language, signature=row[22]))
    conn.commit()
    read_total = time.perf_counter() - read_w0
    out["pages"] = len(rows)
    out["docs"] = len(docs)
    t["extract"] = (ext_w, ext_c)
    out["read_pages_s"] = read_total - ext_w  # reading + gunzip, not part of the floor

    w0, c0 = clock()
    links = find_duplicates(docs, [])
    w1, c1 = clock()
    t["dedup"] = (w1 - w0, c1 - c0)
    dup = {lk.article_id for lk in links}
    originals = [d for d in docs if d.article_id not in dup]
    w0, c0 = clock()
    stories = cluster_batch(originals, window_hours=72.0)
    w1, c1 = clock()
    t["cluster"] = (w1 - w0, c1 - c0)
    out["duplicates"] = len(links)
    out["stories"] = len(set(stories.values()))

    with conn.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS public.bench_floor_articles")
        cur.execute(sql.SQL("CREATE TABLE public.bench_floor_articles AS SELECT {} FROM newsflow.articles WITH NO DATA")
                    .format(sql.SQL(", ").join(sql.Identifier(c) for c in ARTICLE_COLUMNS)))
    conn.commit()
    w0, c0 = clock()
    with conn.cursor() as cur:
        copy_rows(cur, "bench_floor_articles", ARTICLE_COLUMNS, rows)
    conn.commit()
    w1, c1 = clock()
    t["copy"] = (w1 - w0, c1 - c0)
    with conn.cursor() as cur:
        cur.execute("DROP TABLE public.bench_floor_articles")
    conn.commit()
    conn.close()
    out["parts"] = {k: {"wall_s": round(v[0], 3), "cpu_s": round(v[1], 3)} for k, v in t.items()}
    out["wall_s"] = sum(v[0] for v in t.values())
    out["cpu_s"] = sum(v[1] for v in t.values())
    return out


# --- mode: sizes ------------------------------------------------------------------------------------------


def bench_size(n: int, args, home_root: Path) -> dict:
    from newsflow.demo import generate, write_feeds_yaml

    n_feeds = feeds_for(n)
    log(f"size {n}: generating {n} articles across {n_feeds} feeds (seed {args.seed})")
    g0 = time.perf_counter()
    newsroom = generate(n, n_feeds, seed=args.seed)
    gen_s = time.perf_counter() - g0
    home = home_root / f"size-{n}"
    home.mkdir(parents=True, exist_ok=True)
    site = Site(newsroom)
    feeds_file = home / "feeds.yaml"
    write_feeds_yaml(newsroom, site.url, feeds_file, min_delay_s=0)
    del newsroom  # the site child has its own copy; this process keeps only what the floor needs
    # The scheduler runner makes its own warehouse (and measures the floor on it before dropping it).
    db_name, url = create_db(args.pg, "nf_bench") if args.runner == "dags-test" else (None, None)
    result: dict = {"size": n, "feeds": n_feeds, "generate_s": round(gen_s, 1), "database": db_name}
    try:
        if args.runner == "scheduler":
            log(f"size {n}: site {site.url}; running {DAG_ID} with a scheduler (parallelism {args.parallelism})")
            site_cpu0, up0 = site.cpu_s(), load_now()
            r = run_with_scheduler(n, args.parallelism, args, home_root, site, feeds_file, label=f"size-{n}",
                                   with_floor=True)
            site_cpu = site.cpu_s() - site_cpu0
            site.stop()
            run, floor = r["run"], r["floor"]
            if not run or not floor:
                raise RuntimeError(f"run {r['run_id']} ended {r['state']} without a run row; see {r['home']}")
            result.update({
                "runner": f"scheduler (LocalExecutor, parallelism {args.parallelism})",
                "load_before": up0, "load_after": r["load_after"], "run_id": run["run_id"], "status": run["status"],
                "e2e_wall_s": r["run_wall_s"], "e2e_cpu_s": r["airflow_cpu_s"], "run_span_s": round(run["span_s"], 2),
                "site_cpu_s": round(site_cpu, 2), "stages": r["stages"], "task_peak_rss": r["task_peak_rss"],
                "peak_rss_any_task": r["peak_rss_any_task"], "hwm_exact": False, "floor": floor,
                "components_peak_rss": r["components_peak_rss"],
            })
        else:
            env = dag_env(home, url)
            env["NEWSFLOW_FEEDS"] = str(feeds_file)  # never the public feeds of include/feeds.yaml
            log(f"size {n}: site {site.url}, warehouse {db_name}; running `airflow dags test {DAG_ID}`")
            site_cpu0 = site.cpu_s()
            up0 = load_now()
            res = run_dags_test(env, feeds_file, home / f"dags-test-{n}.log")
            site_cpu = site.cpu_s() - site_cpu0
            site.stop()
            run = warehouse_run(url)
            if not run:
                raise RuntimeError(f"no run row; see {res.log_path}")
            tis = airflow_tis_sqlite(Path(env["AIRFLOW_HOME"]) / "airflow.db", run["run_id"])
            stages = stage_table(run["durations"], tis, res.task_mem)
            log(f"size {n}: run {run['status']} in {res.wall_s:.1f} s; measuring the floor")
            floor = measure_floor(url, run["run_id"])
            result.update({
                "runner": "airflow dags test", "load_before": up0, "load_after": load_now(),
                "run_id": run["run_id"], "status": run["status"], "e2e_wall_s": round(res.wall_s, 2),
                "e2e_cpu_s": round(res.cpu_s, 2), "run_span_s": round(run["span_s"], 2),
                "site_cpu_s": round(site_cpu, 2), "stages": stages, "task_peak_rss": res.task_mem,
                "task_start_rss": res.task_start_rss, "peak_rss_any_task": max(res.task_mem.values(), default=0),
                "hwm_exact": res.hwm_exact, "floor": floor, "log": str(res.log_path),
            })
        result.update({
            "counts": {k: run[k] for k in ("feeds_total", "feeds_ok", "entries_seen", "pages_fetched", "pages_failed",
                                           "articles_new", "duplicates_new", "stories_new")},
            "warnings": run["warnings"], "durations": run["durations"],
            "ratio": round(result["e2e_wall_s"] / floor["wall_s"], 2) if floor["wall_s"] else None,
            "cpu_ratio": round((result["e2e_cpu_s"] + site_cpu) / floor["cpu_s"], 2) if floor["cpu_s"] else None,
        })
        print_size(result)
        return result
    finally:
        site.stop()
        if db_name and not args.keep_db:
            drop_db(args.pg, db_name)


def load_now() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def print_size(r: dict) -> None:
    f = r["floor"]
    c = r["counts"]
    print(f"\n=== {r['size']} articles, {r['feeds']} feeds: run {r['status']} ({r['run_id']}) ===")
    print(f"  end-to-end ({r['runner']}): wall {r['e2e_wall_s']:.1f} s, CPU {r['e2e_cpu_s']:.1f} s; "
          f"run row span {r['run_span_s']:.1f} s; demo site CPU {r['site_cpu_s']:.1f} s; "
          f"load {r['load_before']} -> {r['load_after']}")
    print(f"  rows: feeds {c['feeds_ok']}/{c['feeds_total']}, entries {c['entries_seen']}, pages {c['pages_fetched']} "
          f"(failed {c['pages_failed']}), articles {c['articles_new']}, copies {c['duplicates_new']}, "
          f"stories {c['stories_new']}")
    print_stage_table(r["stages"])
    parts = ", ".join(f"{k} {v['wall_s']:.1f}/{v['cpu_s']:.1f}" for k, v in f["parts"].items())
    print(f"  floor (one process, wall/CPU s): {parts}; total {f['wall_s']:.1f} s wall, {f['cpu_s']:.1f} s CPU "
          f"over {f['pages']} pages, {f['docs']} docs ({f['duplicates']} copies, {f['stories']} stories)")
    print(f"  ratio end-to-end / floor: {r['ratio']:.2f} wall, {r['cpu_ratio']:.2f} CPU (Airflow + demo site CPU / floor CPU)"
          f"   time per article: "
          f"{1000 * r['e2e_wall_s'] / r['size']:.1f} ms e2e, {1000 * f['wall_s'] / r['size']:.1f} ms floor")
    if r["runner"] == "airflow dags test":
        print(f"  peak RSS of any task: {r['peak_rss_any_task'] / MiB:.0f} MiB "
              f"({'per-task VmHWM' if r['hwm_exact'] else 'sampled VmRSS'}; all tasks share the dags-test process)")
    else:
        comps = ", ".join(f"{k} {v / MiB:.0f}" for k, v in sorted(r["components_peak_rss"].items()))
        print(f"  peak RSS of any task process: {r['peak_rss_any_task'] / MiB:.0f} MiB (sampled); "
              f"Airflow components (MiB): {comps}")


def print_summary(results: list[dict]) -> None:
    if not results:
        return
    print(f"\n=== summary ({results[0]['runner']}) ===")
    print(f"  {'articles':>8} {'feeds':>5} {'e2e wall s':>10} {'floor s':>8} {'ratio':>6} {'ms/article':>10} "
          f"{'peak RSS MiB':>12}")
    for r in results:
        print(f"  {r['size']:>8} {r['feeds']:>5} {r['e2e_wall_s']:>10.1f} {r['floor']['wall_s']:>8.1f} "
              f"{r['ratio']:>6.2f} {1000 * r['e2e_wall_s'] / r['size']:>10.1f} {r['peak_rss_any_task'] / MiB:>12.0f}")
    small, large = results[0], results[-1]
    if large is not small:
        scale = (large["e2e_wall_s"] / large["size"]) / (small["e2e_wall_s"] / small["size"])
        print(f"  time per article at {large['size']} / at {small['size']}: {scale:.2f} (target <= 1.2)")
    print(f"  ratio at {large['size']}: {large['ratio']:.2f} (target <= 1.5); peak RSS of any task "
          f"{max(r['peak_rss_any_task'] for r in results) / MiB:.0f} MiB (target <= 1024)")


# --- mode: parallel -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_with_scheduler(n: int, parallelism: int, args, home_root: Path, site: Site, feeds_file: Path, *,
                       label: str | None = None, with_floor: bool | None = None) -> dict:
    """One triggered run of the DAG through a fresh api-server, scheduler and dag-processor (LocalExecutor),
    then (with_floor, default --parallel-floor) the floor over the pages it fetched."""
    from newsflow.airflow_env import POOLS

    home = home_root / (label or f"parallel-{parallelism}")
    home.mkdir(parents=True, exist_ok=True)
    wh_name, wh_url = create_db(args.pg, "nf_bench")
    af_name, af_url = create_db(args.pg, "nf_bench_airflow")
    procs: list[subprocess.Popen] = []
    logs = []
    try:
        env = dag_env(home, wh_url)
        port = free_port()
        p = urlsplit(af_url)
        env.update({
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": urlunsplit(("postgresql+psycopg2", p.netloc, p.path, "", "")),
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__PARALLELISM": str(parallelism),
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(port),
            "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}",
            "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_hex(32),
            "AIRFLOW__API__SECRET_KEY": secrets.token_hex(16),
            "AIRFLOW__CORE__FERNET_KEY": "",
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "30",
            "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
            # Only the triggered run: unpausing an @daily DAG would also start today's scheduled run.
            "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
            # Belt and braces: any run without conf reads the bench's loopback feeds, never include/feeds.yaml.
            "NEWSFLOW_FEEDS": str(feeds_file),
            "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "airflow-logs"),
        })
        log(f"parallel {parallelism}: migrating metadata DB {af_name}")
        mlog = open(home / "setup.log", "w", encoding="utf-8")  # noqa: SIM115 (closed in finally)
        logs.append(mlog)
        cmds = [[airflow_bin(), "db", "migrate"]]
        slots = max(16, POOLS["newsflow_fetch"][0])
        cmds.append([airflow_bin(), "pools", "set", "newsflow_fetch", str(slots), "newsflow bench: fetch tasks"])
        for cmd in cmds:
            rc = subprocess.run(cmd, env=env, stdout=mlog, stderr=subprocess.STDOUT, timeout=1800, check=False).returncode
            if rc:
                raise RuntimeError(f"{' '.join(cmd[1:])} failed; see {mlog.name}")
        for comp in (["api-server", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
                     ["scheduler"], ["dag-processor"]):
            lf = open(home / f"{comp[0]}.log", "w", encoding="utf-8")  # noqa: SIM115 (closed in finally)
            logs.append(lf)
            procs.append(subprocess.Popen([airflow_bin(), *comp], env=env, stdout=lf, stderr=subprocess.STDOUT,
                                          start_new_session=True))
        mem = TaskProcessMemory([pr.pid for pr in procs])
        log(f"parallel {parallelism}: waiting for api-server on :{port} and the DAG to be parsed")
        meta = psycopg2.connect(af_url)
        meta.autocommit = True
        deadline = time.monotonic() + 600
        while True:
            with meta.cursor() as cur:
                cur.execute("SELECT count(*) FROM dag WHERE dag_id = %s", (DAG_ID,))
                parsed = cur.fetchone()[0] > 0
            if parsed and _port_open(port):
                break
            if any(pr.poll() is not None for pr in procs):
                raise RuntimeError(f"an Airflow component exited early; see logs in {home}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"DAG not parsed / api-server not up after 600 s; see {home}")
            time.sleep(1)
        run_id = f"bench_p{parallelism}_{uuid.uuid4().hex[:6]}"
        for cmd in ([airflow_bin(), "dags", "unpause", DAG_ID],
                    [airflow_bin(), "dags", "trigger", DAG_ID, "--run-id", run_id,
                     "--conf", json.dumps({"feeds_file": str(feeds_file)})]):
            rc = subprocess.run(cmd, env=env, stdout=mlog, stderr=subprocess.STDOUT, timeout=600, check=False).returncode
            if rc:
                raise RuntimeError(f"{' '.join(cmd[1:])} failed; see {mlog.name}")
        log(f"parallel {parallelism}: triggered {run_id}; waiting")
        cpu0 = _tree_cpu(procs)
        state, t_trig = None, time.perf_counter()
        while True:
            with meta.cursor() as cur:
                cur.execute("SELECT state, extract(epoch FROM start_date), extract(epoch FROM end_date) "
                            "FROM dag_run WHERE dag_id = %s AND run_id = %s", (DAG_ID, run_id))
                row = cur.fetchone()
            if row and row[0] in ("success", "failed"):
                state, start_e, end_e = row
                break
            if any(pr.poll() is not None for pr in procs):
                raise RuntimeError(f"an Airflow component exited during the run; see logs in {home}")
            if time.perf_counter() - t_trig > args.timeout:
                raise TimeoutError(f"run {run_id} not finished after {args.timeout} s")
            time.sleep(1)
        poll_wall = time.perf_counter() - t_trig
        cpu = _tree_cpu(procs) - cpu0
        with meta.cursor() as cur:
            cur.execute("SELECT id::text, task_id, map_index, state, start_date, end_date, duration FROM task_instance"
                        " WHERE dag_id = %s AND run_id = %s", (DAG_ID, run_id))
            tis = [dict(zip(("id", "task_id", "map_index", "state", "start", "end", "duration"), r))
                   for r in cur.fetchall()]
        meta.close()
        time.sleep(POLL_S * 3)
        mem.stop()
        peaks = mem.task_peaks()
        task_mem = {}
        for ti in tis:
            label = ti["task_id"] if ti["map_index"] == -1 else f"{ti['task_id']}[{ti['map_index']}]"
            if ti["id"] in peaks:
                task_mem[label] = peaks[ti["id"]]
        run = warehouse_run(wh_url)
        stages = stage_table(run.get("durations") or {}, tis, task_mem)
        n_tis = len(tis)
        floor = None
        if (args.parallel_floor if with_floor is None else with_floor) and run.get("run_id"):
            # Same pages, same process as --mode sizes: the end-to-end of a real scheduler against its own floor.
            log(f"parallel {parallelism}: measuring the floor")
            floor = measure_floor(wh_url, run["run_id"])
        return {"parallelism": parallelism, "run_id": run_id, "state": state, "floor": floor, "run": run,
                "run_wall_s": round(float(end_e - start_e), 2),
                "trigger_to_done_s": round(poll_wall, 2), "airflow_cpu_s": round(cpu, 2), "tasks": n_tis,
                "stages": stages, "task_peak_rss": task_mem, "peak_rss_any_task": max(task_mem.values(), default=0),
                "components_peak_rss": mem.component_peaks(), "warehouse_status": run.get("status"),
                "articles_new": run.get("articles_new"), "load_after": load_now(), "home": str(home)}
    finally:
        for pr in procs:
            _stop_group(pr)
        for lf in logs:
            lf.close()
        drop_db(args.pg, af_name)
        if not args.keep_db:
            drop_db(args.pg, wh_name)


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _tree_cpu(procs: list[subprocess.Popen]) -> float:
    total = 0.0
    for pr in procs:
        try:
            p = psutil.Process(pr.pid)
            for q in [p] + p.children(recursive=True):
                try:
                    t = q.cpu_times()
                    total += t.user + t.system + t.children_user + t.children_system
                except psutil.Error:
                    pass
        except psutil.Error:
            pass
    return total


def _stop_group(pr: subprocess.Popen) -> None:
    """Stop one Airflow component and everything it started (its own session/process group)."""
    if pr.poll() is not None:
        return
    try:
        os.killpg(pr.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        pr.wait(30)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(pr.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        pr.wait(10)


def bench_parallel(n: int, args, home_root: Path) -> dict:
    from newsflow.demo import generate, write_feeds_yaml

    n_feeds = feeds_for(n)
    newsroom = generate(n, n_feeds, seed=args.seed)
    results = []
    for par in args.parallelisms:
        site = Site(newsroom)  # a fresh site per run: same pages, nothing cached from the previous run
        try:
            feeds_file = home_root / f"parallel-{par}" / "feeds.yaml"
            write_feeds_yaml(newsroom, site.url, feeds_file, min_delay_s=0)
            log(f"parallel {par}: {n} articles across {n_feeds} feeds; site {site.url}")
            c0 = site.cpu_s()
            r = run_with_scheduler(n, par, args, home_root, site, feeds_file)
            r["site_cpu_s"] = round(site.cpu_s() - c0, 2)
        finally:
            site.stop()
        results.append(r)
        print_parallel(n, r)
    out = {"size": n, "feeds": n_feeds, "runs": results}
    by = {r["parallelism"]: r for r in results}
    if 1 in by and 2 in by:
        out["speedup"] = round(by[1]["run_wall_s"] / by[2]["run_wall_s"], 2)
        print(f"\n  speedup parallelism 2 vs 1 at {n} articles: {out['speedup']:.2f} "
              f"({by[1]['run_wall_s']:.1f} s -> {by[2]['run_wall_s']:.1f} s; target >= 1.6)")
    return out


def print_parallel(n: int, r: dict) -> None:
    print(f"\n=== LocalExecutor, parallelism {r['parallelism']}, {n} articles: {r['state']} ({r['run_id']}) ===")
    print(f"  dag run wall {r['run_wall_s']:.1f} s (trigger to done {r['trigger_to_done_s']:.1f} s), "
          f"Airflow CPU {r['airflow_cpu_s']:.1f} s, demo site CPU {r.get('site_cpu_s', 0):.1f} s, "
          f"{r['tasks']} task instances, load after {r['load_after']}")
    print_stage_table(r["stages"])
    if r.get("floor"):
        f = r["floor"]
        parts = ", ".join(f"{k} {v['wall_s']:.1f}/{v['cpu_s']:.1f}" for k, v in f["parts"].items())
        print(f"  floor (one process, wall/CPU s): {parts}; total {f['wall_s']:.1f} s wall, {f['cpu_s']:.1f} s CPU")
        print(f"  ratio dag run wall / floor: {r['run_wall_s'] / f['wall_s']:.2f} wall, "
              f"{r['run_wall_s'] / f['cpu_s']:.2f} against the floor's CPU")
    comps = ", ".join(f"{k} {v / MiB:.0f}" for k, v in sorted(r["components_peak_rss"].items()))
    print(f"  peak RSS of any task process: {r['peak_rss_any_task'] / MiB:.0f} MiB; components (MiB): {comps}")


# --- main ---------------------------------------------------------------------------------------------


def code_state() -> str:
    """The commit measured and the files that differ from it (read-only git; no index refresh)."""
    def git(*a: str) -> str:
        try:
            return subprocess.run(["git", "--no-optional-locks", "-C", str(REPO), *a], capture_output=True,
                                  text=True, timeout=30, check=False).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""
    head = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("diff", "--name-only", "HEAD", "--", "include", "dags").split()
    return head + (f" + uncommitted changes in {len(dirty)} files ({', '.join(dirty[:6])}"
                   f"{', ...' if len(dirty) > 6 else ''})" if dirty else "")


def machine() -> dict:
    return {"date": datetime.now(UTC).isoformat(timespec="seconds"), "nproc": os.cpu_count(),
            "ram_gib": round(psutil.virtual_memory().total / 1024**3, 1), "load": load_now(),
            "python": sys.version.split()[0], "code": code_state()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,5000,20000", help="articles per newsroom, comma-separated")
    ap.add_argument("--mode", choices=("sizes", "parallel", "all"), default="sizes")
    ap.add_argument("--runner", choices=("scheduler", "dags-test"), default="scheduler",
                    help="--mode sizes: a real scheduler (default) or `airflow dags test` (one task at a time)")
    ap.add_argument("--parallelism", type=int, default=os.cpu_count() or 2,
                    help="--mode sizes with the scheduler: LocalExecutor parallelism (default: CPUs)")
    ap.add_argument("--parallel-size", type=int, help="articles for --mode parallel (default: the largest size)")
    ap.add_argument("--parallelisms", default="1,2")
    ap.add_argument("--no-parallel-floor", dest="parallel_floor", action="store_false",
                    help="--mode parallel: skip the floor measured after each run (~the extraction time again)")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--pg", default=DEFAULT_PG, help="PostgreSQL server URL where databases are created")
    ap.add_argument("--work-dir", help="where homes and logs go (default: a new temp dir, kept)")
    ap.add_argument("--keep-db", action="store_true", help="keep the warehouse databases")
    ap.add_argument("--timeout", type=float, default=4 * 3600, help="seconds per scheduler run")
    ap.add_argument("--json", help="also write all results as JSON to this file")
    args = ap.parse_args(argv)
    args.parallelisms = [int(x) for x in args.parallelisms.split(",") if x]
    sizes = [int(s) for s in args.sizes.split(",") if s]
    work = Path(args.work_dir) if args.work_dir else Path(tempfile.mkdtemp(prefix="nf-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    info = machine()
    batch = {k: os.environ.get(k, "") or "default"
             for k in ("NEWSFLOW_ARTICLE_BATCH_SIZE", "NEWSFLOW_FEED_BATCH_SIZE", "NEWSFLOW_FETCH_WORKERS")}
    print(f"newsflow pipeline benchmark: {info['date']}, {info['nproc']} CPUs, {info['ram_gib']} GiB RAM, "
          f"load {info['load']}; settings {batch}; work dir {work}")
    print(f"code: {info['code']}")
    out: dict = {"machine": info, "settings": batch, "sizes": [], "parallel": None}
    try:
        if args.mode in ("sizes", "all"):
            for n in sizes:
                out["sizes"].append(bench_size(n, args, work))
            print_summary(out["sizes"])
        if args.mode in ("parallel", "all"):
            out["parallel"] = bench_parallel(args.parallel_size or max(sizes), args, work)
    finally:
        if args.json:
            Path(args.json).write_text(json.dumps(out, indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
