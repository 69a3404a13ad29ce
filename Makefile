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

bench: install
	for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) build .pytest_cache

.PHONY: install demo test bench clean
