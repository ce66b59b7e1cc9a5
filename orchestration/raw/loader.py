"""Load raw files of one entity into ``raw.<entity>`` (PRODUCT.md section 5).

The rules, each enforced here:

* a file whose content (sha256) was already loaded for the entity is skipped, so loading
  the same file twice changes nothing;
* rows are de-duplicated by the entity's natural key: the first row seen wins (files are
  loaded in path order, rows in file order), later copies count as duplicates;
* a row that breaks the contract goes to ``raw.rejects`` with its file, row and reason;
* every file is reconciled: rows read = rows loaded (inserted + duplicate) + rows
  rejected, recorded in ``raw.load_log``;
* a file that cannot be used at all (unparseable, a required column missing) raises
  :class:`RawFileError` naming the file and column; files already loaded stay loaded
  because each file is loaded in its own transaction;
* SQL text is built only from the contract's own column names; file names, header names
  and values are always bound as parameters.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from orchestration.raw.contract import (
    CLOCK_SKEW_ALLOWANCE,
    EMAIL_PATTERN,
    FILE_FORMATS,
    Entity,
    Kind,
)
from orchestration.raw.readers import (
    ParsedFile,
    RawFileError,
    open_raw_file,
    positional_schema,
)
from orchestration.raw.schema import SQL_TYPES, ensure_raw_schema

ISO_DATE_PREFIX = r"^\s*\d{4}-\d{2}-\d{2}"


@dataclass(frozen=True)
class FileLoad:
    """What happened to one raw file."""

    source_file: str
    status: str  # "loaded" or "skipped"
    rows_read: int = 0
    rows_inserted: int = 0
    rows_duplicate: int = 0
    rows_rejected: int = 0
    load_id: int | None = None
    note: str = ""

    @property
    def rows_loaded(self) -> int:
        return self.rows_inserted + self.rows_duplicate

    def summary(self) -> str:
        if self.status == "skipped":
            return f"{self.source_file}: skipped ({self.note})"
        return (
            f"{self.source_file}: {self.rows_read} read, {self.rows_inserted} new, "
            f"{self.rows_duplicate} duplicate, {self.rows_rejected} rejected"
        )


@dataclass(frozen=True)
class HeaderMap:
    """Where each contract column sits in a file, and which columns are extra."""

    positions: dict[str, int]
    extras: dict[str, int]


def discover_files(seeds_dir: Path, entity_name: str) -> tuple[list[Path], list[Path]]:
    """Files of an entity: ``<entity>.<ext>`` plus everything under ``<entity>/``.

    Returns (files to load, files ignored because of an unknown type), both sorted so
    that the load order, and with it "first row wins", is deterministic.
    """
    candidates = [seeds_dir / f"{entity_name}{suffix}" for suffix in FILE_FORMATS]
    files = [p for p in candidates if p.is_file()]
    ignored: list[Path] = []
    folder = seeds_dir / entity_name
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if not path.is_file() or path.name.startswith("."):
                continue
            (files if path.suffix.lower() in FILE_FORMATS else ignored).append(path)
    return sorted(files, key=lambda p: p.relative_to(seeds_dir).as_posix()), ignored


def map_header(path: Path, header: list[str], entity: Entity) -> HeaderMap:
    """Match a file's column names (case-insensitive) to the entity's contract."""
    names = [name.strip().lower() for name in header]
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise RawFileError(f"{path}: column {name!r} appears more than once")
        seen.add(name)
    aliases = {alias: c.name for c in entity.columns for alias in (c.name, *c.aliases)}
    positions: dict[str, int] = {}
    extras: dict[str, int] = {}
    for position, name in enumerate(names):
        contract_name = aliases.get(name)
        if contract_name is None or contract_name in positions:
            extras[name] = position
        else:
            positions[contract_name] = position
    for required in entity.required_columns:
        if required not in positions:
            raise RawFileError(
                f"{path}: missing required column {required!r} for {entity.name} "
                f"(found: {', '.join(names) or 'no columns'})"
            )
    return HeaderMap(positions=positions, extras=extras)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _text_expr(header_map: HeaderMap, column: str) -> str:
    position = header_map.positions.get(column)
    if position is None:
        return "CAST(NULL AS VARCHAR)"
    return f"nullif(trim(c{position}), '')"


def _typed_expr(kind: Kind, text_column: str) -> str:
    if kind == Kind.TIMESTAMP:
        # A value with no offset is UTC: the session time zone is UTC, and the
        # TIMESTAMPTZ -> TIMESTAMP cast stores the UTC wall time.
        return (
            f"CASE WHEN regexp_matches({text_column}, $iso_date_prefix) "
            f"THEN CAST(try_cast({text_column} AS TIMESTAMPTZ) AS TIMESTAMP) END"
        )
    if kind in (Kind.INTEGER, Kind.DECIMAL):
        return f"try_cast({text_column} AS {SQL_TYPES[kind]})"
    return text_column


def _value_checks(entity: Entity) -> list[str]:
    """One SQL expression per rule, each the reason text when the row breaks it, else NULL."""
    checks: list[str] = []
    for column in entity.columns:
        name, text = column.name, f"{column.name}__text"
        if column.required:
            checks.append(f"CASE WHEN {text} IS NULL THEN 'missing required value: {name}' END")
        if column.kind in (Kind.TIMESTAMP, Kind.INTEGER, Kind.DECIMAL):
            label = {Kind.TIMESTAMP: "timestamp", Kind.INTEGER: "integer", Kind.DECIMAL: "number"}
            checks.append(
                f"CASE WHEN {text} IS NOT NULL AND {name} IS NULL "
                f"THEN 'unparseable {label[column.kind]} in {name}: ' || {text} END"
            )
        if column.kind == Kind.EMAIL:
            checks.append(
                f"CASE WHEN {name} IS NOT NULL AND NOT regexp_full_match({name}, $email_pattern) "
                f"THEN 'malformed email in {name}: ' || {name} END"
            )
        if column.kind == Kind.JSON:
            checks.append(
                f"CASE WHEN {name} IS NOT NULL AND NOT coalesce(json_valid({name}), false) "
                f"THEN '{name} is not valid JSON' END"
            )
    for rule in entity.rules:
        checks.append(f"CASE WHEN coalesce({rule.violation_sql}, false) THEN '{rule.reason}' END")
    return checks


def _json_object_expr(columns: dict[str, int], prefix: str, params: dict[str, object]) -> str:
    if not columns:
        return "CAST(NULL AS VARCHAR)"
    parts = []
    for i, (name, position) in enumerate(columns.items()):
        params[f"{prefix}{i}"] = name
        parts.append(f"${prefix}{i}, c{position}")
    return f"CAST(json_object({', '.join(parts)}) AS VARCHAR)"


def checked_rows_sql(
    entity: Entity, header_map: HeaderMap, header: list[str]
) -> tuple[str, dict[str, object]]:
    """SQL turning ``_staged`` text rows into typed rows with a ``reason`` ('' if valid).

    The rejected rows' original text (``record``) is built only for them, by
    :func:`rejects_sql`: most rows are valid, and a JSON copy of each would double the work.
    """
    params: dict[str, object] = {}
    typed = ["_source_row"]
    for column in entity.columns:
        text = _text_expr(header_map, column.name)
        typed.append(f"{text} AS {column.name}__text")
    converted = ["*"]
    for column in entity.columns:
        converted.append(f"{_typed_expr(column.kind, column.name + '__text')} AS {column.name}")
    extra = _json_object_expr(header_map.extras, "x", params)
    checks = ",\n            ".join(_value_checks(entity))
    sql = f"""
        WITH texts AS (
            SELECT {", ".join(typed)}, {extra} AS _extra
            FROM _staged
        ),
        typed AS (
            SELECT {", ".join(converted)} FROM texts
        )
        SELECT *, array_to_string(list_filter([
            {checks}
        ], lambda reason: reason IS NOT NULL), '; ') AS _reason
        FROM typed
    """
    return sql, params


def rejects_sql(header: list[str], params: dict[str, object]) -> str:
    """SQL inserting the rows of ``_checked`` that break the contract into ``raw.rejects``.

    Each keeps the file's row as a JSON object of the file's own column names (``record``).
    """
    record = _json_object_expr({name: i for i, name in enumerate(header)}, "h", params)
    return f"""
        INSERT INTO raw.rejects
        SELECT $load_id, $entity, $source_file, checked._source_row, {record}, checked._reason
        FROM _checked AS checked
        INNER JOIN _staged USING (_source_row)
        WHERE checked._reason <> ''
    """


def _one_row(
    con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, object] | None = None
) -> tuple | None:
    """First row of a query, reading the result to the end (duckdb 2 keeps unread results open)."""
    rows = con.execute(sql, params or {}).fetchall()
    return rows[0] if rows else None


def _bind(sql: str, params: dict[str, object]) -> dict[str, object]:
    used = set(re.findall(r"\$(\w+)", sql))
    return {name: value for name, value in params.items() if name in used}


def _stage(con: duckdb.DuckDBPyConnection, parsed: ParsedFile) -> None:
    width = len(parsed.header)
    schema = positional_schema(width)
    columns = ", ".join(["_source_row BIGINT"] + [f"c{i} VARCHAR" for i in range(width)])
    con.execute(f"CREATE OR REPLACE TEMP TABLE _staged ({columns})")
    # Batches are pulled here, not by DuckDB, so that a reader's error (a RawFileError for a
    # damaged file) reaches the caller as itself, not wrapped in a DuckDB error.
    for batch in parsed.batches:
        con.register("_incoming", pa.Table.from_batches([batch], schema=schema))
        con.execute("INSERT INTO _staged SELECT * FROM _incoming")
        con.unregister("_incoming")


def _insert_new_rows(con: duckdb.DuckDBPyConnection, entity: Entity, params: dict) -> int:
    """Insert the valid rows whose natural key is new: first row in the file wins.

    An explicit anti join, not NOT EXISTS: with NOT EXISTS next to the row_number filter,
    DuckDB hashed the whole raw table for every file (0.7 s a file at 10M rows).
    """
    columns = [c.name for c in entity.columns]
    key_match = " AND ".join(f"existing.{k} = candidate.{k}" for k in entity.natural_key)
    sql = f"""
        INSERT INTO raw.{entity.name} ({", ".join(columns)}, _extra, _source_file,
                                        _source_row, _load_id)
        SELECT {", ".join(f"candidate.{c}" for c in columns)}, candidate._extra, $source_file,
               candidate._source_row, $load_id
        FROM (
            SELECT * FROM _checked
            WHERE _reason = ''
            QUALIFY row_number() OVER (
                PARTITION BY {", ".join(entity.natural_key)} ORDER BY _source_row
            ) = 1
        ) AS candidate
        ANTI JOIN raw.{entity.name} AS existing ON {key_match}
    """
    row = _one_row(con, sql, _bind(sql, params))
    return int(row[0]) if row else 0


def load_file(
    con: duckdb.DuckDBPyConnection,
    seeds_dir: Path,
    path: Path,
    entity: Entity,
    *,
    load_started_at: datetime,
) -> FileLoad:
    """Load one file in one transaction; see the module docstring for the rules."""
    # A file name that is not UTF-8 (undecodable bytes) is stored with those bytes escaped.
    source_file = (
        path.relative_to(seeds_dir)
        .as_posix()
        .encode("utf-8", errors="surrogateescape")
        .decode("utf-8", errors="backslashreplace")
    )
    sha256 = file_sha256(path)
    already = _one_row(
        con,
        "SELECT source_file FROM raw.load_log WHERE entity = $entity AND file_sha256 = $sha "
        "ORDER BY load_id LIMIT 1",
        {"entity": entity.name, "sha": sha256},
    )
    if already:
        return FileLoad(source_file, "skipped", note=f"same content already loaded as {already[0]}")

    parsed = open_raw_file(path)
    if parsed.no_records:  # an empty JSONL file: nothing to check, zero rows to load
        header_map = HeaderMap(positions={}, extras={})
    else:
        header_map = map_header(path, parsed.header, entity)
    checked_sql, params = checked_rows_sql(entity, header_map, parsed.header)
    con.execute("BEGIN TRANSACTION")
    try:
        (load_id,) = _one_row(con, "SELECT coalesce(max(load_id), 0) + 1 FROM raw.load_log")
        params.update(
            source_file=source_file,
            load_id=load_id,
            entity=entity.name,
            iso_date_prefix=ISO_DATE_PREFIX,
            email_pattern=EMAIL_PATTERN,
            clock_skew=CLOCK_SKEW_ALLOWANCE,
            load_started_at=load_started_at,
        )
        _stage(con, parsed)
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE _checked AS {checked_sql}", _bind(checked_sql, params)
        )
        if parsed.parse_rejects:
            con.executemany(
                "INSERT INTO raw.rejects VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (load_id, entity.name, source_file, r.source_row, r.record, r.reason)
                    for r in parsed.parse_rejects
                ],
            )
        reject_sql = rejects_sql(parsed.header, params)
        con.execute(reject_sql, _bind(reject_sql, params))
        inserted = _insert_new_rows(con, entity, params)
        staged, invalid = _one_row(
            con, "SELECT count(*), count(*) FILTER (WHERE _reason <> '') FROM _checked"
        )
        result = FileLoad(
            source_file=source_file,
            status="loaded",
            rows_read=int(staged) + len(parsed.parse_rejects),
            rows_inserted=inserted,
            rows_duplicate=int(staged) - int(invalid) - inserted,
            rows_rejected=int(invalid) + len(parsed.parse_rejects),
            load_id=load_id,
        )
        con.execute(
            "INSERT INTO raw.load_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                load_id,
                entity.name,
                source_file,
                sha256,
                path.stat().st_size,
                parsed.file_format,
                result.rows_read,
                result.rows_loaded,
                result.rows_inserted,
                result.rows_duplicate,
                result.rows_rejected,
                load_started_at,
            ),
        )
        con.execute("DROP TABLE _staged")
        con.execute("DROP TABLE _checked")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return result


def load_entity(
    con: duckdb.DuckDBPyConnection,
    seeds_dir: Path,
    entity: Entity,
    *,
    load_started_at: datetime | None = None,
    on_file: Callable[[FileLoad], None] = lambda _: None,
) -> list[FileLoad]:
    """Load every new file of one entity; stops at the first unusable file."""
    started = load_started_at or datetime.now(UTC).replace(tzinfo=None)
    con.execute("SET TimeZone = 'UTC'")
    ensure_raw_schema(con)
    files, _ignored = discover_files(seeds_dir, entity.name)
    results = []
    for path in files:
        result = load_file(con, seeds_dir, path, entity, load_started_at=started)
        on_file(result)
        results.append(result)
    return results
