# socialbot — the two set-up commands are `make demo` and `make test`; both create .venv when missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint format bench audit clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/socialbot validate campaigns/
	$(BIN)/socialbot simulate campaigns/demo.yaml --days 14 --db demo-simulation.db --fresh

test: lint
	bash tools/ensure_postgres.sh
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check socialbot tests bench tools
	$(BIN)/ruff format --check socialbot tests bench tools
	$(BIN)/mypy
	$(BIN)/python tools/audit.py

format: $(STAMP)
	$(BIN)/ruff check --fix socialbot tests bench tools
	$(BIN)/ruff format socialbot tests bench tools

bench: $(STAMP)
	$(BIN)/python bench/cli_startup.py
	$(BIN)/python bench/simulate_demo.py
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/daemon_memory.py

# Known vulnerabilities, the full way: pip-audit over OSV and PyPI's per-version answers. Where only the
# package registries are reachable (CI) those answers are missing, so `make lint` runs tools/audit.py
# instead (PyPI's project pages: the advisories of each latest release); --strict fails on anything unaudited.
audit: $(STAMP)
	$(BIN)/pip-audit --skip-editable --strict --vulnerability-service pypi --progress-spinner off

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache .hypothesis demo-simulation.db
