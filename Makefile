# The README and CI call these targets. `make demo` and `make test` are the two commands.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: install browser demo test lint typecheck unit server-start server-stop server-status server-reset \
        bench clean

install: $(STAMP)  ## Python environment with the project and its dev tools

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	rm -f $(VENV)/.installed-* && touch $@

demo: install browser  ## Neo4j + the `small` demo brand loaded + the API and maps on :8000
	$(BIN)/fission demo

test: install browser lint typecheck unit  ## Everything CI runs

browser:  ## Debian's Chromium, for the browser test and PNG export
	bash scripts/install-browser.sh

unit: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

server-start: install
	$(BIN)/fission server start

server-stop: install
	$(BIN)/fission server stop

server-status: install
	$(BIN)/fission server status

server-reset: install
	$(BIN)/fission server reset --yes

clean:
	rm -rf $(VENV) .var .pytest_cache .mypy_cache .ruff_cache

bench: install  ## Benchmarks (minutes): loading, analytics and maps; results in benchmarks/results
	$(BIN)/python -m benchmarks.load --preset small --format parquet
	$(BIN)/python -m benchmarks.load --preset medium --format parquet
	$(BIN)/python -m benchmarks.unwind_baseline --preset medium
	$(BIN)/python -m benchmarks.analytics --preset small
	$(BIN)/python -m benchmarks.analytics --preset medium
	$(BIN)/python -m benchmarks.maps
