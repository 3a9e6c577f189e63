# samenspel — two commands for a fresh machine (see README):
#   make repro   set up .venv and run the pipeline on the example corpora (dvc repro)
#   make test    set up .venv and run the tests
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# PyTorch comes in through BERTopic -> sentence-transformers. A plain `pip install torch`
# on Linux fetches a multi-GB CUDA build; take the CPU build from PyTorch's CPU index.
TORCH_VERSION ?= 2.13.0
TORCH_INDEX ?= https://download.pytorch.org/whl/cpu
TORCH_SPEC := $(if $(filter Linux,$(shell uname -s)),torch==$(TORCH_VERSION)+cpu,torch==$(TORCH_VERSION))
# spaCy's trained Dutch pipeline is not on PyPI; setup tries its official release and
# goes on without it (the nlp stage then warns and uses the offline fallback).
SPACY_MODEL_URL ?= https://github.com/explosion/spacy-models/releases/download/nl_core_news_sm-3.8.0/nl_core_news_sm-3.8.0-py3-none-any.whl

.PHONY: setup repro test bench clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --retries 1 "$(TORCH_SPEC)" --extra-index-url $(TORCH_INDEX)
	$(BIN)/python -m pip install -e ".[test]"
	@$(BIN)/python -m pip install --retries 0 --timeout 15 "$(SPACY_MODEL_URL)" \
	  || echo "LET OP: nl_core_news_sm kon niet worden geïnstalleerd (geen verbinding?); de nlp-stage gebruikt de offline fallback."
	$(BIN)/python -m pip check
	touch $@

repro: setup
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/dvc repro

test: setup
	scripts/ensure-chromium
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python -m benchmarks.run

clean:
	rm -rf $(VENV) .pytest_cache
