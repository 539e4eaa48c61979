# `make run` serves the hub on http://127.0.0.1:$(PORT); `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
PORT ?= 5000
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app hub
# The secret key `make run` generates on first run; production sets HUB_SECRET_KEY itself.
SECRET_FILE := instance/secret_key

.PHONY: run test browser install install-test translations lint extract-messages update-catalogs clean bench-search bench-matching bench-pages eval-search

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
	mkdir -p instance
	$(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(48))' > $@
	chmod 600 $@

run: install $(SECRET_FILE)
	HUB_SECRET_KEY="$$(cat $(SECRET_FILE))" $(FLASK) db upgrade
	HUB_SECRET_KEY="$$(cat $(SECRET_FILE))" $(FLASK) content load content/
	HUB_SECRET_KEY="$$(cat $(SECRET_FILE))" $(FLASK) search reindex
	HUB_SECRET_KEY="$$(cat $(SECRET_FILE))" $(FLASK) run --host 127.0.0.1 --port $(PORT)

# Debian's Chromium and ChromeDriver for tests/test_browser.py (a browser downloaded by a test
# tool fails here); installed once, with sudo when not root.
CHROMEDRIVER := /usr/bin/chromedriver
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

browser:
	@[ -x $(CHROMEDRIVER) ] && [ -x /usr/bin/chromium ] || { \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium chromium-driver >/dev/null; }

# pytest-xdist: one worker per core; each worker builds its own template databases.
PYTEST_WORKERS ?= auto

test: install-test browser
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

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
	rm -rf $(VENV) instance
