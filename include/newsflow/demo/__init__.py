"""The bundled offline demo newsroom: fictional outlets, feeds and article pages served over local HTTP.

`demo_newsroom()` is hand-written; `generate(n_articles, n_feeds, seed)` builds large ones; `serve()` serves either.
"""

from pathlib import Path

from newsflow.demo.content import demo_newsroom
from newsflow.demo.feedsfile import feeds_yaml, write_feeds_yaml
from newsflow.demo.generator import generate
from newsflow.demo.model import Article, Newsroom, Outlet, Revision
from newsflow.demo.server import DemoServer, run_demo_site, serve, serve_forever

#: The demo's fictional outlets for the provenance gazetteer (see NEWSFLOW_GAZETTEER_EXTRA).
DEMO_GAZETTEER = Path(__file__).parent / "data" / "gazetteer.yaml"

__all__ = [
    "DEMO_GAZETTEER",
    "Article",
    "DemoServer",
    "Newsroom",
    "Outlet",
    "Revision",
    "demo_newsroom",
    "feeds_yaml",
    "generate",
    "run_demo_site",
    "serve",
    "serve_forever",
    "write_feeds_yaml",
]
