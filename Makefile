# civic-ledger developer entry points. Every target bootstraps the environment first:
# .venv (python3 -m venv) -> a pinned uv (pip) -> `uv sync --frozen --all-groups`.

PYTHON ?= python3
UV_VERSION := 0.13.9
VENV := .venv
BIN := $(VENV)/bin
UV_STAMP := $(VENV)/.uv-$(UV_VERSION)
# Re-synced whenever the lock or the project metadata changes.
STAMP := $(VENV)/.civic-synced

# uv must use this venv and never fetch a Python of its own.
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON_DOWNLOADS := never

.DEFAULT_GOAL := help
.PHONY: help env demo test test-slow lint serve bench postgres messages clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{ printf "  make %-10s %s\n", $$1, $$2 }'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(UV_STAMP): | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	@touch $@

# Bytecode is compiled once here: where PYTHONDONTWRITEBYTECODE is set (as on the team's machines),
# Python would otherwise compile every module again at each start of `civic` or of a test server.
$(STAMP): uv.lock pyproject.toml $(UV_STAMP)
	$(BIN)/uv sync --frozen --all-groups --compile-bytecode
	$(BIN)/python -m compileall -q -j 0 domain application interfaces
	@touch $@

env: $(STAMP) ## create or update .venv (all dependency groups)

demo: $(STAMP) ## run the scripted demonstration
	$(BIN)/civic demo

test: $(STAMP) ## run the test suite (without the slow tests)
	$(BIN)/pytest -m "not slow" $(PYTEST_ARGS)

test-slow: $(STAMP) ## run only the slow tests
	$(BIN)/pytest -m slow $(PYTEST_ARGS)

lint: $(STAMP) ## ruff check, ruff format --check, mypy --strict
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

serve: $(STAMP) ## run the HTTP API
	$(BIN)/civic serve

bench: $(STAMP) ## run the petition-signing benchmark
	$(BIN)/python benchmarks/sign_petition.py

messages: $(STAMP) ## extract the web pages' strings and update their catalogues (fr, en)
	$(BIN)/pybabel extract -F interfaces/web/babel.cfg -k N_ --no-location --sort-output \
		--project civic-ledger -o interfaces/web/locales/messages.pot .
	$(BIN)/pybabel update -i interfaces/web/locales/messages.pot -d interfaces/web/locales \
		--no-wrap --no-fuzzy-matching --ignore-obsolete

postgres: ## install and start a local PostgreSQL (root or sudo), print the URL to export
	@out=$$(bash .ci/postgres.sh) && url=$$(printf '%s\n' "$$out" | tail -n 1) && \
	echo && echo "export CIVIC_TEST_POSTGRES_URL=$$url"

clean: ## remove .venv and caches
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
