# The README and CI call these targets. `make demo` and `make test` are the two commands.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: install browser demo test lint typecheck unit server-start server-stop server-status server-reset \
        watch import bench bench-quick clean messages

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

# The pages' messages: extract every _()/gettext id from api/ (babel.cfg) and merge them into the
# one catalogue, api/locale/zh_Hans/LC_MESSAGES/messages.po; new entries then need a msgstr.
# The catalogue is compiled in memory when the app starts (nothing generated is kept).
messages: install
	$(BIN)/pybabel extract -F babel.cfg --no-location --sort-output --omit-header \
	  -o api/locale/messages.pot .
	$(BIN)/pybabel update -i api/locale/messages.pot -d api/locale -l zh_Hans \
	  --width 100 --ignore-obsolete
	rm api/locale/messages.pot

DROP ?= .var/drop
WATCH_ARGS ?=
watch: install  ## Load every file dropped into $(DROP) (README: Running it every day); Ctrl-C stops
	mkdir -p $(DROP)
	$(BIN)/fission watch $(DROP) $(WATCH_ARGS)

import: install  ## Bulk first load of DIR into the local server: make import DIR=exports/ [ARGS=--replace]
	@test -n "$(DIR)" || (echo "usage: make import DIR=<folder of event files> [ARGS=--replace]"; exit 2)
	$(BIN)/fission import $(DIR) $(ARGS)

clean:
	rm -rf $(VENV) .var .pytest_cache .mypy_cache .ruff_cache

LOCK := flock /tmp/fission-heavy.lock

# Every preset (hours on the reference machine): medium and large hold the machine-wide lock.
bench: install  ## Benchmarks at small, medium and large; results in benchmarks/results, then BENCHMARKS.md
	$(BIN)/python -m benchmarks.load --preset small --format parquet
	$(BIN)/python -m benchmarks.unwind_baseline --preset small
	$(BIN)/python -m benchmarks.bulk_import --preset small
	$(BIN)/python -m benchmarks.at_scale --preset small --heap 2g --pagecache 2g
	$(LOCK) $(BIN)/python -m benchmarks.load --preset medium --format parquet
	$(LOCK) $(BIN)/python -m benchmarks.unwind_baseline --preset medium
	$(LOCK) $(BIN)/python -m benchmarks.bulk_import --preset medium
	$(LOCK) $(BIN)/python -m benchmarks.at_scale --preset medium
	$(LOCK) $(BIN)/python -m benchmarks.load --preset large --format parquet --heap 4g --pagecache 8g
	$(LOCK) $(BIN)/python -m benchmarks.bulk_import --preset large
	$(LOCK) $(BIN)/python -m benchmarks.at_scale --preset large --no-networkx
	$(BIN)/python -m benchmarks.maps
	$(LOCK) $(BIN)/python -m benchmarks.pages
	$(BIN)/python -m benchmarks.report

bench-quick: install  ## A few minutes: the API and influence at small again, then BENCHMARKS.md
	$(BIN)/python -m benchmarks.at_scale --preset small --heap 2g --pagecache 2g --seconds 3 --repeat 2
	$(BIN)/python -m benchmarks.report
