# The two set-up commands of the README:
#   make run    install, build the graph, serve it (embedded Oxigraph store)
#   make test   install (test extras and system packages the tests drive), run the test suite
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run build test lint

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

build: install
	$(BIN)/dystonia-kg build

run: build
	$(BIN)/dystonia-kg stats

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy

test: install
	$(BIN)/python -m pytest
	$(MAKE) --no-print-directory lint
