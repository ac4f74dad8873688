# Parcours: `make run` serves the product, `make test` passes the tests (see README.md).
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export DEBUG ?= true
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: install run serve migrate demo test test-fast lint format bench browser clean

$(STAMP): pyproject.toml
	test -x $(PY) || python3.11 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_geography

# The published PACA 2018-2022 bilan of the reference dataset first (about a minute, once), then the demo.
demo: migrate
	$(PY) manage.py seed_demo --with-reference

# `make run` serves as in production, without Django's debug pages (a 404 lists no URL), but over plain
# HTTP on this machine only: a fixed development key, no HTTPS redirect, static files read from the apps.
RUN_ADDRESS ?= 127.0.0.1:8000
RUN_ENV := DEBUG=false SECRET_KEY=make-run-development-key-never-used-in-production-0123456789 \
	SECURE_COOKIES=false SECURE_SSL_REDIRECT=false SECURE_HSTS_SECONDS=0 SERVE_STATIC_FROM_APPS=true

run: demo
	$(RUN_ENV) $(PY) manage.py runserver $(RUN_ADDRESS)

# Debian's Chromium for the browser tests (Playwright cannot download its own browser here).
browser:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)
	@command -v pdftotext >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils)

test: install browser
	$(PY) -m pytest -q -n 2 --dist loadfile

test-fast: install
	$(PY) -m pytest -q -m "not browser"

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# make bench PATHWAYS=1000000 ENGINE=sqlite (docs/performance.md); defaults 20000 and postgresql.
bench: install
	$(PY) -m benchmarks.run $(if $(PATHWAYS),--pathways $(PATHWAYS)) $(if $(ENGINE),--engine $(ENGINE))

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles media
