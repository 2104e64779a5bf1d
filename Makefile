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

run: install
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py demo --if-empty
	@echo "Linli: http://$(HOST):$(PORT)/  (Ctrl-C stops the web server, the task worker and the sweeps)"
	@DEBUG=1 $(BIN)/python manage.py db_worker --no-reload & worker=$$!; \
	DEBUG=1 $(BIN)/python manage.py casework_sweep --loop 300 & sweeper=$$!; \
	DEBUG=1 $(BIN)/python manage.py care_sweep --loop 300 & care=$$!; \
	trap 'kill $$worker $$sweeper $$care 2>/dev/null' EXIT INT TERM; \
	DEBUG=1 $(BIN)/python manage.py runserver --noreload $(HOST):$(PORT)

test: install-dev
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check linli bench conftest.py
	DEBUG=1 $(BIN)/mypy linli conftest.py
	$(BIN)/lint-imports

# Regenerate the English catalogue from the Chinese source strings (needs gettext).
messages: install-dev
	cd linli && DEBUG=1 ../$(BIN)/python ../manage.py makemessages -l en --ignore "tests/*"
	$(BIN)/python bin/fill_translations.py
	cd linli && DEBUG=1 ../$(BIN)/python ../manage.py compilemessages

clean:
	rm -rf $(VENV) var
