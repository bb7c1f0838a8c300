# The two commands a newcomer needs: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export XEPLOAI_DATA_DIR ?= $(CURDIR)/data
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo serve test suite lint bench bench-nation bench-load install install-dev report-packages system-packages clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install -q -e '.[dev]'
	touch $@ $(VENV)/.installed

$(VENV)/.installed-load: pyproject.toml $(VENV)/.installed-dev
	$(BIN)/pip install -q -e '.[dev,load]'
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Debian packages: Pango and fonts with Vietnamese diacritics for the PDF reports; for the
# tests also chromium (browser tests) and poppler-utils (reading the PDFs back).
REPORT_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation2
TEST_PACKAGES := $(REPORT_PACKAGES) chromium poppler-utils
report-packages:
	@dpkg -s $(REPORT_PACKAGES) >/dev/null 2>&1 || { $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q --no-install-recommends $(REPORT_PACKAGES); }
system-packages:
	@dpkg -s $(TEST_PACKAGES) >/dev/null 2>&1 || { $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q --no-install-recommends $(TEST_PACKAGES); }

# Migrates, loads the demo district once, prints the persona logins, serves on $(HOST):$(PORT).
demo: install report-packages
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

# Benchmarks: each prints its figure beside a lower bound measured in the same run; the attack
# harness prints counts (what it tried, what got through) and fails when anything got through.
bench: install-dev
	$(BIN)/python bench/engine.py
	$(BIN)/python bench/demo_load.py
	$(BIN)/python bench/import_members.py --again
	$(BIN)/python bench/report.py
	$(BIN)/python bench/attack.py
	$(BIN)/python bench/integrity.py

# The nation on PostgreSQL (DATABASE_URL, by default the local server): built once into its
# own database (`xeploai demo --size nation`) and kept; `$(BIN)/python bench/nation.py --drop`
# removes it; `bench/partition.py` measures the evaluations partitioned by cycle on it.
# `bench-load` serves the same database with gunicorn and drives it with locust.
NATION_URL := $${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
bench-nation: install-dev
	DATABASE_URL=$(NATION_URL) $(BIN)/python bench/nation.py
	DATABASE_URL=$(NATION_URL) $(BIN)/python bench/partition.py --provinces 34

bench-load: $(VENV)/.installed-load
	DATABASE_URL=$(NATION_URL) $(BIN)/python bench/load.py

clean:
	rm -rf $(VENV) data
