# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup browser services run test index index-if-needed eval eval-real eval-cv bench-answer bench-encoder bench-http bench-publish bench-library bench-scale bench-haystack bench-schools clean
HOST ?= 127.0.0.1
PORT ?= 8000

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# torch first and pinned: this version has a CPU build here; anything else pulls CUDA packages.
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e ".[test]"
	# export the model to ONNX from its local weights and check it against PyTorch (README, "Encoder")
	$(BIN)/python -m bot encoder prepare > /dev/null
	touch $(STAMP)

setup: $(STAMP)

# Browser tests use Debian's chromium; Playwright's own browser download is never used.
# If it cannot be installed (no apt, no root), the browser tests are skipped with a reason.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
	  { $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; } \
	  || echo "WARNING: could not install chromium; the browser tests will be skipped"; }

# Many-school tests and the load benchmark run real PostgreSQL and Redis from the Debian packages,
# started in a temporary folder; if they cannot be installed those tests are skipped with a reason.
services:
	@{ command -v redis-server >/dev/null 2>&1 && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; } || { \
	  echo "installing Debian's postgresql and redis-server for the many-school tests"; \
	  SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
	  { $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql redis-server; } \
	  || echo "WARNING: could not install postgresql and redis-server; the many-school service tests will be skipped"; }

run: setup index-if-needed
	$(BIN)/python -m bot serve --host $(HOST) --port $(PORT)

test: setup browser services
	$(BIN)/python -m ruff check bot tests
	$(BIN)/python -m pytest

index: setup
	$(BIN)/python -m bot index

index-if-needed: setup
	$(BIN)/python -m bot index --if-stale

eval: setup
	$(BIN)/python -m bot eval

# The real-size library (about 400 pages: the default library, KCSIE 2024, Working together 2023 and
# the KCSIE 2025 full text from ../shared/library, a school's Word procedure): about 5 minutes.
eval-real: setup
	$(BIN)/python -m bot eval --library real --split test

# Search settings tuned without peeking (README "Tuned without peeking"): the labelled set tuned on
# dev and reported on test, then both BEIR collections cross-validated over two folds, windows
# included: about 35 minutes on two cores, plus 10-15 minutes a collection the first time (embedding windows).
CV_ARGS := --cv 2 --retrievers hybrid-weighted --quiet
eval-cv: setup
	$(BIN)/python -m bot eval $(CV_ARGS)
	$(BIN)/python -m bot eval --beir ../shared/benchmarks/nfcorpus $(CV_ARGS) --max-words 100 --overlap 50 --whole-documents-too
	$(BIN)/python -m bot eval --beir $(SCIFACT) $(CV_ARGS) --max-words 100 --overlap 50 --whole-documents-too

# Whole-answer latency against the query embedding alone, in-process, default library.
bench-answer: setup
	$(BIN)/python -m bot.bench.answer

# The ONNX and PyTorch encoders on 1,000 SciFact documents and every labelled question: vectors and time.
bench-encoder: setup
	$(BIN)/python -m bot.bench.encoder

# The real-size library's index build (time, peak memory) and answer latency (about 5 minutes).
bench-library: setup
	$(BIN)/python -m bot.bench.library

# Many schools on two web processes with real PostgreSQL and Redis: load, a school's publish, a
# process killed and restarted, memory as schools grow (about 3 minutes).
bench-schools: setup services
	$(BIN)/python -m bot.bench.schools --schools 200 --processes 2 --clients 8 --seconds 60

# Index build and query latency per stage at 10k, 100k and 1M passages (about 10 minutes).
bench-scale: setup
	$(BIN)/python -m bot.bench.scale --sizes 10000,100000,1000000

# POST /api/ask on the production server over loopback (CLIENTS clients for SECONDS s).
CLIENTS ?= 8
SECONDS ?= 60
bench-http: setup index-if-needed
	$(BIN)/python -m bot.bench.http --clients $(CLIENTS) --seconds $(SECONDS) --distinct
	$(BIN)/python -m bot.bench.http --clients $(CLIENTS) --seconds $(SECONDS)

# Publishing a document from the admin pages while 8 clients keep asking (about 1 minute).
bench-publish: setup index-if-needed
	$(BIN)/python -m bot.bench.publish --clients $(CLIENTS) --seconds $(SECONDS) --publish-after 15

# Side-by-side benchmark against Haystack's hybrid pipeline. Haystack is not a project
# dependency: it lives only in its own venv. 2.x because 3.0 moved the sentence-transformers
# embedders out of haystack-ai into a separate package.
BENCH_VENV  := .venv-bench
BENCH_STAMP := $(BENCH_VENV)/.installed
SCIFACT    ?= ../shared/benchmarks/scifact
# Besides the default, time the setting the cross-validation protocol kept on NFCorpus (README).
BENCH_ARGS ?= --rm3 --feedback-docs 5 --feedback-weight 1.0 --normalisation zscore --dense-weight 0.6

$(BENCH_STAMP): pyproject.toml
	test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install --quiet torch==2.13.0
	$(BENCH_VENV)/bin/python -m pip install --quiet "haystack-ai>=2.30,<3"
	$(BENCH_VENV)/bin/python -m pip install --quiet -e .
	touch $(BENCH_STAMP)

bench-haystack: $(BENCH_STAMP)
	$(BENCH_VENV)/bin/python -m bot.bench.haystack --beir $(SCIFACT) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis runs
