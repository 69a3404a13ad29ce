# `make demo` runs the main job on the real data; `make test` runs the tests.
# Both create .venv and install what they need on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEVOLUTION_DATA ?= $(abspath ../shared/data)
export DEVOLUTION_DATA

$(BIN)/devo: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/devo

install: $(BIN)/devo

demo: install
	DEVOLUTION_STORE=$${DEVOLUTION_STORE:-$(abspath build/devolution.duckdb)} $(BIN)/devo data load $(DEVOLUTION_DATA)
	DEVOLUTION_STORE=$${DEVOLUTION_STORE:-$(abspath build/devolution.duckdb)} $(BIN)/devo overview --out build/report.html

test: install
	$(BIN)/python -m pytest -q

# Every benchmark, each figure against its target and its peers measured in the same run; makes the
# store and the OpenFisca-Core peer's virtualenv first if they are missing (bench/all.py).
bench: install
	$(BIN)/python bench/all.py

clean:
	rm -rf $(VENV) build .pytest_cache

.PHONY: install demo test bench clean
