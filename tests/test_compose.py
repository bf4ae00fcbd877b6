"""The docker compose deployment: the official Airflow 3.3 CeleryExecutor layout plus newsflow's pieces."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from newsflow.airflow_env import POOLS

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((REPO / "docker-compose.yaml").read_text())


def test_celery_layout(compose):
    services = compose["services"]
    for name in ("postgres", "redis", "airflow-apiserver", "airflow-scheduler", "airflow-dag-processor",
                 "airflow-worker", "airflow-triggerer", "airflow-init", "warehouse"):
        assert name in services, name
    env = services["airflow-worker"]["environment"]
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://")
    assert "AIRFLOW_CONN_NEWSFLOW_WAREHOUSE" in env
    assert services["airflow-worker"].get("scale", 1) >= 2


def test_init_creates_our_pools_and_schema(compose):
    script = "\n".join(compose["services"]["airflow-init"]["command"])
    for name, (slots, _desc) in POOLS.items():
        assert f"pools set {name} {slots}" in script
    assert "newsflow migrate" in script


def test_image_pins_the_same_airflow():
    lock = (REPO / "requirements.lock").read_text()
    docker = (REPO / "Dockerfile").read_text()
    version = next(line.split("==")[1] for line in lock.splitlines() if line.startswith("apache-airflow=="))
    assert f"apache/airflow:{version}-python3.11" in docker


def test_docker_compose_accepts_the_file():
    exe = shutil.which("docker-compose")
    cmd = [exe, "config", "-q"] if exe else None
    if cmd is None and shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True)
        cmd = ["docker", "compose", "config", "-q"] if probe.returncode == 0 else None
    if cmd is None:
        pytest.skip("no docker-compose binary on this machine (apt-get install docker-compose)")
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
