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
	@$(MAKE) --no-print-directory eval

test: setup
	$(BIN)/python -m pytest

# Accuracy against gold: the seeds, the real dev corpus (tables and prose apart) and, where
# ../shared/real is present, the real PDFs with partial gold (recall only).
DEV  := tests/data/dev
REAL ?= ../shared/real
eval: setup
	@echo "== seeds (data/raw)"; $(BIN)/jixiao eval --gold tests/gold data/raw --misses 0
	@echo; echo "== dev corpus: 40 real table excerpts"; \
	  $(BIN)/jixiao eval --gold $(DEV)/gold $(DEV)/texts --only 'tables-*' --only 'targets-*' --misses 0
	@echo; echo "== dev corpus: 20 real prose excerpts"; $(BIN)/jixiao eval --gold $(DEV)/gold $(DEV)/texts --only 'prose-*' --misses 0
	@echo; echo "== dev corpus: all 60"; $(BIN)/jixiao eval --gold $(DEV)/gold $(DEV)/texts --misses 0
	@if [ -d $(REAL) ]; then echo; echo "== real PDFs ($(REAL), partial gold)"; \
	  $(BIN)/jixiao eval --gold $(DEV)/real-gold $(REAL) --misses 0; \
	else echo; echo "== real PDFs skipped: $(REAL) not found (set REAL=DIR)"; fi

# Generates a corpus and prints documents/s, pages/s, memory per worker and speed-ups.
bench: setup
	$(BIN)/python -m bench.bench

clean:
	rm -rf $(VENV) data/parquet
