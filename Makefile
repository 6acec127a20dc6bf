# docledger — the two commands a new user needs: `make demo` and `make test`.
SHELL := /bin/bash
VENV := .venv
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS :=
export OMP_THREAD_LIMIT := 1

.PHONY: setup demo test lint bench clean

setup:
	@bash scripts/bootstrap.sh

demo: setup
	DOCLEDGER_HOME=$${DOCLEDGER_HOME:-./docledger-data} $(VENV)/bin/docledger demo

test: setup lint
	$(VENV)/bin/pytest -q -ra --durations=15 $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/mypy

bench: setup
	for b in bench/*.py; do echo "== $$b"; $(VENV)/bin/python $$b || exit 1; done

clean:
	rm -rf docledger-data .pytest_cache .ruff_cache
