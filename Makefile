# Everything bootstraps its own virtual environment from python3 (3.11+) and make alone.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: help demo test lint typecheck unit bench console clean

help:
	@echo "make demo       run a scripted strategy meeting on a fresh SQLite file (no chat credentials)"
	@echo "make test       lint, type-check and run the test suite (SQLite; PostgreSQL too with TEST_DATABASE_URL)"
	@echo "make bench      run the benchmarks and print their numbers"
	@echo "make console    a local chat: type /action ... as in Slack"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "actionbot needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/actionbot demo

console: $(STAMP)
	DATABASE_URL=$${DATABASE_URL:-sqlite:///console-actionlog.db} $(BIN)/actionbot db upgrade
	@# the console's default speaker, @chair, may start meetings (only chairs, DSLs and admins can)
	DATABASE_URL=$${DATABASE_URL:-sqlite:///console-actionlog.db} $(BIN)/actionbot people set-role @chair chair >/dev/null
	DATABASE_URL=$${DATABASE_URL:-sqlite:///console-actionlog.db} $(BIN)/actionbot console

lint: $(STAMP)
	$(BIN)/ruff check bot handlers storage tests
	$(BIN)/ruff format --check bot handlers storage tests

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -q

test: lint typecheck unit

bench: $(STAMP)
	@$(BIN)/python -m tests.bench $(SECTIONS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis demo-actionlog.db console-actionlog.db artifacts
