"""The newsflow Airflow plugin (issue 7, UI): it loads, its pages show the warehouse, escape hostile data,
survive a broken warehouse, and refuse requests without an Airflow login."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from ui_helpers import (ARTICLES_NEW, BRIDGE_TIMELINE, HOSTILE_HEADLINE, HOSTILE_SENTENCE, HOSTILE_TITLE, RUN_ID,
                        seed_warehouse)

REPO = Path(__file__).resolve().parents[1]
PLUGINS = REPO / "plugins"
if str(PLUGINS) not in sys.path:
    sys.path.append(str(PLUGINS))


@pytest.fixture
def news_app():
    """The plugin's FastAPI app with the auth dependency stubbed (auth is tested on its own below)."""
    from newsflow_plugin.app import create_app
    from newsflow_plugin.auth import require_user

    app = create_app()
    app.dependency_overrides[require_user] = lambda: {"user": "test"}
    return app


@pytest.fixture(scope="module")
def seeded_db(make_database) -> tuple[str, dict[str, int]]:
    """One migrated, seeded warehouse for the module: the pages only read, so the tests share it."""
    from newsflow.warehouse import connect
    from newsflow.warehouse.migrate import migrate

    url = make_database("nf_ui")
    conn = connect(url)
    try:
        migrate(conn)
    finally:
        conn.close()
    return url, seed_warehouse(url)


@pytest.fixture
def seeded(seeded_db) -> dict[str, int]:
    return seeded_db[1]


@pytest.fixture
def client(news_app, seeded_db, monkeypatch):
    from fastapi.testclient import TestClient

    monkeypatch.setenv("NEWSFLOW_WAREHOUSE_URL", seeded_db[0])
    return TestClient(news_app)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- the plugin is registered ----------------------------------------------------------------------

def test_plugin_is_loaded_by_airflow_plugins_manager():
    from airflow import plugins_manager

    plugins, errors = plugins_manager._get_plugins()
    assert not {k: v for k, v in errors.items() if "newsflow" in k}, errors
    (plugin,) = [p for p in plugins if p.name == "newsflow"]
    (app,) = plugin.fastapi_apps
    assert app["url_prefix"] == "/newsflow"
    (view,) = plugin.external_views
    assert view["name"] == "News" and view["url_route"] == "news" and view["destination"] == "nav"
    assert not view["href"].startswith("/"), "relative href: the UI resolves it against its base URL"
    # Only the entry module is imported top-level; the package's modules are not (see .airflowignore).
    package_dir = PLUGINS / "newsflow_plugin"
    top_level = {name for name, mod in list(sys.modules.items())
                 if "." not in name and getattr(mod, "__file__", None)
                 and Path(mod.__file__).resolve().parent == package_dir}
    assert top_level <= {"newsflow_ui_plugin", "newsflow_plugin"}, top_level


def test_airflow_plugins_cli_lists_newsflow(tmp_path):
    env = {**os.environ, "AIRFLOW_HOME": str(tmp_path), "AIRFLOW__CORE__PLUGINS_FOLDER": str(PLUGINS),
           "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{tmp_path / 'airflow.db'}"}
    env.pop("NEWSFLOW_WAREHOUSE_URL", None)
    airflow = Path(sys.executable).with_name("airflow")
    out = subprocess.run([str(airflow), "plugins", "--output", "json"], env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    # Log lines may precede the JSON document on stdout; it is the line starting with "[{".
    listed = json.loads(next(line for line in out.stdout.splitlines() if line.startswith("[{")))
    (plugin,) = [p for p in listed if p["name"] == "newsflow"]
    assert "/newsflow" in json.dumps(plugin["fastapi_apps"])
    assert "News" in json.dumps(plugin["external_views"])


# --- the News page ---------------------------------------------------------------------------------

def test_news_page_shows_feeds_runs_and_charts(client, seeded):
    r = client.get("/")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/html")
    html = r.text
    # feed health: both feeds, failing one flagged with its status, failures and error (escaped)
    assert "https://planet.example/rss" in html and "https://star.example/feed" in html
    assert 'class="failing" data-feed-id="%d"' % seeded["bad_feed"] in html
    assert "timeout" in html and "read timed out after 20 s &lt;i&gt;x&lt;/i&gt;" in html
    # last runs: counts and durations per stage (mapped tasks folded: slowest 20.25 s of 2 tasks)
    assert RUN_ID.replace("+", "+") in html
    assert f"{ARTICLES_NEW:,}" in html
    assert "fetch_feeds: 20.2 s · 2 tasks" in html and "fetch_articles: 7.75 s" in html and "group_stories: 1.12 s" in html
    assert "1 warn" in html
    # charts are inline SVG, no script anywhere
    assert html.count("<svg") == 4
    assert "Daily Planet" in html and "Evening &lt;b&gt;Star&lt;/b&gt;" in html
    assert re.search(r">ok</text>", html) and re.search(r">failed</text>", html)
    assert "≥10 s" in html  # the 20 s timeout lands in the last latency bucket
    assert "<script" not in html.lower()


def test_hostile_titles_are_escaped(client, seeded):
    html = client.get("/").text
    assert "<script>alert(1)</script>" not in html
    assert "<img src=x" not in html
    assert "Breaking &lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(2)&gt;" in html
    story = client.get(f"/story/{seeded['hostile_story']}").text
    assert "<script" not in story.lower() and "&lt;script&gt;alert(1)&lt;/script&gt;" in story


def test_security_headers_forbid_scripts_and_foreign_framing(client, seeded):
    r = client.get("/")
    csp = r.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp and "frame-ancestors 'self'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"


def test_failing_filter_lists_only_failing_feeds(client, seeded):
    html = client.get("/?failing=1").text
    assert "https://star.example/feed" in html
    assert "https://planet.example/rss" not in html
    assert "Showing the 1 failing feeds of 2" in html


def test_story_view_lists_members_with_copies(client, seeded):
    r = client.get(f"/story/{seeded['bridge_story']}")
    assert r.status_code == 200
    html = r.text
    assert "Council approves the new bridge" in html and "Council approves bridge (wire copy)" in html
    assert "Daily Planet" in html and "Evening &lt;b&gt;Star&lt;/b&gt;" in html
    assert html.count(">copy</span>") == 1 and html.count(">original</span>") == 1
    assert f"of #{seeded['bridge_story']} (near)" in html
    assert client.get("/story/999999").status_code == 404


def _section(html: str, element_id: str) -> str:
    """The HTML of the element with this id (tables and paragraphs here never nest their own kind)."""
    m = re.search(r'<(\w+)[^>]*\bid="%s"[^>]*>(.*?)</\1>' % re.escape(element_id), html, re.S)
    assert m, f"no element with id {element_id}"
    return m.group(2)


def test_story_view_shows_provenance(client, seeded):
    html = client.get(f"/story/{seeded['bridge_story']}").text
    assert 'id="provenance"' in html
    assert "Provenance analysed 2 of 2 articles" in html
    # first reporter, original vs relaying outlets, wire agencies (view story_provenance)
    assert _section(html, "prov-first-outlet") == "Daily Planet"
    assert "UTC" in _section(html, "prov-first-at")
    assert "Daily Planet" in _section(html, "prov-original")
    assert "Evening &lt;b&gt;Star&lt;/b&gt;" in _section(html, "prov-relaying")
    assert "Reuters" in _section(html, "prov-wire")
    # citations (view citations): citing -> cited outlet, kind, paragraph, sentence - escaped
    citations = _section(html, "citation-table")
    rows = re.findall(r"<tr data-article-id=\"(\d+)\">(.*?)</tr>", citations, re.S)
    assert [int(a) for a, _ in rows] == [seeded["bridge_story"], seeded["copy_article"]]
    assert "Associated Press" in rows[0][1] and ">report<" in rows[0][1] and "9" in rows[0][1]
    assert "lead" not in rows[0][1]  # paragraph 9 is not the lead
    copy_row = rows[1][1]
    assert "Evening &lt;b&gt;Star&lt;/b&gt;" in copy_row and "Reuters" in copy_row and ">agency_wire<" in copy_row
    assert ">lead</span>" in copy_row
    assert ('Reuters reported &lt;/td&gt;&lt;script&gt;alert(3)&lt;/script&gt; that the &#34;bridge&#34; '
            "&amp; &lt;b&gt;vote&lt;/b&gt; passed.") in copy_row
    # headline timeline (view article_versions): every version of every member, oldest first, edits marked
    timeline = _section(html, "headline-timeline")
    versions = re.findall(r'<tr data-article-id="(\d+)" data-revision="(\d+)"[^>]*>(.*?)</tr>', timeline, re.S)
    ids = {"bridge": seeded["bridge_story"], "copy": seeded["copy_article"]}
    assert [(int(a), int(r)) for a, r, _ in versions] == [(ids[a], r) for a, r, _ in BRIDGE_TIMELINE]
    for (_, _, row), (_, revision, headline) in zip(versions, BRIDGE_TIMELINE):
        assert str(markupsafe_escape(headline)) in row
        assert (">edited</span>" in row) == (revision == 2)
    assert "Bridge vote &lt;svg onload=alert(4)&gt; tonight" in timeline
    # nothing of the hostile text became markup
    assert "<script" not in html.lower() and "<svg" not in html.lower() and "<b>vote" not in html


def markupsafe_escape(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))


def test_story_view_without_provenance(news_app, warehouse_url, monkeypatch):
    """A merged story has no provenance (story_provenance covers live stories), nor has a story without members."""
    import psycopg2
    from fastapi.testclient import TestClient

    conn = psycopg2.connect(warehouse_url)
    with conn, conn.cursor() as cur:
        cur.execute("INSERT INTO newsflow.stories (story_id, headline, first_seen_at) VALUES (1, 'live', now())")
        cur.execute("INSERT INTO newsflow.stories (story_id, headline, first_seen_at, merged_into) "
                    "VALUES (2, 'merged', now(), 1)")
    conn.close()
    monkeypatch.setenv("NEWSFLOW_WAREHOUSE_URL", warehouse_url)
    client = TestClient(news_app)
    merged = client.get("/story/2")
    assert merged.status_code == 200 and 'id="provenance-missing"' in merged.text
    assert "merged into" in merged.text and 'id="citation-table"' not in merged.text
    empty = client.get("/story/1")
    assert empty.status_code == 200 and "no member articles yet" in empty.text
    assert client.get("/api/story/2").json()["provenance"] is None


def test_json_api(client, seeded):
    data = client.get("/api/overview").json()
    assert data["n_feeds"] == 2 and data["n_failing"] == 1
    assert data["runs"][0]["run_id"] == RUN_ID and data["runs"][0]["articles_new"] == ARTICLES_NEW
    stages = {s["stage"]: s for s in data["runs"][0]["stages"]}
    assert stages["fetch_feeds"]["tasks"] == 2 and stages["fetch_feeds"]["wall_s"] == 20.25
    assert {r["status"]: r["n"] for r in data["extraction"]} == {"ok": 3, "failed": 1}
    latency = {r["kind"]: r for r in data["latency"]}
    assert latency["feed"]["n"] == 2 and latency["feed"]["max_ms"] == 20000
    assert sum(data["articles"]["counts"]["Daily Planet"]) == 2
    story = client.get(f"/api/story/{seeded['hostile_story']}").json()
    assert story["story"]["headline"] == HOSTILE_TITLE  # data stays raw in JSON; HTML escapes it
    prov = client.get(f"/api/story/{seeded['bridge_story']}").json()["provenance"]
    assert prov["first_outlet"] == "Daily Planet" and prov["original_outlets"] == ["Daily Planet"]
    assert prov["relaying_outlets"] == ["Evening <b>Star</b>"] and prov["wire_agencies"] == ["Reuters"]
    assert [c["sentence"] for c in prov["citations"]][1] == HOSTILE_SENTENCE
    assert [h["headline"] for h in prov["headlines"]] == [h for _, _, h in BRIDGE_TIMELINE]
    assert HOSTILE_HEADLINE in [h["headline"] for h in prov["headlines"]]


def test_empty_warehouse_renders(news_app, warehouse_url, monkeypatch):
    from fastapi.testclient import TestClient

    monkeypatch.setenv("NEWSFLOW_WAREHOUSE_URL", warehouse_url)
    r = TestClient(news_app).get("/")
    assert r.status_code == 200
    assert "No feeds yet" in r.text and "No runs recorded yet" in r.text
    r = TestClient(news_app).get("/?failing=1")
    assert r.status_code == 200 and "No failing feeds." in r.text


# --- where the warehouse comes from, and when it is not there --------------------------------------

def test_reads_the_airflow_connection_when_no_env_override(news_app, seeded_db, monkeypatch):
    from fastapi.testclient import TestClient

    from newsflow.warehouse.conninfo import url_to_airflow_conn

    monkeypatch.delenv("NEWSFLOW_WAREHOUSE_URL", raising=False)
    monkeypatch.setenv("AIRFLOW_CONN_NEWSFLOW_WAREHOUSE", url_to_airflow_conn(seeded_db[0]))
    html = TestClient(news_app).get("/").text
    assert "Airflow connection &#39;newsflow_warehouse&#39;" in html
    assert f"{ARTICLES_NEW:,}" in html


def test_missing_connection_shows_what_to_configure(news_app, monkeypatch):
    from fastapi.testclient import TestClient

    monkeypatch.delenv("NEWSFLOW_WAREHOUSE_URL", raising=False)
    monkeypatch.delenv("AIRFLOW_CONN_NEWSFLOW_WAREHOUSE", raising=False)
    r = TestClient(news_app).get("/")
    assert r.status_code == 503
    assert 'id="warehouse-error"' in r.text and "not configured" in r.text
    assert "AIRFLOW_CONN_NEWSFLOW_WAREHOUSE" in r.text


def test_unreachable_warehouse_shows_an_error_panel_without_the_password(news_app, monkeypatch):
    from fastapi.testclient import TestClient

    port = _closed_port()
    monkeypatch.setenv("NEWSFLOW_WAREHOUSE_URL", f"postgresql://nf:s3cret-pw@127.0.0.1:{port}/nf")
    client = TestClient(news_app)
    for path in ("/", "/story/1"):
        r = client.get(path)
        assert r.status_code == 503
        assert "The warehouse is unreachable" in r.text and "is running" in r.text
        assert "s3cret-pw" not in r.text
    api = client.get("/api/overview")
    assert api.status_code == 503 and api.json()["error"] == "The warehouse is unreachable"


def test_unmigrated_warehouse_says_to_migrate(news_app, make_database, monkeypatch):
    from fastapi.testclient import TestClient

    monkeypatch.setenv("NEWSFLOW_WAREHOUSE_URL", make_database())
    r = TestClient(news_app).get("/")
    assert r.status_code == 503 and "newsflow migrate" in r.text


# --- Airflow's authentication -------------------------------------------------------------------------

@pytest.fixture
def simple_auth(monkeypatch):
    """Airflow's SimpleAuthManager as the API server sets it up, with real logins (not all-admins)."""
    from airflow.api_fastapi import app as api_app
    from airflow.models.revoked_token import RevokedToken

    # Token validation also asks the metadata DB whether the token was revoked at logout; this session's
    # Airflow DB is not migrated (the browser test runs the full path against a migrated one).
    monkeypatch.setattr(RevokedToken, "is_revoked", classmethod(lambda cls, jti, session=None: False))
    monkeypatch.setenv("AIRFLOW__CORE__AUTH_MANAGER",
                       "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager")
    monkeypatch.setenv("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS", "False")
    monkeypatch.setenv("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS", "admin:admin,viewer:viewer")
    previous = api_app._AuthManagerState.instance
    api_app._AuthManagerState.instance = None
    manager = api_app.init_auth_manager()
    yield manager
    api_app._AuthManagerState.instance = previous


def test_requests_without_an_airflow_login_are_refused(seeded_db, seeded, simple_auth, monkeypatch):
    from fastapi.testclient import TestClient

    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser
    from newsflow_plugin.app import create_app

    monkeypatch.setenv("NEWSFLOW_WAREHOUSE_URL", seeded_db[0])
    client = TestClient(create_app())  # the real dependency, no override

    for path in ("/", "/api/overview", f"/story/{seeded['hostile_story']}"):
        r = client.get(path, headers={"Accept": "application/json"})
        assert r.status_code == 401, (path, r.status_code)
        assert str(ARTICLES_NEW) not in r.text
    # A browser is sent to Airflow's login page, coming back here afterwards.
    r = client.get("/", headers={"Accept": "text/html"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/auth/login")
    # A forged token is refused.
    assert client.get("/", headers={"Authorization": "Bearer not-a-jwt"}).status_code in (401, 403)

    # A viewer's JWT works, as the Authorization header or as the UI's _token cookie.
    token = simple_auth.generate_jwt(SimpleAuthManagerUser(username="viewer", role="viewer"))
    r = client.get("/", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200 and f"{ARTICLES_NEW:,}" in r.text
    cookie_client = TestClient(create_app(), cookies={"_token": token})
    assert cookie_client.get("/api/overview").json()["runs"][0]["articles_new"] == ARTICLES_NEW

    # A user without a role is authenticated but not authorized.
    roleless = simple_auth.generate_jwt(SimpleAuthManagerUser(username="nobody", role=None))
    assert client.get("/", headers={"Authorization": f"Bearer {roleless}"}).status_code == 403


def test_every_route_depends_on_airflow_auth():
    from newsflow_plugin.app import create_app
    from newsflow_plugin.auth import require_user

    app = create_app()
    assert any(d.dependency is require_user for d in app.router.dependencies)
    paths = {r.path for r in app.routes}
    assert {"/", "/story/{story_id}", "/api/overview", "/api/story/{story_id}"} <= paths


# --- pure helpers ------------------------------------------------------------------------------------

def test_stage_durations_fold_mapped_tasks_in_pipeline_order():
    from newsflow_plugin.queries import stage_durations

    stages = stage_durations({
        "group_stories": {"wall_s": 1.0, "cpu_s": 0.5},
        "zz_custom": {"wall_s": 0.1},
        "fetch_feeds[1]": {"wall_s": 2.0, "cpu_s": 0.25, "feeds": 10},
        "fetch_feeds[0]": {"wall_s": 3.0, "cpu_s": 0.25},
        "extract[0]": "garbage",
    })
    assert [s["stage"] for s in stages] == ["fetch_feeds", "extract", "group_stories", "zz_custom"]
    assert stages[0] == {"stage": "fetch_feeds", "tasks": 2, "wall_s": 3.0, "sum_wall_s": 5.0, "cpu_s": 0.5}
    assert stages[1]["wall_s"] == 0.0 and stages[1]["tasks"] == 1
    assert stage_durations(None) == []


def test_headline_timeline_flags_edits_and_repeats():
    from newsflow_plugin.queries import headline_timeline

    def v(article, revision, headline, prev=None):
        return {"article_id": article, "revision": revision, "headline": headline, "previous_headline": prev,
                "previous_revision": revision - 1 if revision > 1 else None}

    flags = [(r["edited"], r["changed"]) for r in headline_timeline([
        v(1, 1, "Bridge vote"),
        v(2, 1, "bridge  VOTE"),                  # another outlet, same headline (case, spacing): a repeat
        v(1, 2, "Bridge approved", "Bridge vote"),  # an edit
        v(1, 3, "Bridge approved", "Bridge approved"),  # a new version (body edit), same headline
        v(2, 2, None, "bridge  VOTE"),            # headline lost: an edit, not a new timeline entry
        v(3, 1, "Bridge approved"),               # same as the last non-empty entry
    ])]
    assert flags == [(False, True), (False, False), (True, True), (False, False), (True, False), (False, False)]


def test_chart_axes_use_whole_counts():
    from newsflow_plugin.charts import _ticks, nice_max

    assert [nice_max(v) for v in (0, 1, 3, 4, 7, 11, 180, 2001)] == [1, 1, 5, 5, 10, 20, 200, 5000]
    for top in (1, 2, 5, 10, 20, 50, 100, 200, 5000):
        assert (top / _ticks(top)).is_integer()
