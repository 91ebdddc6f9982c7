# Fangkong: `make run` serves the demo, `make test` checks everything. See README.md.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 3
XDIST ?= -n 2 --dist loadfile

.PHONY: run test bench lint format messages install install-dev clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-dev: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'

run: install
	$(BIN)/python manage.py migrate --noinput -v0
	@# collectstatic (compressing the files) runs on the second core while the demo loads.
	$(BIN)/python manage.py collectstatic --noinput -v0 & collect=$$!; \
	  $(BIN)/python manage.py seed_demo && wait $$collect
	@echo ""
	@echo "Fangkong is at http://$(HOST):$(PORT)/  (Ctrl-C stops it)"
	$(BIN)/gunicorn fangkong.wsgi:application --bind $(HOST):$(PORT) --workers $(WORKERS) \
		--access-logfile - --log-level warning

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Refresh the Chinese catalogue after changing strings (needs GNU gettext: xgettext, msgfmt).
# The compiled .mo is committed, so running and testing Fangkong need no gettext tools.
messages: install-dev
	$(BIN)/python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=bench --no-obsolete
	$(BIN)/python manage.py compilemessages --ignore=.venv

# The suite runs on SQLite, and again on PostgreSQL when DATABASE_URL names one.
test: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DATABASE_URL= $(BIN)/python manage.py check --fail-level WARNING
	DATABASE_URL= $(BIN)/python manage.py makemigrations --check --dry-run
	DATABASE_URL= $(BIN)/pytest $(XDIST) -q
	@case "$$DATABASE_URL" in \
	  postgres*|pgsql*) echo "== the suite again, on PostgreSQL ($$DATABASE_URL)"; \
	    $(BIN)/pytest $(XDIST) -q ;; \
	  *) echo "(DATABASE_URL names no PostgreSQL database: the suite ran on SQLite only)" ;; \
	esac

# BENCH=checkin_http runs only the benchmarks named (see bench/__main__.py).
bench: install-dev
	$(BIN)/python -m bench $(BENCH)

clean:
	rm -rf $(VENV) staticfiles var/test*.sqlite3*
