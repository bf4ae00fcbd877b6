"""The `newsflow` command: run the DAG, serve the demo newsroom, print stats, export, migrate, extract.

Every command that touches the warehouse takes --warehouse URL (default NEWSFLOW_WAREHOUSE_URL, else embedded).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from datetime import datetime, timezone
from pathlib import Path

from newsflow import __version__
from newsflow.feeds_config import FeedsConfigError, load_feeds
from newsflow.settings import Settings


#: The demo newsroom's port. Article identity is the URL, so re-running the demo on the same port adds nothing.
DEMO_PORT = int(os.environ.get("NEWSFLOW_DEMO_PORT", "8765"))
#: The demo newsroom is frozen at one moment: its pages, URLs and ETags are the same on every machine and day,
#: so a second `make demo` finds every feed unchanged.
DEMO_NOW = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)


def _settings() -> Settings:
    return Settings.from_env()


def _url(args: argparse.Namespace, settings: Settings) -> str:
    from newsflow.warehouse import resolve_warehouse_url

    return resolve_warehouse_url(settings, getattr(args, "warehouse", None))


def _print_summary(url: str) -> None:
    from newsflow.report import counts, format_summary, top_stories
    from newsflow.warehouse import connect

    conn = connect(url)
    try:
        print(format_summary(counts(conn), top_stories(conn, 5)))
    finally:
        conn.close()


def _run(settings: Settings, url: str, feeds_file: str, extra_env: dict[str, str] | None = None) -> int:
    from newsflow.runner import log_tail, run_dag
    from newsflow.warehouse import connect
    from newsflow.warehouse.migrate import migrate

    config = load_feeds(feeds_file)  # fail fast, naming the line, before Airflow starts
    conn = connect(url)
    try:
        migrate(conn)
    finally:
        conn.close()
    print(f"newsflow {__version__}: running DAG news_ingest over {len(config.feeds)} feeds from {feeds_file}",
          flush=True)
    outcome = run_dag(settings, url, feeds_file, extra_env=extra_env)
    print(f"run {outcome.run_id or '-'}: {outcome.status} (Airflow log: {outcome.log_path})")
    if outcome.status != "success":
        print(log_tail(outcome.log_path), file=sys.stderr)
        return 1
    _print_summary(url)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    settings = _settings()
    return _run(settings, _url(args, settings), args.feeds or settings.feeds)


def cmd_demo(args: argparse.Namespace) -> int:
    """Serve the bundled demo newsroom on loopback and run the real DAG over it once."""
    from newsflow.demo import DEMO_GAZETTEER, demo_newsroom, serve, write_feeds_yaml

    settings = _settings()
    url = _url(args, settings)
    newsroom = demo_newsroom(now=DEMO_NOW)
    try:
        server_cm = serve(newsroom, host="127.0.0.1", port=args.port)
    except OSError as exc:
        raise RuntimeError(f"cannot serve the demo newsroom on 127.0.0.1:{args.port} ({exc.strerror}): "
                           "stop what uses that port or pass --port / set NEWSFLOW_DEMO_PORT") from None
    with server_cm as server:
        feeds_file = Path(settings.home) / "demo-feeds.yaml"
        write_feeds_yaml(newsroom, server.url, feeds_file, min_delay_s=0)
        print(f"demo newsroom: {len(newsroom.outlets)} outlets at {server.url}", flush=True)
        # The demo lives on loopback, which the SSRF guard refuses unless told: allow loopback and nothing else.
        # Its fictional outlets join the provenance gazetteer, so citations of them are found.
        return _run(settings, url, str(feeds_file), extra_env={"NEWSFLOW_ALLOWED_NETWORKS": "127.0.0.0/8",
                                                               "NEWSFLOW_GAZETTEER_EXTRA": str(DEMO_GAZETTEER)})


def cmd_stats(args: argparse.Namespace) -> int:
    _print_summary(_url(args, _settings()))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from newsflow.report import iter_export, write_jsonl
    from newsflow.warehouse import connect

    conn = connect(_url(args, _settings()))
    try:
        if args.out and args.out != "-":
            with open(args.out, "w", encoding="utf-8") as fh:
                n = write_jsonl(iter_export(conn), fh)
            print(f"exported {n} articles to {args.out}", file=sys.stderr)
        else:
            write_jsonl(iter_export(conn), sys.stdout)
    finally:
        conn.close()
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    from newsflow.warehouse import connect
    from newsflow.warehouse.migrate import migrate

    conn = connect(_url(args, _settings()))
    try:
        applied = migrate(conn)
    finally:
        conn.close()
    print("applied: " + ", ".join(applied) if applied else "warehouse schema is up to date")
    return 0


def cmd_replay(args: argparse.Namespace) -> int:
    """Rebuild articles, duplicates and stories from the stored raw documents (no network)."""
    from newsflow.pipeline.replay import replay
    from newsflow.warehouse import connect
    from newsflow.warehouse.migrate import migrate

    settings = _settings()
    since = _parse_since(args.since)
    conn = connect(_url(args, settings))
    try:
        migrate(conn)
        counts = replay(conn, since, story_window_hours=settings.story_window_hours,
                        dedup_window_hours=settings.dedup_window_hours)
    finally:
        conn.close()
    print(", ".join(f"{k}: {v}" for k, v in counts.items()))
    return 0


def _parse_since(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise RuntimeError(f"--since {text!r} is not a date: use YYYY-MM-DD or an ISO timestamp") from None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def cmd_prune(args: argparse.Namespace) -> int:
    from newsflow.pipeline.maintenance import prune
    from newsflow.warehouse import connect

    settings = _settings()
    days = settings.raw_retention_days if args.days is None else args.days
    conn = connect(_url(args, settings))
    try:
        out = prune(conn, raw_retention_days=days)
    finally:
        conn.close()
    print(f"pruned {out['raw_documents']} raw documents older than {days} days, {out['queue_rows']} queue rows, "
          f"{out['feature_rows']} stored story features")
    return 0


def cmd_demo_site(args: argparse.Namespace) -> int:
    from newsflow.demo import demo_newsroom, run_demo_site

    run_demo_site(port=args.port, host=args.host, newsroom=demo_newsroom(now=DEMO_NOW))
    return 0


def cmd_warehouse_url(args: argparse.Namespace) -> int:
    print(_url(args, _settings()))
    return 0


def cmd_airflow_env(args: argparse.Namespace) -> int:
    """Shell exports that point Airflow at this checkout (used by `make airflow`)."""
    from newsflow.airflow_env import airflow_env, shell_exports

    settings = _settings()
    print(shell_exports(airflow_env(settings, _url(args, settings))))
    return 0


def cmd_check_feeds(args: argparse.Namespace) -> int:
    config = load_feeds(args.feeds or _settings().feeds)
    print(f"{config.path}: {len(config.feeds)} feeds OK")
    return 0


def cmd_cluster(args: argparse.Namespace) -> int:
    import json

    from newsflow.cluster import RecordError, cluster_records, read_records

    settings = _settings()
    out = sys.stdout
    try:
        clock = {"records_per_day": args.records_per_day} if args.records_per_day else {}
        for row in cluster_records(read_records(args.file), story_window_hours=settings.story_window_hours,
                                   dedup_window_hours=settings.dedup_window_hours, **clock):
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    except RecordError as exc:
        print(f"newsflow: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `newsflow cluster f | head`: the reader has all it wanted
        return 0
    out.flush()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsflow", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"newsflow {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def wh(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--warehouse", metavar="URL",
                       help="warehouse URL (default: NEWSFLOW_WAREHOUSE_URL, else the embedded server)")
        return p

    p = wh(sub.add_parser("run", help="one full ingestion run through the news_ingest DAG, then a summary"))
    p.add_argument("--feeds", metavar="FILE", help="feeds file (default: include/feeds.yaml or NEWSFLOW_FEEDS)")
    p.set_defaults(func=cmd_run)
    p = wh(sub.add_parser("demo", help="serve the demo newsroom on loopback and run the DAG over it once"))
    p.add_argument("--port", type=int, default=DEMO_PORT,
                   help=f"loopback port of the demo newsroom (default {DEMO_PORT}, or NEWSFLOW_DEMO_PORT); "
                        "keep it stable: article URLs include it")
    p.set_defaults(func=cmd_demo)
    wh(sub.add_parser("stats", help="counts of feeds, articles, stories, duplicates")).set_defaults(func=cmd_stats)
    p = wh(sub.add_parser("export", help="articles as JSON Lines"))
    p.add_argument("--out", metavar="FILE", help="output file (default: stdout)")
    p.set_defaults(func=cmd_export)
    wh(sub.add_parser("migrate", help="apply pending schema migrations")).set_defaults(func=cmd_migrate)
    p = wh(sub.add_parser("replay", help="rebuild articles, duplicates and stories from stored raw documents"))
    p.add_argument("--since", required=True, metavar="DATE", help="replay the runs started at or after DATE")
    p.set_defaults(func=cmd_replay)
    p = wh(sub.add_parser("prune", help="delete raw documents past the retention (NEWSFLOW_RAW_RETENTION_DAYS)"))
    p.add_argument("--days", type=int, help="override the retention in days (0 keeps everything)")
    p.set_defaults(func=cmd_prune)
    p = sub.add_parser("demo-site", help="serve the demo newsroom until stopped")
    p.add_argument("--port", type=int, default=DEMO_PORT)
    p.add_argument("--host", default="127.0.0.1")
    p.set_defaults(func=cmd_demo_site)
    p = sub.add_parser("cluster", help="group JSON Lines records into copies and stories, as the DAG does; "
                                       "prints {id, cluster, duplicate_of} per record")
    p.add_argument("file", metavar="FILE.jsonl[.gz]",
                   help="records with id, title, text, date, source, url (null allowed; other fields ignored)")
    p.add_argument("--records-per-day", type=float, metavar="N",
                   help="stream clock: records carry no fetch time, so N records in file order make one day; the "
                        "story and dedup windows (NEWSFLOW_STORY_WINDOW_HOURS, NEWSFLOW_DEDUP_WINDOW_HOURS) are "
                        "counted on it (default: newsflow.cluster.RECORDS_PER_DAY, 1,440)")
    p.set_defaults(func=cmd_cluster)
    p = sub.add_parser("check-feeds", help="validate a feeds file")
    p.add_argument("--feeds", metavar="FILE")
    p.set_defaults(func=cmd_check_feeds)
    wh(sub.add_parser("warehouse-url", help="print the warehouse URL (starts the embedded server if needed)")
       ).set_defaults(func=cmd_warehouse_url)
    wh(sub.add_parser("airflow-env", help="print shell exports that point Airflow at this checkout")
       ).set_defaults(func=cmd_airflow_env)
    try:
        from newsflow.extract.cli import add_cli, run_cli

        add_cli(sub)
        sub.choices["extract"].set_defaults(func=run_cli)
    except ImportError:  # pragma: no cover - extract is part of the package
        pass
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return int(args.func(args) or 0)
    except FeedsConfigError as exc:
        print(f"newsflow: bad feeds file: {exc}", file=sys.stderr)
        return 2
    except (ConnectionError, RuntimeError, LookupError) as exc:
        print(f"newsflow: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
