# socialbot — the two set-up commands are `make demo` and `make test`; both create .venv when missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint format bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/socialbot validate campaigns/
	$(BIN)/socialbot simulate campaigns/demo.yaml --days 14 --db demo-simulation.db --fresh

test: lint
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check socialbot tests bench tools
	$(BIN)/ruff format --check socialbot tests bench tools

format: $(STAMP)
	$(BIN)/ruff check --fix socialbot tests bench tools
	$(BIN)/ruff format socialbot tests bench tools

bench: $(STAMP)
	$(BIN)/python bench/cli_startup.py
	$(BIN)/python bench/simulate_demo.py
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/daemon_memory.py

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache demo-simulation.db
