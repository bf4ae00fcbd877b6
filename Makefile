# newsflow: the two commands a newcomer needs are `make demo` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.newsflow-installed
# Quiet, reproducible installs: the whole graph is pinned in requirements.lock.
PIP := $(BIN)/python -m pip --disable-pip-version-check --no-input -q
PIP_VERSION := 26.3

.PHONY: help install browser demo test run airflow stats export bench lock compose-config stop clean

help:
	@echo "make demo    set everything up, serve the demo newsroom, run the news_ingest DAG once, print what landed"
	@echo "make test    run the whole test suite"
	@echo "make run     ingest the real feeds of include/feeds.yaml into the warehouse"
	@echo "make airflow start Airflow (standalone) with this project's DAGs, plugins and warehouse connection"
	@echo "make stats   counts in the warehouse;  make export  articles as JSON Lines (export.jsonl)"
	@echo "make bench   benchmarks;  make lock  re-pin requirements.lock;  make stop  stop the embedded Postgres"

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "installing pinned dependencies into $(VENV) (first time: about a minute)"
	@# The pip bundled with Python 3.11 mis-resolves extras in the lock (lxml[html-clean]): use a pinned newer one.
	@$(PIP) install pip==$(PIP_VERSION)
	@$(PIP) install -r requirements.lock
	@$(PIP) install --no-deps -e .
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	@$(BIN)/newsflow demo

# The UI test drives a real browser: Debian's chromium (playwright never downloads one here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian's chromium for the UI browser test"; \
	    (apt-get install -y -qq chromium >/dev/null 2>&1 || \
	     (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq chromium >/dev/null 2>&1)) || \
	    echo "could not install chromium: the browser test will say what to do"; \
	  else echo "no chromium: install it (apt-get install chromium) for the UI browser test"; fi; }

# pytest exits 5 when it collects nothing: that is not a failure of the suite.
test: $(STAMP) browser
	@$(BIN)/python -m pytest $(PYTEST_ARGS); rc=$$?; if [ $$rc -eq 5 ]; then rc=0; fi; exit $$rc

run: $(STAMP)
	@$(BIN)/newsflow run $(if $(FEEDS),--feeds $(FEEDS))

stats: $(STAMP)
	@$(BIN)/newsflow stats

export: $(STAMP)
	@$(BIN)/newsflow export --out export.jsonl

airflow: $(STAMP)
	@eval "$$($(BIN)/newsflow airflow-env)" && \
	  export AIRFLOW__CORE__EXECUTOR=LocalExecutor && \
	  $(BIN)/airflow db migrate >/dev/null && \
	  $(BIN)/airflow pools set newsflow_fetch 8 "newsflow: concurrent feed and page fetch tasks" >/dev/null && \
	  echo "Airflow UI: http://localhost:8080 (login printed below by airflow standalone)" && \
	  PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/airflow standalone

bench: $(STAMP)
	@for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

# Re-pin the whole dependency graph after editing requirements.txt.
lock: $(STAMP)
	@$(PIP) install -r requirements.txt
	@$(BIN)/python -m pip freeze --exclude-editable --disable-pip-version-check | grep -v '^newsflow' > requirements.lock
	@echo "requirements.lock: $$(wc -l < requirements.lock) pins"

compose-config:
	@docker-compose config -q && echo "docker-compose.yaml: valid"

stop:
	@$(BIN)/python -c "from pathlib import Path; from newsflow.settings import Settings; \
	  from newsflow.warehouse.embedded import stop_embedded; \
	  print('embedded Postgres stopped' if stop_embedded(Path(Settings.from_env().home)) else 'not running')"

clean: stop
	rm -rf .newsflow
