"""The `newsflow` Airflow plugin: the News pages in the Airflow UI (Airflow 3.1+).

- fastapi_apps: the FastAPI app of newsflow_plugin.app, mounted by the API server at /newsflow
  (every route requires an Airflow login, see newsflow_plugin/auth.py);
- external_views: a "News" entry in the UI's navigation that shows /newsflow/ in an iframe at /plugin/news.

Airflow loads this file as a top-level module; the plugins folder is on sys.path (Airflow adds it), so the
rest of the package is imported as `newsflow_plugin`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from airflow.plugins_manager import AirflowPlugin

_PLUGINS_FOLDER = str(Path(__file__).resolve().parents[1])
if _PLUGINS_FOLDER not in sys.path:  # Airflow adds it; an importer outside Airflow may not have
    sys.path.append(_PLUGINS_FOLDER)

from newsflow_plugin.app import URL_PREFIX, create_app  # noqa: E402

#: Path of the News view inside the Airflow UI (http://host:8080/plugin/news).
URL_ROUTE = "news"


class NewsflowPlugin(AirflowPlugin):
    name = "newsflow"
    fastapi_apps = [{"app": create_app(), "url_prefix": URL_PREFIX, "name": "newsflow News pages"}]
    external_views = [
        {
            "name": "News",
            # Relative (no leading slash): the UI resolves it against its base URL, so a sub-path deployment works.
            "href": URL_PREFIX.lstrip("/") + "/",
            "url_route": URL_ROUTE,
            "destination": "nav",
            "nav_top_level": True,
        }
    ]
