# The two commands: `make run` serves the demo (web pages at http://127.0.0.1:8000/); `make test` runs the whole suite (SQLite and PostgreSQL).
# `make bench` measures the hub against raw baselines (BENCH_FULL=1 for the 1M-event runs).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench audit-deps clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	mkdir -p var
	HUB_DEMO=true $(BIN)/hub serve

NODE_STAMP := node_modules/.installed

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $(NODE_STAMP)

test: $(STAMP) $(NODE_STAMP)
	./scripts/ensure-postgres.sh
	./scripts/ensure-chromium.sh
	./scripts/ensure-wrk.sh
	$(BIN)/pytest -n auto --dist loadfile

bench: $(STAMP)
	./scripts/ensure-postgres.sh
	./scripts/ensure-wrk.sh
	$(BIN)/python -m bench

# Known vulnerabilities in the installed dependencies (needs the PyPI or OSV vulnerability service to be reachable).
audit-deps: $(STAMP)
	$(BIN)/pip-audit --skip-editable

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) node_modules var .pytest_cache .mypy_cache .ruff_cache
