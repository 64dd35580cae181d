# Two entry points for a fresh machine with Python 3.11+ and make:
#   make run   - set up .venv if needed and run the main job on the shipped default
#   make test  - set up .venv if needed and run the test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test bench clean-venv

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[geotiff,test]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/gnss-interop run

test: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_positions.py
	$(BIN)/python benchmarks/bench_coverage.py

clean-venv:
	rm -rf $(VENV)
