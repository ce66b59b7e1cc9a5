"""The whole graph materialized on the bundled sample into a temporary DuckDB file."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.cli import materialize_everything
from orchestration.raw.contract import ENTITY_NAMES
from orchestration.settings import DEFAULT_SEEDS_DIR, Settings


def data_rows_in_files(seeds_dir: Path, entity: str) -> int:
    """Count data rows straight from the CSV files, independently of the loader."""
    files = [seeds_dir / f"{entity}.csv", *sorted((seeds_dir / entity).glob("*.csv"))]
    total = 0
    for path in files:
        if path.is_file():
            with path.open(newline="", encoding="utf-8-sig") as handle:
                total += sum(1 for row in csv.reader(handle) if row) - 1
    return total


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory, monkeypatch_module):
    tmp = tmp_path_factory.mktemp("e2e")
    monkeypatch_module.setenv("PQL_SEEDS_DIR", str(DEFAULT_SEEDS_DIR))
    monkeypatch_module.setenv("PQL_DUCKDB_PATH", str(tmp / "warehouse.duckdb"))
    settings = Settings.from_env()
    with dg.instance_for_test() as instance:
        first = materialize_everything(settings, instance)
        with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
            before = snapshot(con)
        second = materialize_everything(settings, instance)
    return settings, first, second, before


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    tables = [f"raw.{name}" for name in ENTITY_NAMES] + ["raw.rejects"]
    tables += [f"staging.stg_product__{name}" for name in ENTITY_NAMES]
    tables += ["marts.pql_scores", "marts.pql_score_history", "marts.companies"]
    return {
        table: con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall() for table in tables
    }


def test_the_whole_graph_materializes_and_every_check_passes(sample_run):
    _, first, _, _ = sample_run
    assert first.success
    materialized = {e.asset_key.to_user_string() for e in first.get_asset_materialization_events()}
    assert {f"raw/{name}" for name in ENTITY_NAMES} <= materialized
    assert {f"staging/stg_product__{name}" for name in ENTITY_NAMES} <= materialized
    assert {"marts/pql_score_history", "marts/pql_scores", "marts/new_pqls"} <= materialized
    evaluations = first.get_asset_check_evaluations()
    assert len(evaluations) > 6
    failed = [e.check_name for e in evaluations if not e.passed]
    assert failed == []


def test_every_row_of_the_sample_is_loaded_or_rejected(sample_run):
    settings, _, _, _ = sample_run
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        for entity in ENTITY_NAMES:
            read, loaded, rejected = con.execute(
                "SELECT sum(rows_read), sum(rows_loaded), sum(rows_rejected) "
                "FROM raw.load_log WHERE entity = $e",
                {"e": entity},
            ).fetchall()[0]
            assert read == data_rows_in_files(settings.seeds_dir, entity), entity
            assert read == loaded + rejected
            (in_table,) = con.execute(f"SELECT count(*) FROM raw.{entity}").fetchall()[0]
            (in_staging,) = con.execute(
                f"SELECT count(*) FROM staging.stg_product__{entity}"
            ).fetchall()[0]
            assert 0 < in_table == in_staging <= loaded


def test_the_sample_dirt_is_visible_not_dropped(sample_run):
    settings, _, _, _ = sample_run
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        reasons = dict(
            con.execute(
                "SELECT split_part(reason, ':', 1), count(*) FROM raw.rejects GROUP BY 1"
            ).fetchall()
        )
        (duplicates,) = con.execute(
            "SELECT sum(rows_duplicate) FROM raw.load_log WHERE entity = 'events'"
        ).fetchall()[0]
        (distinct_ids,) = con.execute(
            "SELECT count(*) = count(DISTINCT event_id) FROM raw.events"
        ).fetchall()[0]
    assert reasons, "the sample carries contract-breaking rows"
    assert any(reason.startswith("malformed email") for reason in reasons)
    assert any(reason.startswith("unparseable timestamp") for reason in reasons)
    assert duplicates > 0, "the sample re-delivers some events"
    assert distinct_ids


def test_a_second_run_on_the_same_files_changes_nothing(sample_run):
    settings, _, second, before = sample_run
    assert second.success
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        after = snapshot(con)
    changed = {
        table: (sorted(set(after[table]) - set(before[table]))[:3],
                sorted(set(before[table]) - set(after[table]))[:3])
        for table in before
        if after[table] != before[table]
    }  # fmt: skip
    assert changed == {}


def test_the_readme_example_queries_run_and_return_rows(sample_run):
    settings, _, _, _ = sample_run
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    [block] = re.findall(r"```sql\n(.*?)```", readme, re.S)
    statements = [s.strip() for s in block.split(";") if s.strip()]
    assert len(statements) >= 5
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        for statement in statements:
            assert con.execute(statement).fetchall(), statement
