# docledger — the two commands a new user needs: `make demo` and `make test`.
SHELL := /bin/bash
VENV := .venv
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS :=
export OMP_THREAD_LIMIT := 1

.PHONY: setup demo test lint format-check lock verify-models bench clean

setup:
	@bash scripts/bootstrap.sh

demo: setup
	DOCLEDGER_HOME=$${DOCLEDGER_HOME:-./docledger-data} $(VENV)/bin/docledger demo

test: setup lint
	$(VENV)/bin/pytest -q -ra --durations=15 $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench
	$(VENV)/bin/mypy

format-check: setup
	$(VENV)/bin/ruff format --check src tests bench

# Regenerate requirements.lock (hashes of every package) after changing requirements.txt.
lock:
	bash scripts/lock.sh

# The installed model packages still hold the reviewed files (scripts/model_checksums.json).
verify-models: setup
	$(VENV)/bin/python scripts/verify_models.py

bench: setup
	for b in bench/*.py; do echo "== $$b"; $(VENV)/bin/python $$b || exit 1; done

clean:
	rm -rf docledger-data .pytest_cache .ruff_cache
