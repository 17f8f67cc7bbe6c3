# Two commands: `make demo` and `make test`. Both create .venv themselves.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: venv demo test lint typecheck contracts pytest bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	@# The CPU build of torch goes in first, so nothing later pulls a multi-GB CUDA build.
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

.env:
	@echo "Generating a local PAINPOINT_SECRET_KEY in .env (keep it secret, keep it stable)"
	@echo "PAINPOINT_SECRET_KEY=$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(32))')" > .env

demo: venv .env
	@grep -q '^PAINPOINT_SECRET_KEY=' .env || echo "PAINPOINT_SECRET_KEY=$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(32))')" >> .env
	$(VENV)/bin/painpoint demo

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: venv
	$(VENV)/bin/mypy

# The layers (pyproject.toml [tool.importlinter]): a broken contract fails the build.
contracts: venv
	$(VENV)/bin/lint-imports

# pytest's exit code is kept in var/pytest-exit-code so .ci/run can tell "no tests" (5) apart.
pytest: venv
	@mkdir -p var
	@$(PY) -m pytest $(PYTEST_ARGS); rc=$$?; echo $$rc > var/pytest-exit-code; exit $$rc

test: lint typecheck contracts pytest

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
