# The two commands a newcomer needs:  make run  (sample end to end)  and  make test.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
MANIFEST := dbt_project/target/manifest.json
DBT_SOURCES := $(shell find dbt_project/models dbt_project/macros dbt_project/seeds dbt_project/tests -type f 2>/dev/null) dbt_project/dbt_project.yml dbt_project/profiles.yml

# sqlfluff's dbt templater compiles the project: give it a scratch warehouse and target
# folder so that linting never touches the real warehouse or the prepared manifest.
SQLFLUFF_ENV := PQL_DUCKDB_PATH=$(CURDIR)/$(VENV)/lint/scratch.duckdb DBT_TARGET_PATH=$(CURDIR)/$(VENV)/lint/target DBT_LOG_PATH=$(CURDIR)/$(VENV)/lint/logs

export DAGSTER_HOME := $(CURDIR)/.dagster
export PYTHONUNBUFFERED := 1

.PHONY: setup browser run test lint format dev sample reference-data bench bench-readers java spark-check clean

$(INSTALLED): requirements.lock pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found: install Python 3.11 or run make PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

# dbt's manifest, read by Dagster to build the asset graph; re-parsed when dbt files change.
$(MANIFEST): $(INSTALLED) $(DBT_SOURCES)
	cd dbt_project && ../$(BIN)/dbt parse --quiet
	touch $@

$(DAGSTER_HOME)/dagster.yaml: dagster.yaml
	mkdir -p $(DAGSTER_HOME)
	ln -sf ../dagster.yaml $@

setup: $(INSTALLED) $(MANIFEST) $(DAGSTER_HOME)/dagster.yaml

## Load the raw files (PQL_SEEDS_DIR, default seeds/), build all models, run all checks.
## After a change to an incremental model's columns: make run RUN_ARGS=--full-refresh
run: setup
	$(BIN)/python -m orchestration.cli run $(RUN_ARGS)

## Chromium for the browser test of the Dagster UI (tests/test_ui.py): the Debian package,
## installed only when missing (playwright's own browser download is not used).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  command -v apt-get >/dev/null 2>&1 || { \
	    echo "chromium not found and apt-get unavailable: install Chromium and put 'chromium' on PATH"; \
	    exit 1; }; \
	  echo "Installing Chromium (Debian package 'chromium') for tests/test_ui.py"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; }

## Java 17 for the Spark portability test (tests/test_spark_portability.py): the Debian
## package, installed only when `java` is missing.
java:
	@command -v java >/dev/null 2>&1 || { \
	  command -v apt-get >/dev/null 2>&1 || { \
	    echo "java not found and apt-get unavailable: install Java 17 and put 'java' on PATH"; \
	    exit 1; }; \
	  echo "Installing Java 17 (Debian package openjdk-17-jre-headless) for the Spark test"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq openjdk-17-jre-headless; }

## The dbt models on Spark vs DuckDB: marts.pql_scores row for row (docs/scaling.md).
spark-check: setup java
	SPARK_LOCAL_IP=127.0.0.1 $(BIN)/python -m pytest tests/test_spark_portability.py

## Lint and run every test.
test: setup lint browser java
	$(BIN)/python -m pytest

lint: setup
	mkdir -p $(VENV)/lint
	$(BIN)/ruff check orchestration tests bench
	$(BIN)/ruff format --check orchestration tests bench
	$(SQLFLUFF_ENV) $(BIN)/sqlfluff lint dbt_project/models dbt_project/tests --disable-progress-bar

format: setup
	$(BIN)/ruff format orchestration tests bench
	$(BIN)/ruff check --fix orchestration tests bench
	$(SQLFLUFF_ENV) $(BIN)/sqlfluff fix dbt_project/models dbt_project/tests --disable-progress-bar

## The Dagster UI on http://127.0.0.1:3000
dev: setup
	$(BIN)/dg dev --host 127.0.0.1 --port 3000

## Refresh the Public Suffix List and free-mail dbt seeds from their pinned packages.
reference-data: $(INSTALLED)
	$(BIN)/python -m orchestration.reference_data

## Re-generate the bundled sample in seeds/ (deterministic).
sample: $(INSTALLED)
	$(BIN)/python -m orchestration.synthetic --out seeds/

## Benchmark (not a test): full run, floor query, one incremental day and fixed overhead at
## each scale; writes bench/results.json and the table in docs/benchmarks.md.
## Quick run: make bench SCALES=1M. Raw files are generated once under bench/work/.
SCALES ?= 1M,10M,100M
bench: setup
	$(BIN)/python -m bench.run --scales $(SCALES)

## Readers under load: 8 BI reader processes on the serving copy while pql_daily publishes
## day by day; prints reads/s, latency percentiles, errors -> bench/serving_load.json.
bench-readers: setup
	$(BIN)/python -m bench.serving_load $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .dagster data dbt_project/target dbt_project/logs
