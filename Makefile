# Linli: `make run` serves the demo city at http://127.0.0.1:8000, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run test install install-dev lint messages demo worker clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# The demo install's development settings, read by manage.py (never by the WSGI server), so
# the README's commands work as written after `make run`. Delete the file to leave dev mode.
var/dev.env:
	mkdir -p var
	printf '# written by make run: development values for manage.py on this machine\nDEBUG=1\n' > $@

run: install var/dev.env
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo --if-empty
	$(BIN)/python manage.py tasks_recover --stale-after 0  # no worker runs yet: requeue what a killed one held
	@echo "Linli: http://$(HOST):$(PORT)/  (Ctrl-C stops the web server, the task worker and the sweeps)"
	@$(BIN)/python manage.py db_worker --no-reload & worker=$$!; \
	$(BIN)/python manage.py casework_sweep --loop 300 & sweeper=$$!; \
	$(BIN)/python manage.py care_sweep --loop 300 & care=$$!; \
	$(BIN)/python manage.py mediation_sweep --loop 300 & mediation=$$!; \
	$(BIN)/python manage.py matching_sweep --loop 60 & matching=$$!; \
	$(BIN)/python manage.py evaluation_snapshot --loop 3600 & evaluation=$$!; \
	$(BIN)/python manage.py station_sweep --loop 300 & station=$$!; \
	$(BIN)/python manage.py fieldwork_sweep --loop 300 & fieldwork=$$!; \
	$(BIN)/python manage.py tasks_recover --loop 300 & recover=$$!; \
	trap 'kill $$worker $$sweeper $$care $$mediation $$matching $$evaluation $$station $$fieldwork $$recover 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver --noreload $(HOST):$(PORT)

test: install-dev
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/lint-imports
	$(BIN)/ruff check .
	$(BIN)/ruff format --check linli bench conftest.py
	DEBUG=1 $(BIN)/mypy linli conftest.py

# The .po is the source of truth (needs gettext): add the strings the sources mark (empty,
# or fuzzy when msgmerge guesses), drop unused ones, compile the .mo (committed, so `make run`
# needs no gettext). Translate what is empty or fuzzy in linli/locale/en/LC_MESSAGES/django.po,
# then run it again. Run from linli/, so the venv is not scanned; core/tests/test_i18n.py
# uses the same options.
messages: install-dev
	cd linli && DEBUG=1 ../$(BIN)/python ../manage.py makemessages -l en --no-obsolete --ignore "tests/*"
	cd linli && DEBUG=1 ../$(BIN)/python ../manage.py compilemessages -l en

clean:
	rm -rf $(VENV) var
