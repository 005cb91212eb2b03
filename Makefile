# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
# The venv gets CPU-only torch *first*: a plain install of sentence-transformers would
# otherwise pull the CUDA build of torch (several GB).

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check
TORCH_SPEC ?= torch==2.13.0
# Extra pip options for torch, e.g. TORCH_PIP_ARGS="--index-url https://download.pytorch.org/whl/cpu"
# on machines whose default index serves only the CUDA build.
TORCH_PIP_ARGS ?=
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: help run test lint shell install eval bench bench-knowledge bench-ingest clean-index check-cpu-torch

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "callbot: installing CPU-only torch and the project into $(VENV) ..." >&2
	@$(PIP) install -q $(TORCH_PIP_ARGS) "$(TORCH_SPEC)" >&2
	@$(PIP) install -q -e ".[dev]" >&2
	@$(MAKE) --no-print-directory check-cpu-torch
	@touch $(STAMP)

install: $(STAMP) ## create .venv with CPU-only torch and the project (done by run and test)

check-cpu-torch: ## fail if pip pulled CUDA packages into .venv
	@if $(PIP) list 2>/dev/null | grep -qi '^nvidia-'; then \
		echo "callbot: CUDA packages were installed; expected CPU-only torch" >&2; exit 1; fi

run: $(STAMP) ## run the bot (Discord or Slack when their token is set, else the console)
	@$(VENV)/bin/callbot run

test: $(STAMP) ## run the test suite (PYTEST_ARGS=... to pass options)
	@sh tests/support/ensure-servers.sh
	@$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP) ## ruff (lint and format check) and mypy
	@$(VENV)/bin/ruff check bot tests benchmarks
	@$(VENV)/bin/ruff format --check bot tests benchmarks
	@$(VENV)/bin/mypy bot

shell: $(STAMP) ## a shell with .venv activated (callbot on the PATH)
	@echo "callbot: .venv is active; 'exit' to leave." >&2
	@VIRTUAL_ENV="$(abspath $(VENV))" PATH="$(abspath $(VENV))/bin:$$PATH" $${SHELL:-/bin/sh}

eval: $(STAMP) ## score the question sets in tests/eval/
	@for set in qa qa_holdout qa_blind qa_blind2 chat qa_fr french; do \
		echo "== tests/eval/$$set.jsonl"; $(VENV)/bin/callbot eval tests/eval/$$set.jsonl || exit 1; done
	@echo "== tests/eval/conversations.jsonl (follow-ups asked in their conversation)"
	@$(VENV)/bin/callbot eval tests/eval/conversations.jsonl --unrelated-context
	@for set in qa qa_holdout qa_blind qa_blind2 chat; do \
		printf "== tests/eval/%s.jsonl after an unrelated earlier question: " $$set; \
		$(VENV)/bin/callbot eval tests/eval/$$set.jsonl --unrelated-context | tail -1 || exit 1; done

bench: $(STAMP) ## speed and footprint against the plain pipeline, follow-ups included (minutes)
	@$(PY) -m benchmarks.bench_core

bench-knowledge: $(STAMP) ## full build versus adding one document (minutes)
	@$(PY) -m benchmarks.bench_knowledge

bench-ingest: $(STAMP) ## ingestion time of 10 MB hostile texts (short lines, long words, ...)
	@$(PY) -m benchmarks.bench_ingest

clean-index: ## remove the built index versions and the exported models
	rm -rf index/versions index/CURRENT index/models
