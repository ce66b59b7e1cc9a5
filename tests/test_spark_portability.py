"""The same dbt project on Spark gives the same marts.pql_scores as on DuckDB, row for row.

The bundled sample is loaded with the real loader into a temporary DuckDB warehouse and
built there (`dbt build`, tests included). The loaded raw tables are then exported to
Parquet and registered on the `spark` target (orchestration/spark_portability.py), and the
seeds and every model upstream of marts.pql_scores are built on a local Spark session with
the same as-of date and vars. Data tests are not run on Spark (each is a Spark job: minutes
on a small machine); DuckDB runs them all. Every contract column of every row is compared.

Needs Java 17 on PATH (dbt-spark's session method runs Spark in-process); `make test`
installs it when missing (Makefile target `java`). Never skipped.
Runtime: 8.5 minutes measured on the shared 2-core machine under heavy load (35 scored
days then); most of it is Spark: two JVM start-ups with the Hive catalog, a few seconds per
model, about one second per day partition of pql_score_history.
"""

from __future__ import annotations

import json
import math
import os
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from orchestration.settings import REPO_ROOT
from orchestration.spark_portability import SparkSettings, prepare_raw_on_spark, run_dbt_on_spark
from tests.support import load_raw, run_dbt

#: The same vars on both engines. The scored history is shortened to the last 7 days (one
#: Spark partition each) to keep Spark's run short; marts.pql_scores (the as-of day) does
#: not depend on it.
DBT_VARS = {"score_history_days": 7}
FLOAT_TOLERANCE = 1e-9

Row = dict[str, object]


def duckdb_pql_scores(duckdb_path: Path) -> tuple[list[str], list[Row]]:
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        cursor = con.execute("select * from marts.pql_scores")
        columns = [d[0] for d in cursor.description]
        return columns, [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def spark_pql_scores(spark: SparkSettings) -> tuple[list[str], list[Row]]:
    """marts.pql_scores as the Spark session stored it: the managed table's Parquet files."""
    table_dir = spark.warehouse_dir / "warehouse" / "marts.db" / "pql_scores"
    table = pq.read_table(table_dir)
    return table.column_names, table.to_pylist()


def normalized(value: object) -> object:
    """A value in a form both engines agree on: JSON text parsed, decimals exact."""
    if isinstance(value, str) and value.startswith("["):
        return json.loads(value, parse_float=Decimal)
    return value


def same_value(left: object, right: object) -> bool:
    left, right = normalized(left), normalized(right)
    if isinstance(left, float) and isinstance(right, float):
        return math.isclose(left, right, rel_tol=FLOAT_TOLERANCE, abs_tol=FLOAT_TOLERANCE)
    return type(left) is type(right) and left == right


def compare_rows(
    columns: list[str], expected: list[Row], actual: list[Row], key: str = "company_domain"
) -> list[str]:
    """Every difference between two row sets, keyed by `key`, column by column."""
    expected_by_key = {row[key]: row for row in expected}
    actual_by_key = {row[key]: row for row in actual}
    differences = [
        f"{k}: only on {side}"
        for side, keys in (
            ("DuckDB", expected_by_key.keys() - actual_by_key.keys()),
            ("Spark", actual_by_key.keys() - expected_by_key.keys()),
        )
        for k in sorted(keys)
    ]
    for k in sorted(expected_by_key.keys() & actual_by_key.keys()):
        for column in columns:
            left, right = expected_by_key[k].get(column), actual_by_key[k].get(column)
            if not same_value(left, right):
                differences.append(f"{k}.{column}: DuckDB {left!r} != Spark {right!r}")
    return differences


def test_comparison_reports_every_kind_of_difference() -> None:
    row = {"company_domain": "acme.com", "score": 71, "rate": 0.5, "reasons": '[{"a": 1.5}]'}
    same = {**row, "rate": 0.5 + 1e-15, "reasons": '[{"a": 1.50}]'}
    assert compare_rows(list(row), [row], [same]) == []
    changed = {**row, "score": 70, "rate": 0.51, "reasons": '[{"a": 2}]'}
    assert len(compare_rows(list(row), [row], [changed])) == 3
    assert compare_rows(list(row), [row], []) == ["acme.com: only on DuckDB"]


def test_pql_scores_on_spark_match_duckdb_row_for_row(tmp_path: Path) -> None:
    vars_arg = ["--vars", json.dumps(DBT_VARS)]

    # DuckDB: the real loader, then the whole project with its tests.
    duckdb_path = tmp_path / "warehouse.duckdb"
    load_raw(REPO_ROOT / "seeds", duckdb_path)
    run_dbt(["build", *vars_arg], duckdb_path, tmp_path / "duckdb")
    columns, expected = duckdb_pql_scores(duckdb_path)
    as_of: date = expected[0]["as_of_date"]
    assert len(expected) > 50 and {row["as_of_date"] for row in expected} == {as_of}

    # Spark: the same raw tables, seeds and models, at the same as-of date.
    spark = SparkSettings(warehouse_dir=tmp_path / "spark")
    work = {"target_path": tmp_path / "spark_target", "log_path": tmp_path / "spark_logs"}
    env = {**os.environ, "PQL_AS_OF": as_of.isoformat()}
    prepare_raw_on_spark(duckdb_path, spark, env=env, **work)
    run_dbt_on_spark(
        ["build", "--select", "+pql_scores", "--exclude", "resource_type:test",
         "resource_type:unit_test", *vars_arg],
        spark, env=env, **work,
    )  # fmt: skip
    spark_columns, actual = spark_pql_scores(spark)

    assert spark_columns == columns
    assert len(actual) == len(expected)
    differences = compare_rows(columns, expected, actual)
    assert not differences, f"{len(differences)} differences:\n" + "\n".join(differences[:50])
