# Placette: `make run` serves the demo, `make test` runs every check. Both set everything up.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
PORT ?= 8000
# Test processes (pytest-xdist); each file runs whole in one of them (module fixtures).
TEST_WORKERS ?= 2

.PHONY: run test bench prod-check prod-check-scale setup services stop lint typecheck pytest messages clean

run: setup
	$(MANAGE) seed_demo
	$(PY) -m config.devserver --port $(PORT)

test: setup lint
	$(VENV)/bin/pytest -n $(TEST_WORKERS) --dist loadfile

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DJANGO_ENV=test $(MANAGE) makemigrations --check --dry-run
	$(VENV)/bin/mypy .

bench: setup
	$(PY) tests/bench/run_all.py

# Production's parts as real processes on loopback, loaded and broken on purpose (tests/prod).
# Not part of `make test`; installs Debian packages as root.
PRODCHECK_VENV := .prodcheck/venv
prod-check: $(VENV)/.installed $(PRODCHECK_VENV)/.installed
	$(PRODCHECK_VENV)/bin/python tests/prod/prod_check.py $(PRODCHECK_ARGS)

# Migrations over 2,000 towns and one server with 10,000 (tests/prod/scale.py); the longest check.
prod-check-scale: $(VENV)/.installed $(PRODCHECK_VENV)/.installed
	nice -n 10 $(PRODCHECK_VENV)/bin/python tests/prod/scale.py $(PRODCHECK_SCALE_ARGS)

$(PRODCHECK_VENV)/.installed: tests/prod/requirements.txt
	@python=$$(scripts/find-python) || exit 1; \
	  [ -x $(PRODCHECK_VENV)/bin/python ] || $$python -m venv $(PRODCHECK_VENV)
	$(PRODCHECK_VENV)/bin/python -m pip install --quiet -r tests/prod/requirements.txt
	@touch $@

setup: $(VENV)/.installed node_modules/.installed services
	$(MANAGE) migrate_schemas --shared --verbosity 0
	$(MANAGE) migrate_schemas --tenant --verbosity 0
	$(MANAGE) migrate_tenant_template
	$(MANAGE) load_reference_data
	@command -v msgfmt >/dev/null && $(MANAGE) compilemessages --ignore '.venv/*' -v 0 \
		|| echo "msgfmt not found: using the committed .mo files"

services: $(VENV)/.installed
	$(PY) -m config.devservices up

stop:
	$(PY) -m config.devservices stop

$(VENV)/.installed: pyproject.toml
	@python=$$(scripts/find-python) || exit 1; \
	  echo "Using $$python ($$($$python --version))"; \
	  [ -x $(PY) ] || $$python -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev,embedded]"
	@touch $@

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed for the front-end packages (axe-core)"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

clean:
	rm -rf $(VENV) node_modules staticfiles .prodcheck
