# The README's commands. `make run` and `make test` work on a fresh machine with Python 3.11.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
# Parallel test processes (pytest-xdist); 1 runs the suite in this process.
TEST_WORKERS ?= auto
export FLASK_APP := app

.PHONY: run test lint screenshots format translations compile-translations install install-test \
	clean bench system-packages run-system-packages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-test: requirements.txt requirements-test.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-test.txt
	touch $(VENV)/.installed $@

# Chromium, PostgreSQL, Pango and fonts (.ci/system-packages): installed with apt-get when run
# as root, else named in one message.
# Node.js (stylelint, the Nu HTML checker) and Java (the checker) are checked by command: they
# may come from outside Debian's packages.
system-packages:
	@bash .ci/install-system-packages $(if $(shell command -v npm),,nodejs npm) \
	  $(if $(shell command -v java),,default-jre-headless)

# `make run` needs only what the PDF downloads use, not the browser and database of the tests.
run-system-packages:
	@bash .ci/install-system-packages --run

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

compile-translations: $(VENV)/.installed
	$(BIN)/pybabel compile -d lean/translations

run: run-system-packages install compile-translations
	$(BIN)/flask init-db
	$(BIN)/flask seed-demo --if-empty
	BIN=$(BIN) PORT=$(PORT) bash tools/run-with-worker.sh

test: system-packages install-test compile-translations node_modules/.installed
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# The same tests on a throwaway PostgreSQL server (needs Debian's postgresql package; see .ci/).
.PHONY: test-postgres
test-postgres: system-packages install-test compile-translations node_modules/.installed
	bash .ci/with-postgres.sh $(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# stylelint and the Nu HTML checker come from npm (package.json); node_modules stays out of git.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

lint: install-test node_modules/.installed compile-translations
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -q -c pyproject.toml -r lean bench app.py --severity-level medium
	# The layers (.importlinter): seeds over areas over shared over core over models.
	$(BIN)/lint-imports
	# Types ([tool.mypy] in pyproject.toml).
	$(BIN)/mypy
	npx --no-install stylelint "static/css/**/*.css"

# PNGs of every main page per role at 1366×768, 390×844 and 1920×1080 into screenshots/.
screenshots: install-test compile-translations
	$(BIN)/python tools/screenshots.py

format: install-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Extract strings from the code and templates, merge them into the fi and sv catalogs.
translations: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k ngettext:1,2 --no-location --sort-output \
	  -o lean/translations/messages.pot . templates/_macros
	$(BIN)/pybabel update --no-fuzzy-matching -i lean/translations/messages.pot -d lean/translations
	$(BIN)/pybabel compile -d lean/translations

# The performance budget's pages at full scale, in process and under gunicorn + wrk
# (bench/README.md). The SQLite data is built once and kept for the next runs; bench-clean
# removes it. PostgreSQL's server is a throwaway one: each run seeds it anew.
BENCH_DATABASE ?= instance/bench/full.sqlite
BENCH_ARGS ?= --full --explain --server
.PHONY: bench-postgres bench-clean wrk
wrk:
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)

bench: install-test compile-translations wrk
	mkdir -p $(dir $(BENCH_DATABASE))
	LEAN_BENCH_DATABASE_URL=sqlite:///$(abspath $(BENCH_DATABASE)) $(BIN)/python -m bench.run $(BENCH_ARGS)

bench-postgres: install-test compile-translations wrk
	bash .ci/with-postgres.sh sh -c \
	  'LEAN_BENCH_DATABASE_URL="$$LEAN_TEST_DATABASE_URL" $(BIN)/python -m bench.run $(BENCH_ARGS)'

bench-clean:
	rm -f $(BENCH_DATABASE) $(BENCH_DATABASE)-wal $(BENCH_DATABASE)-shm

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
