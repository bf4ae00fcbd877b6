"""Article extraction and cleaning: HTML page -> `ExtractedArticle` (text, metadata, language, status).

Public entry point: `extract_article`; the CLI lives in `newsflow.extract.cli`.
"""

from newsflow.extract.article import extract_article, warm_up

#: Bumped when extraction output changes, so runs can be compared (read by pipeline.runs).
VERSION = "1.1.0"

__all__ = ["VERSION", "extract_article", "warm_up"]
