"""`python -m newsflow.demo [--port N] [--host H] [--generate N_ARTICLES --feeds N --seed S]`: serve a demo newsroom.

The same as `newsflow demo-site`, usable before the CLI is wired or when a generated newsroom is wanted.
"""

from __future__ import annotations

import argparse

from newsflow.demo.server import DEFAULT_PORT, run_demo_site


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m newsflow.demo", description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=DEFAULT_PORT, help="0 picks a free port")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--public-url", help="base URL for links when clients reach the site under another name")
    ap.add_argument("--feeds-file", help="also write a feeds.yaml pointing at this site")
    ap.add_argument("--edition", type=int, default=1)
    ap.add_argument("--generate", type=int, metavar="N_ARTICLES", help="serve a generated newsroom instead")
    ap.add_argument("--feeds", type=int, default=200, help="outlets of a generated newsroom")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--quiet", action="store_true", help="no access log")
    args = ap.parse_args(argv)
    newsroom = None
    if args.generate is not None:
        from newsflow.demo.generator import generate

        newsroom = generate(args.generate, args.feeds, args.seed)
    run_demo_site(args.port, args.host, args.public_url, args.feeds_file, args.edition, newsroom, args.quiet)


if __name__ == "__main__":
    main()
