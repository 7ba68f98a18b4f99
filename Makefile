# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench lint setup clean

setup: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

run: setup
	$(BIN)/planner demo
	$(BIN)/planner serve

test: setup lint
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check planner tests bench
	$(BIN)/lint-imports

bench: setup
	$(BIN)/python bench/engine_bench.py
	$(BIN)/python bench/web_bench.py
	$(BIN)/python bench/documents_bench.py

clean:
	rm -rf $(VENV) instance .pytest_cache .hypothesis
