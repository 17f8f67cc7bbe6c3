# Two commands: `make demo` and `make test`. Both create .venv themselves.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Which interpreter made .venv: a different one (another version or install) rebuilds it.
ID_CODE := import sys; print(sys.version.split()[0], sys.base_prefix)
PYTHON_ID = $(shell $(PYTHON) -c '$(ID_CODE)' 2>/dev/null)
TORCH_VERSION := 2.13.0
# PyTorch's index of CPU-only wheels. PyPI's Linux wheel is the CUDA build (several GB).
TORCH_CPU_INDEX := https://download.pytorch.org/whl/cpu
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: venv install python-check demo test lint typecheck contracts pytest bench clean

# Checked before anything is installed: the version, and whether .venv came from this Python.
python-check:
	@$(PYTHON) -c 'import sys; raise SystemExit(sys.version_info < (3, 11))' 2>/dev/null || { \
	  echo "painpoint needs Python 3.11 or newer; '$(PYTHON)' is: $$($(PYTHON) --version 2>&1 || echo 'not found')."; \
	  echo "Run it with a newer one, e.g.: make $(or $(MAKECMDGOALS),demo) PYTHON=python3.11"; \
	  exit 1; }
	@if [ -d $(VENV) ] && [ "$$($(PY) -c '$(ID_CODE)' 2>/dev/null)" != "$(PYTHON_ID)" ]; then \
	  echo "$(VENV) was made by another Python; rebuilding it with $(PYTHON) ($(PYTHON_ID))"; \
	  rm -rf $(VENV); fi

venv: python-check
	@if [ ! -f $(STAMP) ] || [ pyproject.toml -nt $(STAMP) ]; then $(MAKE) --no-print-directory install; fi

# The CPU build of torch goes in first, so nothing later pulls the CUDA build: from PyTorch's
# CPU index when it answers, else from the default index (a local CPU wheel where pip has one).
install:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	@if $(PY) -c 'import urllib.request as u; u.urlopen("$(TORCH_CPU_INDEX)/torch/", timeout=10)' 2>/dev/null; then \
	  echo "installing the CPU build of torch $(TORCH_VERSION) from $(TORCH_CPU_INDEX)"; \
	  $(PY) -m pip install --quiet torch==$(TORCH_VERSION) --index-url $(TORCH_CPU_INDEX) \
	    || $(PY) -m pip install --quiet torch==$(TORCH_VERSION); \
	else \
	  echo "$(TORCH_CPU_INDEX) is not reachable; installing torch $(TORCH_VERSION) from the default index"; \
	  $(PY) -m pip install --quiet torch==$(TORCH_VERSION); \
	fi
	@$(PY) -c 'import torch, sys; cuda = torch.version.cuda; print("torch", torch.__version__, "(CUDA " + cuda + ": a large download; see the README)" if cuda else "(CPU build)")'
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

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
