# The console's tasks. `make run` serves the console; `make test` is what CI runs (.ci/run).
# Both start from a fresh clone: the virtualenv is (re)built from the pinned requirements when they change.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PY := .venv/bin/python
RUFF := .venv/bin/ruff
VENV := .venv/.installed
PYTHON_FOR_VENV := $(shell command -v python3.11 || command -v python3)
# The servers (PostgreSQL, Redis, SeaweedFS) that the environment does not give are started around a command.
SERVERS := $(PY) -m devtools.servers run
PYTEST_ARGS ?=
BENCH_JOBS ?= 10000
TEST_STORAGE_BUCKET ?= console-storage
CHROMIUM := /usr/bin/chromium
FRONTEND := $(wildcard frontend/package.json)

.PHONY: help run test lint fmt bench clean frontend frontend-check chromium screenshots

help:
	@echo "make run     migrate, build, seed the demo, then serve the console with a worker and a local OBS"
	@echo "make test    lint, frontend checks, migrations check and the whole pytest suite (PYTEST_ARGS=...)"
	@echo "make lint    ruff check + format --check, import-linter, mypy;   make fmt   fix what ruff can"
	@echo "make bench   benchmarks (BENCH_JOBS=$(BENCH_JOBS))"
	@echo "make screenshots   refresh docs/screenshots/ from the browser tests"
	@echo "make clean   caches and build output (keeps .venv and var/)"

$(VENV): $(wildcard requirements*.txt)
	@if ! $(PY) -c 'import sys' 2>/dev/null; then \
		test -n "$(PYTHON_FOR_VENV)" || { echo "python3.11 (or python3) is needed to create .venv" >&2; exit 1; }; \
		echo "creating .venv with $(PYTHON_FOR_VENV)"; \
		rm -rf .venv; \
		$(PYTHON_FOR_VENV) -m venv .venv; \
	fi
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

# --- the console -------------------------------------------------------------------------------------

run: $(VENV) frontend
	$(PY) -m devtools.run

# The built assets land in static/console/. `make run` goes on without them when node/npm are missing.
frontend:
ifeq ($(FRONTEND),)
	@echo "no frontend/package.json: nothing to build"
else
	@if ! command -v npm >/dev/null; then \
		echo "node/npm not found: skipping the frontend build (install nodejs and npm to get the console UI)"; \
	else \
		$(MAKE) --no-print-directory frontend/node_modules/.installed && cd frontend && npm run build; \
	fi
endif

frontend/node_modules/.installed: $(wildcard frontend/package.json frontend/package-lock.json)
	cd frontend && if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
	@touch $@

# --- checks ------------------------------------------------------------------------------------------

test: $(VENV)
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory frontend-check
	$(MAKE) --no-print-directory chromium
	$(SERVERS) --need postgres -- $(PY) manage.py makemigrations --check --dry-run
	$(SERVERS) --need postgres,redis,seaweedfs -- env -u OBS_BUCKET $(PY) -m pytest $(PYTEST_ARGS)
	@echo "the OBS and worker tests again, in the production layout (uploads and packages in OBS_BUCKET):"
	$(SERVERS) --need postgres,redis,seaweedfs -- env OBS_BUCKET=$(TEST_STORAGE_BUCKET) \
		$(PY) -m pytest -m "(obs or worker) and not e2e" $(PYTEST_ARGS)

# The import layers of DESIGN.md (import-linter) and the types (mypy with the Django and DRF plugins; the
# plugin imports factory.settings, hence the repository root on PYTHONPATH). Both read pyproject.toml.
lint: $(VENV)
	$(RUFF) check .
	$(RUFF) format --check .
	PYTHONPATH=. .venv/bin/lint-imports
	PYTHONPATH=. $(PY) -m mypy factory

fmt: $(VENV)
	$(RUFF) check --fix .
	$(RUFF) format .

# The generated API types against the server's schema, type check, unit tests and the build that the
# browser tests load.
frontend-check:
ifeq ($(FRONTEND),)
	@echo "no frontend/package.json: no frontend checks"
else
	@command -v npm >/dev/null || { echo "make test needs node and npm for the frontend (apt-get install nodejs npm)" >&2; exit 1; }
	$(MAKE) --no-print-directory frontend/node_modules/.installed
	$(PY) -m devtools.api_schema
	cd frontend && npx tsc --noEmit
	cd frontend && npm test -- --run
	cd frontend && npm run build
endif

# The browser tests drive Debian's Chromium (Playwright cannot download its own browsers here).
chromium:
	@if [ -x $(CHROMIUM) ]; then \
		:; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing Chromium for the browser tests: apt-get install -y chromium"; \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	else \
		echo "the browser tests need Chromium at $(CHROMIUM): install it with 'sudo apt-get install chromium'" >&2; \
		exit 1; \
	fi

# Refresh the screenshots in docs/screenshots/ (the browser tests write them to test-results/ otherwise).
screenshots: $(VENV) frontend chromium
	SCREENSHOTS=docs $(SERVERS) --need postgres,redis,seaweedfs -- $(PY) -m pytest tests/e2e

bench: $(VENV)
	@if [ ! -f bench/__main__.py ]; then echo "no benchmarks yet"; exit 1; fi
	BENCH_JOBS=$(BENCH_JOBS) $(SERVERS) --need postgres,redis,seaweedfs -- $(PY) -m bench

clean:
	rm -rf static/console test-results .pytest_cache .ruff_cache
	find . -path ./.venv -prune -o -path ./frontend/node_modules -prune -o \
		\( -name __pycache__ -o -name '*.pyc' \) -print0 | xargs -0 rm -rf
