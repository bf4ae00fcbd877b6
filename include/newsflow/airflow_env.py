"""The environment that runs this checkout's DAGs with Airflow: home, folders, metadata DB, warehouse connection.

Used by `newsflow run` and `newsflow airflow-env` (the Makefile); it builds variables and never imports Airflow.
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path

from newsflow.settings import REPO_ROOT, Settings
from newsflow.warehouse.conninfo import WAREHOUSE_CONN_ID, url_to_airflow_conn

#: Airflow pools the DAGs use: name -> (slots, description). Created by `newsflow run`, `make airflow`, compose init.
POOLS = {"newsflow_fetch": (8, "newsflow: concurrent feed and page fetch tasks")}


def airflow_env(settings: Settings, warehouse_url: str, base: dict[str, str] | None = None) -> dict[str, str]:
    """Variables for an Airflow process of this checkout; explicit AIRFLOW_* already in `base` win."""
    base = dict(os.environ if base is None else base)
    home = Path(settings.home) / "airflow"
    home.mkdir(parents=True, exist_ok=True)
    wanted = {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO_ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO_ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": "120",
        "AIRFLOW__API__EXPOSE_CONFIG": "False",
        # The package is installed into the venv; dags/ holds the shared DAG wiring module.
        "PYTHONPATH": os.pathsep.join(p for p in (str(REPO_ROOT / "dags"), base.get("PYTHONPATH", "")) if p),
        "NEWSFLOW_HOME": settings.home,
        "NEWSFLOW_WAREHOUSE_URL": warehouse_url,
        "XDG_RUNTIME_DIR": base.get("XDG_RUNTIME_DIR") or str(Path(settings.home) / "run"),
    }
    env = {**base}
    for key, value in wanted.items():
        if key.startswith("AIRFLOW__") and key in base:
            continue
        env[key] = value
    env[f"AIRFLOW_CONN_{WAREHOUSE_CONN_ID.upper()}"] = url_to_airflow_conn(warehouse_url)
    Path(env["XDG_RUNTIME_DIR"]).mkdir(mode=0o700, parents=True, exist_ok=True)
    return env


def shell_exports(env: dict[str, str], keys: list[str] | None = None) -> str:
    """`export K=V` lines for the newsflow/Airflow variables of `env` (for `eval` in a shell)."""
    keys = keys or sorted(k for k in env if k.startswith(("AIRFLOW", "NEWSFLOW_")) or k in ("PYTHONPATH", "XDG_RUNTIME_DIR"))
    return "\n".join(f"export {k}={shlex.quote(env[k])}" for k in keys)
