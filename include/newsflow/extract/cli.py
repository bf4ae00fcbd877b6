"""`newsflow extract [--url URL] FILE...`: extract saved pages, one JSON object per line.

`add_cli` registers the subcommand on the main parser; `run_cli` runs it and returns the exit code.
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import json
import sys
from datetime import datetime
from pathlib import Path

from newsflow.extract.article import DEFAULT_DEADLINE_S, extract_article
from newsflow.extract.limits import MAX_HTML_BYTES
from newsflow.models import ExtractedArticle

#: Compressed files are read up to one byte past the cap, so oversized pages fail alone.
READ_LIMIT = MAX_HTML_BYTES + 1


def add_cli(subparsers) -> argparse.ArgumentParser:
    """Register `extract` on an argparse subparsers object."""
    parser = subparsers.add_parser("extract", help="extract articles from saved .html / .html.gz files (JSON Lines)")
    _add_arguments(parser)
    parser.set_defaults(func=run_cli)
    return parser


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help=".html or .html.gz files")
    parser.add_argument("--url", default="", help="the page URL (for relative links and URL-based dates)")
    parser.add_argument("--deadline", type=float, default=DEFAULT_DEADLINE_S, help="seconds per page")


def read_page(path: Path) -> bytes:
    """The HTML bytes of a file, gunzipped when it ends in .gz; reading stops past the size cap."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as handle:
        return handle.read(READ_LIMIT)


def article_record(source: str, article: ExtractedArticle) -> dict:
    """The JSON-ready dict of one article: dates as ISO 8601 strings."""
    record = {"source": source}
    for key, value in dataclasses.asdict(article).items():
        record[key] = value.isoformat() if isinstance(value, datetime) else value
    return record


def run_cli(args: argparse.Namespace, out=None) -> int:
    """Extract every file; 0 if all were read, 1 if a file could not be read (it still gets a line)."""
    out = out or sys.stdout
    code = 0
    for name in args.files:
        try:
            html = read_page(Path(name))
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            article = ExtractedArticle(status="failed", error=f"cannot read {name}: {exc}")
            code = 1
        else:
            article = extract_article(html, args.url, deadline_s=getattr(args, "deadline", DEFAULT_DEADLINE_S))
        out.write(json.dumps(article_record(name, article), ensure_ascii=False) + "\n")
        out.flush()
    return code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="newsflow extract", description=__doc__.splitlines()[0])
    _add_arguments(parser)
    return run_cli(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
