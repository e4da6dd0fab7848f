# Two commands on a fresh machine: `make demo` and `make test`. Everything installs into .venv.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Everything ruff checks (the rules are pyproject.toml's [tool.ruff.lint]).
LINT_PATHS := tracker dags plugins tests bench scripts

.PHONY: install demo test test-fast lint sample constraints clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall whenever the pins change; constraints.txt pins the whole dependency tree.
$(STAMP): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "pip==26.3"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[airflow,dev]"
	touch $(STAMP)

install: $(STAMP)

## Run the weekly Airflow DAG once, offline, over the bundled sample archive.
demo: install
	bash scripts/airflow-demo.sh

## The lint (about a second: it fails fast, before minutes of tests), then every test, including the
## end-to-end, browser and integration tests.
test: install
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/python -m pytest

## The lint, then the unit tests only (no Airflow subprocesses, no services).
test-fast: install
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/python -m pytest -m "not e2e and not integration"

## Static checks alone: pyflakes, syntax errors, lines over 120 and functions over complexity 12 (ruff).
lint: install
	$(BIN)/ruff check $(LINT_PATHS)

## Rebuild sample/archive/sample.warc.gz from sample/manifest.toml (after editing the sample).
sample: install
	$(BIN)/tracker build-sample --out sample/archive

## Regenerate constraints.txt from the current environment (after changing pins in pyproject.toml).
constraints:
	$(BIN)/python -m pip freeze --exclude-editable --disable-pip-version-check | grep -v '^nhs-leadership-tracker' > constraints.txt

clean:
	rm -rf var .pytest_cache
