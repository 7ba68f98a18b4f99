# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run serve test bench bench-load bench-abuse lint setup clean axe

setup: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

run: setup
	$(BIN)/planner demo
	$(BIN)/planner serve

# Production unless PLANNER_ENV_NAME says otherwise (then a strong secret key is required).
serve: export PLANNER_ENV_NAME ?= production
serve: setup
	$(BIN)/planner db upgrade
	$(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

# axe-core for the accessibility checks, from the npm registry, pinned in tests/axe/.
AXE := tests/axe/node_modules/axe-core/axe.min.js
axe: $(AXE)
$(AXE): tests/axe/package.json
	cd tests/axe && npm install --no-audit --no-fund --no-package-lock --silent
	test -f $(AXE) && touch $(AXE)

test: setup lint axe
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check planner tests bench
	$(BIN)/lint-imports

bench: setup
	$(BIN)/python bench/engine_bench.py
	$(BIN)/python bench/web_bench.py
	$(BIN)/python bench/documents_bench.py
	$(BIN)/python bench/limits_bench.py

bench-load: setup
	$(BIN)/python bench/load_bench.py

# Hostile input just inside and outside the limits of cost model §15, loopback only, ~75 s.
bench-abuse: setup
	$(BIN)/python bench/abuse_bench.py

clean:
	rm -rf $(VENV) instance .pytest_cache .hypothesis
