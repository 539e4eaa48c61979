# `make run` serves the hub on http://127.0.0.1:$(PORT); `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
PORT ?= 5000
BIN := $(VENV)/bin
# The instance folder: the SQLite database, the search index and the secret key.
INSTANCE ?= instance
FLASK := HUB_INSTANCE_PATH="$(abspath $(INSTANCE))" $(BIN)/flask --app hub
# The secret key `make run` generates on first run, which the hub then reads by itself when
# HUB_SECRET_KEY is unset; production sets HUB_SECRET_KEY.
SECRET_FILE := $(INSTANCE)/secret_key

.PHONY: run admin flask test browser axe screenshots install install-test translations lint extract-messages update-catalogs clean bench-search bench-matching bench-pages eval-search

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed translations

install-test: $(VENV)/.installed-test translations

translations: $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -d translations

$(SECRET_FILE):
	mkdir -p $(INSTANCE)
	umask 077 && $(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(48))' > $@
	chmod 600 $@

run: install $(SECRET_FILE)
	$(FLASK) db upgrade
	$(FLASK) content load content/
	$(FLASK) search reindex
	@echo
	@echo "  The hub: http://127.0.0.1:$(PORT)/"
	@echo "  First admin, from another terminal: make admin EMAIL=you@example.org"
	@echo "  Any command: make flask ARGS='users --help' (or .venv/bin/flask --app hub ...)"
	@echo
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

# The first administrator (or any other): asks for a password, after `make run` migrated the
# database (it migrates here too, so it also works first).
admin: install $(SECRET_FILE)
	@[ -n "$(EMAIL)" ] || { echo "usage: make admin EMAIL=you@example.org [NAME='Your Name']"; exit 2; }
	@$(FLASK) db upgrade
	$(FLASK) users create "$(EMAIL)" --role admin --name "$(NAME)"

# Any hub command, with the instance folder's secret key: make flask ARGS="users token a@b.org"
flask: install $(SECRET_FILE)
	$(FLASK) $(ARGS)

# Debian's Chromium and ChromeDriver for tests/test_browser.py (a browser downloaded by a test
# tool fails here); installed once, with sudo when not root.
CHROMEDRIVER := /usr/bin/chromedriver
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

browser:
	@[ -x $(CHROMEDRIVER) ] && [ -x /usr/bin/chromium ] || { \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium chromium-driver >/dev/null; }

# axe-core for tests/test_accessibility.py, at the version pinned in tests/a11y/package-lock.json.
AXE := tests/a11y/node_modules/axe-core/axe.min.js

axe: $(AXE)

$(AXE): tests/a11y/package.json tests/a11y/package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing: install Node.js 18 or later (apt-get install nodejs npm)"; exit 1; }
	npm ci --prefix tests/a11y --no-audit --no-fund
	touch $@

# pytest-xdist: one worker per core; each worker builds its own template databases.
PYTEST_WORKERS ?= auto

test: install-test browser axe
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# The screenshots of docs/screenshots/, made by the accessibility tests in Chromium: home,
# network, a case, search, publishing and an exchange request, desktop and phone, en and ar.
# They are saved even when a check of those tests fails (and `make` then says so).
screenshots: install-test browser axe
	HUB_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest -q -p no:cacheprovider \
	  tests/test_accessibility.py -k "None or staff or zanzibar"

lint: install-test
	$(BIN)/ruff check .

# For translators: refresh the catalogs after changing strings in the code or templates.
extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o translations/messages.pot --no-location --sort-output --project hub .

update-catalogs: extract-messages
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete

# Search speed against a SQLite FTS5 baseline at 1k, 10k and 50k records (several minutes).
bench-search: install
	$(BIN)/python bench/search.py $(BENCH_ARGS)

# Relevance on the judged queries of tests/relevance/: MRR, recall and nDCG at 10 per language,
# for the hub and for SQLite FTS5 on the same documents, and the worst queries.
eval-search: install
	$(BIN)/python -m tests.relevance.evaluate $(EVAL_ARGS)

# The matching routine against greedy and first-come baselines on 5,000 real cities.
bench-matching: install
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python bench/matching.py $(BENCH_ARGS)

# Pages at network scale (20,000 cases, 500 cities) through gunicorn against a static file,
# on SQLite and PostgreSQL (README, "Speed"); BENCH_ARGS="--quick" for a short run.
bench-pages: install
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python bench/pages.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(INSTANCE)
