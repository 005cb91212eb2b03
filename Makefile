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

.PHONY: run test install eval bench bench-knowledge clean-index check-cpu-torch

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "callbot: installing CPU-only torch and the project into $(VENV) ..." >&2
	@$(PIP) install -q $(TORCH_PIP_ARGS) "$(TORCH_SPEC)" >&2
	@$(PIP) install -q -e ".[dev]" >&2
	@$(MAKE) --no-print-directory check-cpu-torch
	@touch $(STAMP)

install: $(STAMP)

check-cpu-torch:
	@if $(PIP) list 2>/dev/null | grep -qi '^nvidia-'; then \
		echo "callbot: CUDA packages were installed; expected CPU-only torch" >&2; exit 1; fi

run: $(STAMP)
	@$(VENV)/bin/callbot run

test: $(STAMP)
	@$(PY) -m pytest $(PYTEST_ARGS)

eval: $(STAMP)
	@for set in qa qa_holdout qa_blind qa_blind2; do \
		echo "== tests/eval/$$set.jsonl"; $(VENV)/bin/callbot eval tests/eval/$$set.jsonl || exit 1; done

bench: $(STAMP)
	@$(PY) benchmarks/bench_core.py

bench-knowledge: $(STAMP)
	@$(PY) benchmarks/bench_knowledge.py

clean-index:
	rm -rf index/versions index/CURRENT index/models
