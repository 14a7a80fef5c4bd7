# Voxi's entry points. `make run` and `make test` are all a newcomer needs.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
STAMP := $(VENV)/.installed-stamp
CHROMIUM ?= chromium

.PHONY: install run test unit e2e lint bench chromium wrk ws clean

$(STAMP): requirements.lock pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check uv==0.13.8
	$(UV) pip sync -q --python $(PY) requirements.lock
	$(UV) pip install -q --python $(PY) --no-deps -e .
	touch $@

install: $(STAMP)

## run: start Voxi on an embedded PostgreSQL with sandbox providers at http://127.0.0.1:$${PORT:-8000}
run: install
	$(VENV)/bin/voxi serve --demo

## test: the whole suite (unit + integration on PostgreSQL, then the browser tests)
test: install chromium unit e2e

unit: install
	$(PY) -m pytest tests --ignore=tests/e2e

e2e: install chromium
	$(PY) -m pytest tests/e2e

## chromium: Debian's Chromium for the browser tests (never a downloaded browser)
chromium:
	@command -v $(CHROMIUM) >/dev/null || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

## wrk: Debian's HTTP load generator for `make bench` (a Python client cannot saturate the server)
wrk:
	@command -v wrk >/dev/null || { \
	  echo "installing Debian's wrk for the benchmarks"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

## ws: the `ws` npm package (pinned in bench/package-lock.json) for the media bridge's Node load generator
ws:
	@test -d bench/node_modules/ws || { \
	  echo "installing the ws package for the media bridge benchmark"; \
	  npm ci --prefix bench --no-audit --no-fund --loglevel=error >/dev/null; }

lint: install
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench
	$(VENV)/bin/mypy

bench: install wrk ws
	$(PY) -m bench.run

clean:
	rm -rf $(VENV) .voxi
