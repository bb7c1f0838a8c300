# The two commands a newcomer needs: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export XEPLOAI_DATA_DIR ?= $(CURDIR)/data
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo serve test suite lint bench install install-dev system-packages clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install -q -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Debian packages the tests need: chromium for the browser tests.
system-packages:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q --no-install-recommends chromium; }

# Migrates, loads the demo district once, prints the persona logins, serves on $(HOST):$(PORT).
demo: install
	$(BIN)/xeploai demo --bind $(HOST):$(PORT)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy xeploai bench
	HTTPS=true $(BIN)/xeploai check --deploy --fail-level WARNING
	$(BIN)/xeploai makemigrations --check --dry-run

suite: install-dev system-packages
	$(BIN)/pytest -n 2 -q

test: lint suite

# Benchmarks: each prints its figure beside a lower bound measured in the same run.
bench: install-dev
	$(BIN)/python bench/engine.py
	$(BIN)/python bench/demo_load.py
	$(BIN)/python bench/import_members.py --again

clean:
	rm -rf $(VENV) data
