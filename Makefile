# The two user-facing targets are `make run` and `make test`; both start with `make setup`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup run test eval bench clean

setup: $(STAMP)
	@bash scripts/system-deps.sh

# Re-install only when the pinned dependency set or the project metadata changes.
$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

run: setup
	$(BIN)/jixiao ingest data/raw --out data/parquet
	$(BIN)/jixiao eval --gold tests/gold data/raw

test: setup
	$(BIN)/python -m pytest

eval: setup
	$(BIN)/jixiao eval --gold tests/gold data/raw

# Generates a corpus and prints documents/s, pages/s, memory per worker and speed-ups.
bench: setup
	$(BIN)/python -m bench.bench

clean:
	rm -rf $(VENV) data/parquet
