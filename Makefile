# Two commands: `make run` (demo on SQLite + filesystem broker) and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed

.PHONY: run test lint venv migrate demo bench clean sysdeps fuzz profile-suite screenshots

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found; set PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $(STAMP)

venv: $(STAMP)

var:
	@mkdir -p var/celery/queue var/celery/processed var/celery/control var/mail var/media var/static

migrate: venv var
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

# `make run` is the demo people try, so it runs as production does: DEBUG off, so a refused or
# missing page is the app's own 403/404 page (with DEBUG on, Django answers a 404 with its
# technical page listing every URL pattern), and static files collected and served by WhiteNoise.
# What stays local: a fixed dev-only secret key, and plain http on 127.0.0.1 (no HTTPS redirect, no HSTS,
# cookies not marked secure), which production turns on by default (housing/settings.py).
# For Django's debug pages, run `.venv/bin/python manage.py runserver` yourself (DEBUG defaults on).
RUN_ENV := DJANGO_DEBUG=false DJANGO_SECRET_KEY=dev-only-make-run-key-4c1e9a7f0b2d6e8a3f5c7b9d1e0a2c4f DJANGO_SECURE_COOKIES=false DJANGO_SECURE_SSL_REDIRECT=false DJANGO_SECURE_HSTS_SECONDS=0

# Web server, Celery worker and beat together; one Ctrl-C stops all three (scripts/run_all.py: each in its
# own process group, SIGTERM, then SIGKILL after RUN_STOP_GRACE seconds for one hung in warm shutdown).
run: demo sysdeps
	@$(PY) manage.py demo_accounts
	@$(RUN_ENV) $(PY) manage.py collectstatic --noinput >/dev/null
	@echo "Starting web (http://127.0.0.1:8000), worker and beat; Ctrl-C stops all."
	@$(RUN_ENV) exec $(PY) scripts/run_all.py --port 8000

lint: venv
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

sysdeps:
	@scripts/ensure_sysdeps.sh

# The suite runs on PYTEST_WORKERS pytest-xdist workers (a module's tests on one worker; each worker has its
# own test database and Redis database, tasks/tests/parallel.py). PYTEST_WORKERS=0 runs it in this process.
PYTEST_WORKERS ?= 2

test: venv var sysdeps
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	$(PY) manage.py makemigrations --check --dry-run >/dev/null || { echo "Migrations are out of date: run manage.py makemigrations"; exit 1; }
	$(BIN)/pytest -n $(PYTEST_WORKERS)

# Issue 11's long profile: the Hypothesis property suite with many more (random) examples and the
# review-race suite with 50 rounds per pair. The races need PostgreSQL: set DATABASE_URL=postgres://...
fuzz: venv var
	HARDENING_PROFILE=long $(BIN)/pytest tasks/tests/hardening

# Where the suite's time goes: the whole suite as `make test` runs it, each test's wall and CPU seconds
# recorded (tasks/tests/timeline.py), then summed per module and per worker (docs/testing.md).
profile-suite: venv var
	-$(BIN)/pytest -n $(PYTEST_WORKERS) -p tasks.tests.timeline
	$(PY) -m tasks.tests.timeline

# The browser journeys with their screenshots saved for review (make test takes none: tasks/tests/browser/shots.py).
screenshots: venv var sysdeps
	SCREENSHOT_DIR=$(CURDIR)/var/screenshots $(BIN)/pytest -n 0 tasks/tests/browser

# Every bench script that runs on its own (locustfile.py is locust's, province_data.py is province.py's
# builder, walk.py needs a kept bench database: bench/RESULTS.md says how to run those).
BENCH_SKIP := bench/locustfile.py bench/province_data.py bench/walk.py bench/__init__.py

bench: venv
	@for f in $(filter-out $(BENCH_SKIP),$(wildcard bench/*.py)); do echo "== $$f"; $(PY) $$f || exit 1; done

clean:
	rm -rf $(VENV) var
