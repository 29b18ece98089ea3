# chipguard — every target creates .venv and installs what it needs on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
SHARED ?= ../shared/data
HOST ?= 127.0.0.1
PORT ?= 8080

.PHONY: run test lint typecheck unit bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/chipguard run --host $(HOST) --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check chipguard tests bench
	$(BIN)/ruff format --check chipguard tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/python -m pytest

test: lint typecheck unit

bench: $(STAMP)
	$(BIN)/python -m bench --shared $(SHARED)
	$(BIN)/python -m bench.batch --shared $(SHARED)
	$(BIN)/python -m bench.load

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
