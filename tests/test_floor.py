"""The benchmark floor (bench/floor.sql, one DuckDB query over the raw files) gives exactly
marts.pql_scores of the real pipeline (real loader + real dbt) on clean generated data."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from bench.floor import (
    PQL_SCORES_COLUMNS,
    ScoringConfig,
    column_mismatches,
    compare_with_pipeline,
    floor_scores,
)
from orchestration.synthetic import GeneratorConfig, generate
from tests.support import load_raw, query, run_dbt

# Small but complete: companies with several accounts, invites, conversions, late events.
DATA = GeneratorConfig(companies=14, personal_users=30, days=75, dirt_rate=0.0)

# Seeds and models up to pql_scores, without their data tests (not what is checked here).
BUILD_SCORES = [
    "build",
    "--select",
    "+pql_scores",
    "--exclude-resource-type",
    "test",
    "unit_test",
]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("floor")
    raw = tmp / "raw"
    generate(DATA, raw, "parquet")
    warehouse = tmp / "warehouse.duckdb"
    load_raw(raw, warehouse)
    run_dbt(BUILD_SCORES, warehouse, tmp)
    return raw, warehouse


def test_floor_equals_pql_scores(built: tuple[Path, Path]) -> None:
    raw, warehouse = built
    con = duckdb.connect()
    compared, mismatches = compare_with_pipeline(con, warehouse, raw)
    assert mismatches == 0, column_mismatches(con)
    (pipeline_rows,) = query(warehouse, "SELECT count(*) FROM marts.pql_scores")[0]
    assert compared == pipeline_rows > 0
    # Not a vacuous match: companies score, and some score on several signals.
    (scoring, with_reasons) = con.execute(
        "SELECT count(*) FILTER (WHERE score > 0), count(*) FILTER (WHERE reasons LIKE '%}, {%') "
        "FROM floor_pql_scores"
    ).fetchall()[0]
    assert scoring > 0 and with_reasons > 0


def test_floor_returns_the_contract_columns(built: tuple[Path, Path]) -> None:
    raw, warehouse = built
    ((as_of,),) = query(warehouse, "SELECT as_of_date FROM intermediate.int_as_of_date")
    con = duckdb.connect()
    rows = floor_scores(con, raw, as_of=as_of)
    columns = [row[0] for row in con.execute("DESCRIBE floor_pql_scores").fetchall()]
    assert tuple(columns) == PQL_SCORES_COLUMNS
    assert [row[PQL_SCORES_COLUMNS.index("score_rank")] for row in rows] == list(
        range(1, len(rows) + 1)
    )


def test_comparison_detects_differences(built: tuple[Path, Path]) -> None:
    raw, warehouse = built
    ((as_of,),) = query(warehouse, "SELECT as_of_date FROM intermediate.int_as_of_date")
    con = duckdb.connect()
    # Another scoring date: every row differs at least by its as_of_date.
    compared, mismatches = compare_with_pipeline(con, warehouse, raw, as_of=as_of - timedelta(1))
    assert compared > 0 and mismatches >= compared
    # Another scoring configuration: the scores move.
    config = ScoringConfig.from_dbt_project()
    harder = tuple(replace(signal, target=signal.target * 2) for signal in config.signals)
    doubled = replace(config, signals=harder)
    _, mismatches = compare_with_pipeline(con, warehouse, raw, config=doubled)
    assert mismatches > 0
    assert column_mismatches(con)["score"] > 0
