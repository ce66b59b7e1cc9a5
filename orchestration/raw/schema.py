"""DDL of the raw schema, derived from the contract.

``raw.<entity>``  one table per entity: the contract columns, typed, plus lineage
                  (``_extra``, ``_source_file``, ``_source_row``, ``_load_id``)
``raw.rejects``   every row that broke the contract, with its file, row and reason
``raw.load_log``  one row per loaded file, with its reconciliation counts
"""

from __future__ import annotations

import duckdb

from orchestration.raw.contract import ENTITIES, Entity, Kind

SQL_TYPES: dict[Kind, str] = {
    Kind.ID: "VARCHAR",
    Kind.TEXT: "VARCHAR",
    Kind.EMAIL: "VARCHAR",
    Kind.JSON: "VARCHAR",
    Kind.TIMESTAMP: "TIMESTAMP",
    Kind.INTEGER: "BIGINT",
    Kind.DECIMAL: "DECIMAL(18, 2)",
}

LINEAGE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_extra", "VARCHAR"),
    ("_source_file", "VARCHAR"),
    ("_source_row", "BIGINT"),
    ("_load_id", "BIGINT"),
)


def table_columns(entity: Entity) -> list[tuple[str, str]]:
    contract = [(c.name, SQL_TYPES[c.kind]) for c in entity.columns]
    return contract + list(LINEAGE_COLUMNS)


def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create (or extend with new contract columns) every raw table. Idempotent."""
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.execute(
        """
        CREATE TABLE IF NOT EXISTS raw.load_log (
            load_id BIGINT PRIMARY KEY,
            entity VARCHAR NOT NULL,
            source_file VARCHAR NOT NULL,
            file_sha256 VARCHAR NOT NULL,
            file_bytes BIGINT NOT NULL,
            file_format VARCHAR NOT NULL,
            rows_read BIGINT NOT NULL,
            rows_loaded BIGINT NOT NULL,
            rows_inserted BIGINT NOT NULL,
            rows_duplicate BIGINT NOT NULL,
            rows_rejected BIGINT NOT NULL,
            loaded_at TIMESTAMP NOT NULL
        )
        """
    )
    con.execute(
        """
        CREATE TABLE IF NOT EXISTS raw.rejects (
            load_id BIGINT NOT NULL,
            entity VARCHAR NOT NULL,
            source_file VARCHAR NOT NULL,
            source_row BIGINT,
            record VARCHAR,
            reason VARCHAR NOT NULL
        )
        """
    )
    for entity in ENTITIES:
        columns = table_columns(entity)
        column_ddl = ", ".join(f"{name} {sql_type}" for name, sql_type in columns)
        con.execute(f"CREATE TABLE IF NOT EXISTS raw.{entity.name} ({column_ddl})")
        for name, sql_type in columns:
            con.execute(f"ALTER TABLE raw.{entity.name} ADD COLUMN IF NOT EXISTS {name} {sql_type}")
