"""The News pages: a FastAPI app that the `newsflow` plugin mounts on Airflow's API server at /newsflow.

Routes (all behind Airflow's authentication, see auth.py; all links relative so a base path works):
  GET /newsflow/                  the News page (HTML); ?failing=1 lists only failing feeds, ?days=N window
  GET /newsflow/story/{story_id}  one story: its member articles and its provenance (HTML)
  GET /newsflow/api/overview      the News page's data as JSON
  GET /newsflow/api/story/{id}    a story, its members and its provenance as JSON

HTML is rendered by Jinja2 with autoescaping on (titles, outlet names and errors are hostile input);
charts are inline SVG drawn server-side, with no script and nothing loaded from the network.
When the warehouse cannot be read the page answers 503 with an error panel that says what to check.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from newsflow_plugin import charts, queries
from newsflow_plugin.auth import login_url, require_user

TEMPLATES = Path(__file__).with_name("templates")
URL_PREFIX = "/newsflow"
MAX_DAYS = 90
#: No framing by other origins, no inline script at all, nothing loaded from elsewhere.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
                               "frame-ancestors 'self'; base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def _environment():
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,  # every {{ value }} is HTML-escaped, in every template
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["ts"] = _ts
    env.filters["num"] = _num
    env.filters["secs"] = _secs
    return env


def _ts(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc)
        return value.strftime("%Y-%m-%d %H:%M UTC")
    return str(value)


def _num(value: object, digits: int = 0) -> str:
    if value is None:
        return "—"
    if isinstance(value, (float, Decimal)):
        return f"{float(value):,.{digits}f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def _secs(value: object) -> str:
    if value is None:
        return "—"
    v = float(value)  # type: ignore[arg-type]
    if v < 10:
        return f"{v:.2f} s"
    if v < 120:
        return f"{v:.1f} s"
    return f"{v / 60:.1f} min"


def _jsonable(value: object) -> object:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _html(env, template: str, status_code: int = 200, **context) -> HTMLResponse:
    body = env.get_template(template).render(**context)
    return HTMLResponse(body, status_code=status_code, headers=SECURITY_HEADERS)


def _wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "") and "/api/" not in request.url.path


def create_app() -> FastAPI:
    env = _environment()
    app = FastAPI(
        title="newsflow",
        description="The newsflow News pages: feed health, runs, volume and latency charts, stories.",
        docs_url=None, redoc_url=None, openapi_url=None,  # Airflow's own /docs is the API reference
        dependencies=[Depends(require_user)],
    )

    @app.exception_handler(HTTPException)
    async def _unauthenticated(request: Request, exc: HTTPException) -> Response:
        # A browser without a session goes to Airflow's login page and comes back; API clients get 401.
        if exc.status_code == 401 and request.method == "GET" and _wants_html(request):
            if target := login_url(request):
                return RedirectResponse(target, status_code=303)
        return await http_exception_handler(request, exc)

    def _error_page(err: queries.WarehouseUnavailable, title: str) -> HTMLResponse:
        return _html(env, "error.html", status_code=503, title=title, error=err)

    @app.get("/", response_class=HTMLResponse, name="news")
    def news(failing: bool = False, days: int = Query(14, ge=1, le=MAX_DAYS)) -> HTMLResponse:
        try:
            ov = queries.overview(failing_only=failing, days=days)
        except queries.WarehouseUnavailable as err:
            return _error_page(err, "News")
        return _html(
            env, "news.html", title="News", ov=ov, failing=failing, days=days,
            articles_chart=charts.stacked_days(ov.articles), stories_chart=charts.stacked_days(ov.stories),
            extraction_chart=charts.share_bars(ov.extraction), latency_chart=charts.latency_histogram(ov.latency),
            buckets=queries.LATENCY_BUCKETS,
        )

    @app.get("/story/{story_id}", response_class=HTMLResponse, name="story")
    def story(story_id: int) -> HTMLResponse:
        try:
            view = queries.story(story_id)
        except queries.WarehouseUnavailable as err:
            return _error_page(err, f"Story {story_id}")
        if view is None:
            return _html(env, "story.html", status_code=404, title=f"Story {story_id}", story=None,
                         story_id=story_id, members=[], provenance=None, list_limit=queries.STORY_LIST_LIMIT)
        return _html(env, "story.html", title=f"Story {story_id}", story=view.story, story_id=story_id,
                     members=view.members, provenance=view.provenance, list_limit=queries.STORY_LIST_LIMIT)

    @app.get("/api/overview")
    def api_overview(failing: bool = False, days: int = Query(14, ge=1, le=MAX_DAYS)) -> JSONResponse:
        try:
            ov = queries.overview(failing_only=failing, days=days)
        except queries.WarehouseUnavailable as err:
            return JSONResponse({"error": err.title, "detail": err.detail, "hint": err.hint}, status_code=503)
        return JSONResponse(_jsonable(ov))

    @app.get("/api/story/{story_id}")
    def api_story(story_id: int) -> JSONResponse:
        try:
            view = queries.story(story_id)
        except queries.WarehouseUnavailable as err:
            return JSONResponse({"error": err.title, "detail": err.detail, "hint": err.hint}, status_code=503)
        if view is None:
            return JSONResponse({"error": "not found", "story_id": story_id}, status_code=404)
        return JSONResponse(_jsonable(view))

    return app
