# The README and CI call these targets. `make demo` and `make test` are the two commands.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: install demo test lint typecheck unit server-start server-stop server-status server-reset \
        generate load bench clean

install: $(STAMP)  ## Python environment with the project and its dev tools

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	rm -f $(VENV)/.installed-* && touch $@

demo: install  ## Start Neo4j, generate and load the `small` brand
	$(BIN)/fission server start
	$(BIN)/fission generate --preset small --seed 7 --end today --format parquet
	$(BIN)/fission load .var/data/small
	@echo
	@echo "Neo4j is running at bolt://127.0.0.1:7687 (user neo4j, password in .var/neo4j-password)."
	@echo "Next: .venv/bin/fission --help; stop with: make server-stop"

test: install lint typecheck unit  ## Everything CI runs

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
