# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
STAMP := $(VENV)/.installed
RUNTIME_STAMP := $(VENV)/.installed-runtime
SYSTEM := $(PYTHON) scripts/system_packages.py
# The pinned uv that installs the lock files (from PyPI, hash-checked by pip).
UV_VERSION := 0.13.9
# pytest processes for `make test` (pytest-xdist): one per core of the 2-core reference machine.
TEST_WORKERS ?= 2
# Python caches byte-code for .venv, the project and the tests (pytest's assertion rewriting
# included) as it imports them: with PYTHONDONTWRITEBYTECODE set, every run would recompile
# all of it, seconds each time.
unexport PYTHONDONTWRITEBYTECODE
# Byte-code is compiled at install, for the packages and the project: a server user that cannot
# write to .venv (or a shell with PYTHONDONTWRITEBYTECODE) would otherwise compile every import
# at every start (about twice the start-up of `planner project`).
UV_INSTALL := $(UV) pip install --quiet --compile-bytecode --python $(BIN)/python
COMPILE := $(BIN)/python -m compileall -q planner
LOCK_FLAGS := --quiet --generate-hashes --python-version 3.11 --python-platform linux \
	--custom-compile-command "make lock"

.PHONY: run serve test test-fast bench bench-load bench-public bench-abuse lint format format-check lock lock-check \
	setup setup-runtime system-run system-test clean axe typecheck

# --- Set-up ------------------------------------------------------------------------------
# System packages (Debian): scripts/system-packages.txt lists them; the script installs the
# missing ones as root, or stops and prints the apt-get command.
system-run:
	@$(SYSTEM) install run
system-test:
	@$(SYSTEM) install run test

# Python packages, hash-checked, from two lock files compiled from pyproject.toml:
# requirements.lock (what the app runs on; `make serve` and production install only this)
# and requirements-dev.lock (the same pins plus tests, lint and the load benchmark).
# Each is installed again only when it changes.
setup: $(STAMP)
setup-runtime: $(RUNTIME_STAMP)

$(UV): requirements-bootstrap.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements-bootstrap.lock
	touch $(UV)

$(RUNTIME_STAMP): requirements.lock pyproject.toml | $(UV)
	$(UV_INSTALL) --require-hashes -r requirements.lock
	$(UV_INSTALL) --no-deps -e .
	$(COMPILE)
	touch $@

$(STAMP): requirements-dev.lock requirements.lock pyproject.toml | $(UV)
	$(UV_INSTALL) --require-hashes -r requirements-dev.lock
	$(UV_INSTALL) --no-deps -e .
	$(COMPILE)
	touch $@ $(RUNTIME_STAMP)

# Regenerate the lock files after changing the dependencies in pyproject.toml; versions
# already locked are kept (make lock LOCK_ARGS=--upgrade takes the newest).
lock: $(UV)
	$(UV) pip compile pyproject.toml $(LOCK_FLAGS) $(LOCK_ARGS) -o requirements.lock
	$(UV) pip compile pyproject.toml --extra dev -c requirements.lock $(LOCK_FLAGS) $(LOCK_ARGS) \
		-o requirements-dev.lock
	echo "uv==$(UV_VERSION)" | $(UV) pip compile - $(LOCK_FLAGS) -o requirements-bootstrap.lock

# Fails when the lock files no longer match pyproject.toml (asks PyPI; not in make test).
lock-check: $(UV)
	tmp=$$(mktemp -d) && cp pyproject.toml README.md requirements*.lock $$tmp/ && cd $$tmp && \
	$(CURDIR)/$(UV) pip compile pyproject.toml $(LOCK_FLAGS) -o requirements.lock && \
	$(CURDIR)/$(UV) pip compile pyproject.toml --extra dev -c requirements.lock $(LOCK_FLAGS) \
		-o requirements-dev.lock && \
	diff -u $(CURDIR)/requirements.lock requirements.lock && \
	diff -u $(CURDIR)/requirements-dev.lock requirements-dev.lock && rm -r $$tmp

# --- Running -----------------------------------------------------------------------------
# `planner serve` runs the job worker's threads in its own process (simulations, PDFs).
run: system-run setup-runtime
	$(BIN)/planner demo
	$(BIN)/planner serve

# Production unless PLANNER_ENV_NAME says otherwise (then a strong secret key is required).
# gunicorn.conf.py starts the job worker (`planner worker`) beside the web workers; with
# PLANNER_RUN_WORKER=0 it does not, and `make worker` runs it on another machine
# (docs/deployment.md).
serve: export PLANNER_ENV_NAME ?= production
serve: system-run setup-runtime
	$(BIN)/planner db upgrade
	$(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

# --- Tests -------------------------------------------------------------------------------
# axe-core for the accessibility checks, from the npm registry, pinned in tests/axe/.
AXE := tests/axe/node_modules/axe-core/axe.min.js
axe: $(AXE)
$(AXE): tests/axe/package.json
	cd tests/axe && npm install --no-audit --no-fund --no-package-lock --silent
	test -f $(AXE) && touch $(AXE)

# Everything: lint, the import contract, every test (both engines when
# PLANNER_TEST_POSTGRES_URL is set), the browser; Hypothesis's thorough profile.
test: system-test setup lint axe
	HYPOTHESIS_PROFILE=$${HYPOTHESIS_PROFILE:-ci} $(BIN)/python -m pytest -q \
		-n $(TEST_WORKERS) --dist loadgroup --durations=15

# The edit-test loop: engine, services, CLI and documents without a browser, the Flask app,
# PostgreSQL or fuzzing (pytest markers, see pyproject.toml); Hypothesis's quick profile. A
# module whose `pytestmark` deselects all its tests is not even imported, and the few tests that
# load WeasyPrint run first, on the worker `--dist load` gives the first tests (tests/conftest.py).
test-fast: system-run setup
	PLANNER_TEST_POSTGRES_URL= HYPOTHESIS_PROFILE=$${HYPOTHESIS_PROFILE:-dev} \
		$(BIN)/python -m pytest -q -p no:cacheprovider -n $(TEST_WORKERS) \
		-m "not browser and not web and not postgres and not fuzz and not slow"

lint: setup
	$(BIN)/ruff check planner tests bench scripts
	$(BIN)/ruff format --check planner tests bench scripts
	$(BIN)/lint-imports
	$(BIN)/mypy

# mypy with the settings of pyproject.toml: strict for the engine (planner.scenarios), mypy's
# defaults elsewhere; at zero errors, and part of `make lint` (so of `make test`).
typecheck: setup
	$(BIN)/mypy

# Formatting with ruff format (configured in pyproject.toml); `make lint` checks it.
format: setup
	$(BIN)/ruff format planner tests bench scripts
format-check: setup
	$(BIN)/ruff format --check planner tests bench scripts

bench: setup
	$(BIN)/python bench/engine_bench.py
	$(BIN)/python bench/web_bench.py
	$(BIN)/python bench/documents_bench.py
	$(BIN)/python bench/limits_bench.py
	$(BIN)/python bench/sim_bench.py
	$(BIN)/python bench/sim_web_bench.py
	$(BIN)/python bench/options_bench.py
	$(BIN)/python bench/queue_bench.py
	$(BIN)/python bench/limits_gunicorn_bench.py
	$(BIN)/python bench/statewide_bench.py
	$(BIN)/python bench/public_bench.py

.PHONY: worker
worker: system-run setup-runtime
	$(BIN)/planner worker

bench-load: setup
	$(BIN)/python bench/load_bench.py

# 200 anonymous readers of a public page (issue 24) against gunicorn on 127.0.0.1, bounded.
bench-public: setup
	$(BIN)/python bench/public_bench.py --load

# Hostile input just inside and outside the limits of cost model §15, loopback only, ~75 s.
bench-abuse: setup
	$(BIN)/python bench/abuse_bench.py

clean:
	rm -rf $(VENV) instance .pytest_cache .hypothesis
