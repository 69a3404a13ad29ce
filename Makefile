# `make demo` runs the main job on the real data; `make test` runs the tests.
# Both create .venv and install what they need on a fresh machine (with only Python and make):
# the venv module if Debian left it out, the Python packages, and for the tests Debian's Chromium.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEVOLUTION_DATA ?= $(abspath ../shared/data)
export DEVOLUTION_DATA

$(BIN)/devo: pyproject.toml
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); sh .ci/install-debian.sh python3-venv && $(PYTHON) -m venv $(VENV); }
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/devo

install: $(BIN)/devo

# Debian's Chromium for the browser tests (a no-op when present; PostgreSQL is installed by the
# test fixture that starts it, tests/web/conftest.py::postgres_url).
browser:
	sh .ci/install-browser.sh

demo: install
	DEVOLUTION_STORE=$${DEVOLUTION_STORE:-$(abspath build/devolution.duckdb)} $(BIN)/devo data load $(DEVOLUTION_DATA)
	DEVOLUTION_STORE=$${DEVOLUTION_STORE:-$(abspath build/devolution.duckdb)} $(BIN)/devo overview --out build/report.html

test: install browser
	$(BIN)/python -m pytest -q
	@echo "Screenshots of every page kind (test artefacts): build/screenshots/"

# Every benchmark, each figure against its target and its peers measured in the same run; makes the
# store and the OpenFisca-Core peer's virtualenv first if they are missing (bench/all.py).
bench: install
	$(BIN)/python bench/all.py

clean:
	rm -rf $(VENV) build .pytest_cache

.PHONY: install browser demo test bench clean
