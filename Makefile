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

# Two pytest processes, one per core (each test is single-threaded; one process left a core idle):
# the web tests, whose output is printed when they end (build/test-web.log), and all the others.
# Each has its own temporary folder and its own store loaded from the data; both must pass.
test: install browser
	@mkdir -p build
	$(BIN)/python -m pytest -q --basetemp=build/pytest-web tests/web > build/test-web.log 2>&1 & web=$$!; \
	$(BIN)/python -m pytest -q --basetemp=build/pytest-rest --ignore=tests/web; rest=$$?; \
	wait $$web; web=$$?; echo "---- tests/web (build/test-web.log)"; cat build/test-web.log; \
	test $$rest -eq 0 && test $$web -eq 0
	@echo "Screenshots of every page kind (test artefacts): build/screenshots/"

# Every benchmark, each figure against its target and its peers measured in the same run; makes the
# store and the OpenFisca-Core peer's virtualenv first if they are missing (bench/all.py).
bench: install
	$(BIN)/python bench/all.py

clean:
	rm -rf $(VENV) build .pytest_cache

.PHONY: install browser demo test bench clean
