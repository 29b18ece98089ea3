# chipguard — every target creates .venv and installs what it needs on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Two stamps: the runtime (`make run`) needs only the package's own dependencies, all from prebuilt
# wheels, so a fresh machine starts the service in about a minute; the checks and benchmarks add the dev
# extra (pytest, ruff, mypy, pyspark, selenium …). Installing the dev extra also satisfies the runtime.
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev
SHARED ?= ../shared/data
HOST ?= 127.0.0.1
PORT ?= 8080
# bench.scale measures the one-million-entity size too (issue 16's Done-when figure: about 10 minutes of CPU
# and 1.4 GB in $TMPDIR on 2 cores); `make bench SCALE_ARGS=` leaves it out for a quicker run.
SCALE_ARGS ?= --million

.PHONY: run test lint typecheck unit bench native clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[compiled]'
	touch $(RUN_STAMP)

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(DEV_STAMP) $(RUN_STAMP)

# The compiled scorer, analyser, retrieval, index file and pair scoring (chipguard.native, mypyc): built into
# chipguard/_compiled/ when missing or built from other sources (one to two minutes with gcc), a no-op
# otherwise. Without a C compiler or Python's headers it says so and chipguard runs pure Python; it never
# fails the install.
# Then the package's interpreted modules are byte-compiled into __pycache__ (incremental: only changed
# files). An editable install leaves that to the first run, and an interpreter that may not write there
# (PYTHONDONTWRITEBYTECODE=1, a read-only install) compiles about 110 modules from source on every
# command: ~0.3 CPU s of each `chipguard screen` (BENCHMARKS.md, session 16).
native: $(RUN_STAMP)
	$(BIN)/python -m chipguard.native build
	$(BIN)/python -m compileall -q chipguard

run: native
	$(BIN)/chipguard run --host $(HOST) --port $(PORT)

lint: $(DEV_STAMP)
	$(BIN)/ruff check chipguard tests bench tools/check_imports.py
	$(BIN)/ruff format --check chipguard tests bench tools/check_imports.py
	$(BIN)/python tools/check_imports.py

typecheck: $(DEV_STAMP)
	$(BIN)/mypy

unit: $(DEV_STAMP) native
	$(BIN)/python -m pytest

test: lint typecheck unit

# The steps of `make bench`, each a `python -m` command line. Every step runs even when one before it failed
# (bench.load exits 1 on any failed request, which used to leave the later figures unmeasured); make bench
# then exits 1 naming each failed step and its exit status, so a failure is never hidden. Ctrl-C (a step's
# exit 130) stops it.
BENCH_STEPS = \
	"bench --shared $(SHARED)" \
	"bench.batch --shared $(SHARED) --customers 20000" \
	"bench.load" \
	"bench.coldstart" \
	"bench.scale --shared $(SHARED) $(SCALE_ARGS)" \
	"bench.worker_memory --shared $(SHARED)" \
	"bench.name_length --shared $(SHARED)" \
	"bench.install"

bench: $(DEV_STAMP) native
	@failed=""; nfailed=0; total=0; \
	for step in $(BENCH_STEPS); do \
		total=$$((total + 1)); \
		echo "== make bench: $(BIN)/python -m $$step"; \
		$(BIN)/python -m $$step || { \
			status=$$?; \
			if [ $$status -eq 130 ]; then echo "make bench: interrupted" >&2; exit 130; fi; \
			echo "== make bench: FAILED (exit $$status): python -m $$step" >&2; \
			nfailed=$$((nfailed + 1)); \
			failed="$$failed$${failed:+; }python -m $$step (exit $$status)"; \
		}; \
	done; \
	if [ -n "$$failed" ]; then \
		echo "make bench: $$nfailed of $$total steps failed: $$failed" >&2; \
		exit 1; \
	fi

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache chipguard/_compiled
