# samenspel — two commands for a fresh machine (see README):
#   make repro   set up .venv and run the pipeline on the example corpora (dvc repro)
#   make test    set up .venv and run the tests
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
# Every package `make setup` installs, pinned with hashes; `make lock` refreshes it.
LOCK := requirements.lock
# The installer, uv (several times faster than pip here), locked on its own because pip
# installs it before anything else.
UV_LOCK := requirements-uv.lock
# The lock holds one resolution: CPython 3.11 on 64-bit Linux, the machines the published
# numbers come from. Elsewhere setup installs the ranges of pyproject.toml, with a warning.
LOCK_PYTHON := 3.11
LOCK_PLATFORM := x86_64-manylinux_2_28
HOST := $(shell $(PYTHON) -c 'import platform, sys; print("%d.%d-%s-%s" % (*sys.version_info[:2], platform.system(), platform.machine()))')
# PyTorch comes in through BERTopic -> sentence-transformers. A plain `pip install torch`
# on Linux fetches a multi-GB CUDA build; take the CPU build from PyTorch's CPU index,
# for torch alone (as find-links), so no other package can come from there.
TORCH_VERSION ?= 2.13.0
TORCH_INDEX ?= https://download.pytorch.org/whl/cpu
TORCH_SPEC := $(if $(filter Linux,$(shell uname -s)),torch==$(TORCH_VERSION)+cpu,torch==$(TORCH_VERSION))
# uv reads neither pip.conf nor PIP_*: pass pip's sources (mirrors, wheel folders) on.
SOURCES = $$($(BIN)/python scripts/uv-sources $(TORCH_INDEX)/torch/)
# spaCy's trained Dutch pipeline is not on PyPI; setup tries its official release and
# goes on without it (the nlp stage then warns and uses the offline fallback). It is the
# one thing installed outside the lock, without its dependencies, so it changes no pin.
SPACY_MODEL_URL ?= https://github.com/explosion/spacy-models/releases/download/nl_core_news_sm-3.8.0/nl_core_news_sm-3.8.0-py3-none-any.whl

.PHONY: setup lock repro test bench realtext clean

setup: $(VENV)/.installed

# A fresh venv each time the lock changes, so .venv holds the lock and nothing else.
$(VENV)/.installed: $(LOCK) $(UV_LOCK) pyproject.toml
	$(PYTHON) -m venv --clear $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r $(UV_LOCK)
ifeq ($(HOST),$(LOCK_PYTHON)-Linux-x86_64)
	$(UV) pip install --python $(BIN)/python --require-hashes --no-deps \
	  --index-strategy unsafe-best-match $(SOURCES) -r $(LOCK)
	$(UV) pip install --python $(BIN)/python --no-deps --no-build-isolation -e .
else
	@echo "LET OP: $(LOCK) geldt voor Python $(LOCK_PYTHON) op Linux x86_64, hier $(HOST): versies uit de grenzen in pyproject.toml, uitkomsten kunnen afwijken."
	$(UV) pip install --python $(BIN)/python --index-strategy unsafe-best-match $(SOURCES) \
	  "$(TORCH_SPEC)" -e ".[test]"
endif
	@UV_HTTP_TIMEOUT=15 UV_HTTP_RETRIES=0 $(UV) pip install --python $(BIN)/python --no-deps "$(SPACY_MODEL_URL)" \
	  || echo "LET OP: nl_core_news_sm kon niet worden geïnstalleerd (geen verbinding?); de nlp-stage gebruikt de offline fallback."
	@$(UV) pip check --python $(BIN)/python \
	  || { echo "$(LOCK) past niet bij pyproject.toml: ververs hem met 'make lock'."; exit 1; }
	touch $@

$(UV): $(UV_LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r $(UV_LOCK)
	touch $@

# Re-resolve both locks to the newest versions pyproject.toml allows. The numbers can
# change with them: run `dvc repro` and compare before committing the new lock.
lock: $(UV)
	echo "torch==$(TORCH_VERSION)+cpu" | $(UV) pip compile pyproject.toml - --extra test \
	  --upgrade --generate-hashes --python-version $(LOCK_PYTHON) --python-platform $(LOCK_PLATFORM) \
	  $$($(BIN)/python scripts/uv-sources --lock $(TORCH_INDEX)/torch/) \
	  --custom-compile-command "make lock" --quiet -o $(LOCK)
	echo uv | $(UV) pip compile - --upgrade --generate-hashes --custom-compile-command "make lock" \
	  --quiet -o $(UV_LOCK)

repro: setup
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/dvc repro

test: setup
	scripts/ensure-chromium
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python -m benchmarks.run

# Measure the classifier on the real development set (reads ../shared or $$SAMENSPEL_SHARED;
# see corpora/devset/README.md): choose the relevance threshold there, retrain with it,
# measure the model in use, and rebuild what depends on the measurement.
realtext: setup
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/dvc repro train
	$(BIN)/samenspel realtext --calibrate
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/dvc repro train
	$(BIN)/samenspel realtext
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/dvc repro

clean:
	rm -rf $(VENV) .pytest_cache
