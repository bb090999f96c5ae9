# The two set-up commands of the README:
#   make run    install, build the graph, serve it on http://127.0.0.1:8000 (embedded Oxigraph store)
#   make test   install (test extras and system packages the tests drive), run the test suite
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

UI := server/ui/node_modules/@zazuko/yasgui/build/yasgui.min.js

.PHONY: install run build test lint system-tools bench-tools validators

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

# YASGUI and Swagger UI from the npm registry, served by our server (no CDN).
$(UI): server/ui/package.json server/ui/package-lock.json
	npm ci --prefix server/ui --no-audit --no-fund --ignore-scripts
	touch $(UI)

install: $(STAMP) $(UI)

# kgx and sssom-py validate the exports, roc-validator the release's RO-Crate; each pins libraries of its own
# (roc-validator an older rich), so each gets a venv of its own, installed from a frozen list (no dependency
# resolution on a fresh machine).
.venv-%/.installed: tests/tools/%-requirements.txt
	test -x .venv-$*/bin/python || $(PY) -m venv .venv-$*
	.venv-$*/bin/pip install -q --no-deps -r $<
	touch $@

validators: .venv-kgx/.installed .venv-sssom/.installed .venv-rocrate/.installed

# Debian's Chromium for the browser tests (Playwright drives /usr/bin/chromium), rapper
# (raptor2-utils), an independent RDF parser the dereferencing tests use, and Virtuoso Open Source 7, the
# second engine of the backend contract (the tests start their own, on free loopback ports: the package's
# service, which its install may start on 8890 and 1111 with the default DBA password, is stopped).
system-tools:
	command -v chromium >/dev/null && command -v rapper >/dev/null || \
		{ apt-get update -q && apt-get install -y -q chromium raptor2-utils; }
	command -v virtuoso-t >/dev/null || \
		{ apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q virtuoso-opensource && \
		  { invoke-rc.d virtuoso-opensource-7 stop >/dev/null 2>&1 || true; }; }

# wrk, the C load generator bench/compare.py drives the servers with (its default --driver), and the bench
# extra (matplotlib for its plot, rdflib-endpoint as a peer).
bench-tools: install
	$(BIN)/pip install -q -e '.[bench]'
	command -v wrk >/dev/null || { apt-get update -q && apt-get install -y -q wrk; }

build: install
	$(BIN)/dystonia-kg build

run: build
	$(BIN)/dystonia-kg serve

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

# Tests run in one process per core; a file's tests stay together (--dist loadfile), so a module's server or
# build is set up once.
test: install system-tools validators
	$(BIN)/python -m pytest -n auto --dist loadfile
	$(MAKE) --no-print-directory lint
