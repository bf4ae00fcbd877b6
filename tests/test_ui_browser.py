"""The News page in a real browser, served by a real `airflow api-server` with a real login (issue 7, UI).

Debian's chromium driven by Playwright (`executable_path`, no browser download). The API server runs on
loopback with this checkout's Airflow env, a migrated sqlite metadata DB, the plugins folder, the
warehouse as the Airflow connection `newsflow_warehouse`, and the simple auth manager with a viewer login.
Skipped only when chromium is absent and cannot be installed (`apt-get install -y chromium`).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from ui_helpers import ARTICLES_NEW, BRIDGE_TIMELINE, HOSTILE_SENTENCE, HOSTILE_TITLE, RUN_ID, seed_warehouse

REPO = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
INSTALL_HINT = "apt-get install -y chromium (Debian) and pip install playwright==1.65.2"
USER, ROLE = "newsreader", "viewer"


def _find_chromium() -> str | None:
    for candidate in (os.environ.get("NEWSFLOW_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser")):
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def _install_chromium() -> None:
    """Best effort, as root with apt: the Makefile installs it; this covers a machine that skipped that."""
    if not shutil.which("apt-get") or os.geteuid() != 0:
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", "chromium"]
    if subprocess.run(install, env=env, capture_output=True, timeout=900).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True, timeout=300)
        subprocess.run(install, env=env, capture_output=True, timeout=900)


@pytest.fixture(scope="module")
def chromium() -> str:
    path = _find_chromium()
    if path is None:
        try:
            _install_chromium()
        except (OSError, subprocess.SubprocessError):
            pass
        path = _find_chromium()
    if path is None:
        pytest.skip(f"chromium is not installed and could not be installed here: {INSTALL_HINT}")
    return path


@pytest.fixture(scope="module")
def sync_playwright():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail(f"the playwright package is missing: {INSTALL_HINT}", pytrace=False)
    return sync_playwright


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, headers=headers or {}), timeout=10) as r:
            return r.status, dict(r.headers), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode()


def _airflow_env(home: Path, warehouse_url: str, password_file: Path, secrets_: dict[str, str]) -> dict[str, str]:
    """The project's Airflow env for this checkout (newsflow.airflow_env) plus a real simple-auth login."""
    from newsflow.airflow_env import airflow_env
    from newsflow.settings import Settings

    base = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env = airflow_env(Settings(home=str(home)), warehouse_url, base=base)
    # The page must find the warehouse through the Airflow connection, as in a deployment.
    env.pop("NEWSFLOW_WAREHOUSE_URL", None)
    env.update({
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
        "AIRFLOW__CORE__AUTH_MANAGER":
            "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "False",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{USER}:{ROLE}",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(password_file),
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        **secrets_,
    })
    return env


AIRFLOW = str(Path(sys.executable).with_name("airflow"))


@pytest.fixture
def airflow_home(tmp_path):
    """A fresh Airflow home whose metadata DB migrates in the background while the warehouse is prepared."""
    password = secrets.token_urlsafe(12)
    password_file = tmp_path / "passwords.json"
    password_file.write_text(json.dumps({USER: password}))
    keys = {"AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_hex(32), "AIRFLOW__API__SECRET_KEY": secrets.token_hex(16)}
    env = _airflow_env(tmp_path / "home", "postgresql://localhost/unused", password_file, keys)
    migrate = subprocess.Popen([AIRFLOW, "db", "migrate"], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    try:
        yield {"home": tmp_path / "home", "password": password, "password_file": password_file, "keys": keys,
               "migrate": migrate}
    finally:
        if migrate.poll() is None:
            migrate.kill()
            migrate.wait(timeout=10)


@pytest.fixture
def api_server(airflow_home, warehouse_url, tmp_path):
    """`airflow api-server` on a free loopback port; yields (base_url, password)."""
    seed_warehouse(warehouse_url)
    env = _airflow_env(airflow_home["home"], warehouse_url, airflow_home["password_file"], airflow_home["keys"])
    assert env["AIRFLOW_CONN_NEWSFLOW_WAREHOUSE"] and "NEWSFLOW_WAREHOUSE_URL" not in env
    out, _ = airflow_home["migrate"].communicate(timeout=180)
    assert airflow_home["migrate"].returncode == 0, out[-3000:]

    port = _free_port()
    log_path = tmp_path / "api-server.log"
    log = open(log_path, "w")
    proc = subprocess.Popen([AIRFLOW, "api-server", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
                            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                pytest.fail("api-server exited:\n" + log_path.read_text()[-3000:])
            try:
                if _get(base_url + "/api/v2/monitor/health")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("api-server did not start:\n" + log_path.read_text()[-3000:])
            time.sleep(0.25)
        yield base_url, airflow_home["password"]
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)  # our own process group (start_new_session)
            try:
                proc.wait(timeout=3)
            except subprocess.TimeoutExpired:  # it has shut down by then; Airflow's exit hooks are slow
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        log.close()


def test_news_page_in_chromium_behind_airflow_login(chromium, sync_playwright, api_server):
    base_url, password = api_server

    # Without a login the plugin refuses: API clients get 401, browsers are sent to Airflow's login page.
    status, _, body = _get(base_url + "/newsflow/api/overview", {"Accept": "application/json"})
    assert status == 401 and str(ARTICLES_NEW) not in body
    status, headers, _ = _get(base_url + "/newsflow/", {"Accept": "text/html"})
    assert status == 303 and headers["location"].startswith("/auth/login")

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_context().new_page()
            page.set_default_timeout(20_000)
            dialogs: list[str] = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

            # Log in through Airflow's own login page, which brings us back to the News page.
            page.goto(base_url + "/newsflow/")
            page.get_by_label("Username").fill(USER)
            page.get_by_label("Password").fill(password)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(base_url + "/newsflow/")

            # The seeded run's numbers.
            assert page.locator("#last-run-articles-new").inner_text() == f"{ARTICLES_NEW:,}"
            run_row = page.locator(f'tr[data-run-id="{RUN_ID}"]')
            assert run_row.locator("td.articles-new").inner_text() == f"{ARTICLES_NEW:,}"
            assert "fetch_feeds: 20.2 s · 2 tasks" in page.locator("#run-table").inner_text()
            # The hostile title is shown literally, as text, and nothing ran.
            title = page.get_by_text(HOSTILE_TITLE, exact=True)
            assert title.count() == 1 and title.is_visible()
            assert page.locator("script").count() == 0
            assert page.locator("svg").count() == 4
            # Failing feeds filter.
            page.locator("#filter-failing").click()
            page.wait_for_url("**/newsflow/?failing=1*")
            assert page.locator("#feed-table tbody tr").count() == 1
            assert "https://star.example/feed" in page.locator("#feed-table").inner_text()

            # The story view, reached by the link, shows the title as text too.
            page.goto(base_url + "/newsflow/")
            page.get_by_role("link", name=HOSTILE_TITLE).click()
            page.wait_for_url("**/newsflow/story/*")
            assert page.locator("#story-headline").inner_text() == HOSTILE_TITLE
            assert page.locator("#member-table tbody tr").count() == 1

            # The bridge story's provenance (issue 9): first reporter, original vs relaying, wire agencies,
            # citations and the headline timeline; hostile outlet names, sentences and headlines shown as text.
            page.goto(base_url + "/newsflow/")
            page.get_by_role("link", name="Council approves the new bridge", exact=True).click()
            page.wait_for_url("**/newsflow/story/*")
            assert page.locator("#prov-first-outlet").inner_text() == "Daily Planet"
            assert page.locator("#prov-original").inner_text().strip() == "Daily Planet"
            assert page.locator("#prov-relaying").inner_text().strip() == "Evening <b>Star</b>"
            assert page.locator("#prov-wire").inner_text().strip() == "Reuters"
            citations = page.locator("#citation-table tbody tr")
            assert citations.count() == 2
            assert citations.nth(1).locator("td").nth(5).inner_text() == HOSTILE_SENTENCE
            assert "agency_wire" in citations.nth(1).inner_text() and "lead" in citations.nth(1).inner_text()
            versions = page.locator("#headline-timeline tbody tr")
            assert versions.count() == len(BRIDGE_TIMELINE)
            headlines = [versions.nth(i).locator("td").nth(2).inner_text() for i in range(versions.count())]
            assert headlines == [h + (" edited" if r == 2 else "") for _, r, h in BRIDGE_TIMELINE]
            assert page.locator("script, svg, b").count() == 0

            # Inside the Airflow UI: the nav entry opens the page in an iframe.
            page.goto(base_url + "/")
            page.locator('a[href$="plugin/news"]').click()
            page.wait_for_url("**/plugin/news")
            frame = page.frame_locator('iframe[title="News"]')
            assert frame.locator("#last-run-articles-new").inner_text() == f"{ARTICLES_NEW:,}"
            assert frame.get_by_text(HOSTILE_TITLE, exact=True).is_visible()

            page.wait_for_timeout(300)  # let any (unexpected) handler fire before checking
            assert dialogs == [], f"a dialog opened: {dialogs}"
        finally:
            browser.close()
