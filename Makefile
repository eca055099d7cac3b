# Two commands on a fresh machine with Python 3.11:  make demo  and  make test.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
UV_VERSION := 0.13.9
BOOTSTRAP := .uv-bootstrap
UV := $(BOOTSTRAP)/bin/uv
VENV := .venv
STAMP := $(VENV)/.installed
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

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
	$(VENV)/bin/warehouse build --source sample

test: $(STAMP)  ## The full test suite (unit, integration, lint).
	$(VENV)/bin/python -m pytest

lint: $(STAMP)  ## ruff and sqlfluff (dbt templater); also part of make test.
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	mkdir -p data/build && WAREHOUSE_HOME=$(CURDIR)/data PATH=$(CURDIR)/$(VENV)/bin:$$PATH $(VENV)/bin/sqlfluff lint dbt_project/models

dagster: $(STAMP)  ## The Dagster UI on http://127.0.0.1:3000, sharing the CLI's run history.
	DAGSTER_HOME=$${DAGSTER_HOME:-$(CURDIR)/data/dagster} ; mkdir -p $$DAGSTER_HOME ; test -f $$DAGSTER_HOME/dagster.yaml || printf "telemetry:\n  enabled: false\n" > $$DAGSTER_HOME/dagster.yaml ; \
	DAGSTER_HOME=$$DAGSTER_HOME $(VENV)/bin/dagster dev -w workspace.yaml

clean:
	rm -rf data dbt_project/target dbt_project/logs .pytest_cache
