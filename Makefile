# Two commands on a fresh machine with Python 3.11:  make demo  and  make test.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
UV_VERSION := 0.13.9
BOOTSTRAP := .uv-bootstrap
UV := $(BOOTSTRAP)/bin/uv
VENV := .venv
STAMP := $(VENV)/.installed
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
# Compile the installed packages' bytecode once, at install: where PYTHONDONTWRITEBYTECODE is set (as in
# many CI images) Python never caches it, and every process (each dbt call of a build, each worker) would
# compile dagster, dbt, Great Expectations... from source again, seconds each.
export UV_COMPILE_BYTECODE := 1

.PHONY: install demo test lint dagster sample clean

$(UV):
	$(PYTHON) -m venv $(BOOTSTRAP)
	$(BOOTSTRAP)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# Installs exactly what uv.lock pins (fails if the lock is out of date with pyproject.toml).
$(STAMP): $(UV) uv.lock pyproject.toml
	$(UV) sync --frozen --python $(PYTHON)
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)  ## Build the whole warehouse from the embedded sample (offline) and print a summary.
	@echo "make demo: building from the embedded sample (--source sample). A plain 'warehouse build' rebuilds from the raw archive instead."
	$(VENV)/bin/warehouse build --source sample

# On every core (pytest-xdist; TEST_WORKERS=0 runs in this one process). loadscope: a module's tests, which may
# share a module-scoped fixture, run in one worker; the modules start longest first (tests/parallel.py; xdist's
# own order, without --no-loadscope-reorder, would start the modules with most tests first, the long ones last).
# PYTEST_ARGS adds options, e.g. PYTEST_ARGS="--durations=30". Tests marked `alone` (a timed stop of `make dagster`, which the other workers'
# builds slowed past any fair bound) run after, in one process.
TEST_WORKERS ?= auto
test: $(STAMP)  ## The full test suite (unit, integration, lint).
	$(VENV)/bin/python -m pytest -n $(TEST_WORKERS) --dist loadscope --no-loadscope-reorder -m "not alone" $(PYTEST_ARGS)
	$(VENV)/bin/python -m pytest -m alone $(PYTEST_ARGS)

lint: $(STAMP)  ## ruff and sqlfluff (dbt templater); also part of make test.
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	mkdir -p data/build && WAREHOUSE_HOME=$(CURDIR)/data PATH=$(CURDIR)/$(VENV)/bin:$$PATH $(VENV)/bin/sqlfluff lint dbt_project/models

# `make dagster [PORT=3001] [WAREHOUSE_HOME=/srv/warehouse]`: the UI sees the same run history as the
# CLI, whose Dagster instance is $$DAGSTER_HOME if set, else $$WAREHOUSE_HOME/dagster (warehouse/settings.py).
PORT ?= 3000
WAREHOUSE_HOME ?= data
WAREHOUSE_ROOT := $(abspath $(WAREHOUSE_HOME))
DAGSTER_HOME ?= $(WAREHOUSE_ROOT)/dagster

# `exec`: the launcher (orchestration/dev.py) replaces the shell, so Ctrl-C and SIGTERM reach it; it runs
# dagster dev in a process group of its own and stops that group (webserver, daemon, code server) on
# either signal, however `make dagster` was started (a background job of a script ignores SIGINT).
dagster: $(STAMP)  ## The Dagster UI and daemon (schedule, sensors) on http://127.0.0.1:$(PORT), sharing the CLI's runs.
	exec env WAREHOUSE_HOME="$(WAREHOUSE_ROOT)" DAGSTER_HOME="$(DAGSTER_HOME)" $(VENV)/bin/python -m orchestration.dev -w workspace.yaml -h 127.0.0.1 -p $(PORT)

clean:
	rm -rf data dbt_project/target dbt_project/logs .pytest_cache
