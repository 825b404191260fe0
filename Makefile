# Two commands: `make run` (demo on SQLite + filesystem broker) and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed

.PHONY: run test lint venv migrate demo bench clean sysdeps fuzz

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

# Web server, Celery worker and beat together; Ctrl-C stops all three.
run: demo sysdeps
	@$(PY) manage.py demo_accounts
	@echo "Starting web (http://127.0.0.1:8000), worker and beat; Ctrl-C stops all."
	@trap 'kill 0' INT TERM EXIT; \
	  $(BIN)/celery -A housing worker --loglevel=INFO --concurrency=2 --pool=prefork & \
	  $(BIN)/celery -A housing beat --loglevel=INFO --schedule=var/celerybeat-schedule & \
	  $(PY) manage.py runserver 127.0.0.1:8000 & \
	  wait

lint: venv
	$(BIN)/ruff check .

sysdeps:
	@scripts/ensure_sysdeps.sh

test: venv var sysdeps
	$(BIN)/ruff check .
	$(PY) manage.py makemigrations --check --dry-run >/dev/null || { echo "Migrations are out of date: run manage.py makemigrations"; exit 1; }
	$(BIN)/pytest

# Issue 11's long profile: the Hypothesis property suite with many more (random) examples and the
# review-race suite with 50 rounds per pair. The races need PostgreSQL: set DATABASE_URL=postgres://...
fuzz: venv var
	HARDENING_PROFILE=long $(BIN)/pytest tasks/tests/hardening

bench: venv
	@for f in bench/*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

clean:
	rm -rf $(VENV) var
