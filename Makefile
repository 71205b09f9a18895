# Two commands on a fresh machine: `make test` and `make run` (once the web app exists).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup test index index-if-needed eval clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# torch first and pinned: this version has a CPU build here; anything else pulls CUDA packages.
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

setup: $(STAMP)

test: setup
	$(BIN)/python -m pytest

index: setup
	$(BIN)/python -m bot index

index-if-needed: setup
	$(BIN)/python -m bot index --if-stale

eval: setup
	$(BIN)/python -m bot eval

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis runs
