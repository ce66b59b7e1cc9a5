"""Write-audit-publish of the BI marts: a new read-only DuckDB file, swapped in whole.

The pipeline writes the working warehouse (``PQL_DUCKDB_PATH``); BI tools read the serving
copy (``PQL_SERVING_PATH``). :func:`publish` runs after the dbt steps and the blocking
checks of a run (the audit, in Dagster) and never opens the serving file itself:

1. write a new file ``<serving>.tmp-<uuid>`` beside the serving file: ATTACH the working
   file READ_ONLY, copy the marts (schema ``marts``) and write ``meta.publication`` and
   ``meta.publication_marts``; export the same marts as Parquet into a hidden folder;
2. CHECKPOINT, close, fsync, re-open the new file read-only and verify it;
3. ``os.replace`` the new file onto the serving file (atomic on POSIX), rename the Parquet
   folder to ``parquet/<publication id>/`` and swap the symlink ``parquet/latest``
   (``os.replace`` of a temporary symlink, atomic too);
4. delete the Parquet publications older than the newest ``keep``.

An error before step 3 removes the new file and folder: the serving file and ``latest``
stay as they were, byte for byte. A reader's connection opened before the swap keeps
reading the old file until it closes; one opened after reads the new file. Each file is
complete, so one read never mixes two publications.

SQL safety: mart names must be plain lower-case identifiers and are quoted; file paths
reach DuckDB as quoted string literals (ATTACH and COPY take no parameters) and come from
settings, never from data; values are bound parameters.
"""

from __future__ import annotations

import fcntl
import glob
import os
import re
import shutil
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

#: The BI marts copied to the serving file (dbt models under models/marts/, schema marts).
SERVING_MARTS: tuple[str, ...] = (
    "pql_scores",
    "new_pqls",
    "pql_score_history",
    "companies",
    "users",
    "accounts",
    "invites",
    "inviters",
    "pql_backtest",
    "pql_backtest_summary",
)
MARTS_SCHEMA = "marts"
META_SCHEMA = "meta"
#: Parquet publications kept on disk (the newest one is ``latest``).
KEEP_PUBLICATIONS = 3
PARQUET_DIR_NAME = "parquet"
LATEST_LINK_NAME = "latest"
#: The mart whose as-of date is the publication's; other marts only report theirs.
MAIN_MART = "pql_scores"

#: Column names that would hold personal data (same rule as the ``no_raw_emails`` check).
PERSONAL_COLUMN_PATTERN = re.compile(
    r"^(.*_)?(e_?mail(_address)?|full_name|first_name|last_name|person_name)$", re.IGNORECASE
)
#: DuckDB types that can hold text (nested types count: a list of names is still names).
_TEXT_TYPE_PREFIXES = ("VARCHAR", "JSON", "STRUCT", "MAP", "UNION")
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")
_PUBLICATION_ID = re.compile(r"^\d{8}T\d{6}\.\d{6}Z-[a-z0-9]+$")
#: The working file's alias inside the new file's connection.
_SOURCE = "pql_publish_source"


class PublishError(RuntimeError):
    """The marts could not be published; the serving file was left as it was."""


@dataclass(frozen=True)
class MartPublication:
    name: str
    rows: int
    columns: int
    as_of_date: date | None  # max(as_of_date), None if the mart has no such column


@dataclass(frozen=True)
class PublishResult:
    publication_id: str
    run_id: str
    published_at: datetime
    as_of_date: date | None
    serving_path: Path
    parquet_dir: Path
    latest_link: Path
    marts: tuple[MartPublication, ...]
    pruned: tuple[Path, ...]
    size_bytes: int
    duration_seconds: float

    @property
    def rows(self) -> dict[str, int]:
        return {mart.name: mart.rows for mart in self.marts}


# ------------------------------------------------------------------------------ publish


def publish(
    working_db: Path,
    serving_path: Path,
    marts: Sequence[str],
    run_id: str,
    *,
    keep: int = KEEP_PUBLICATIONS,
) -> PublishResult:
    """Publish ``marts`` of ``working_db`` to ``serving_path`` and its Parquet folder."""
    started = time.monotonic()
    marts = _validate_marts(marts)
    if keep < 1:
        raise ValueError(f"keep must be at least 1, got {keep}")
    working_db, serving_path = Path(working_db).resolve(), Path(serving_path).resolve()
    if not working_db.is_file():
        raise PublishError(f"the working warehouse {working_db} does not exist")
    if working_db == serving_path:
        raise PublishError("the serving path must differ from the working warehouse")
    serving_path.parent.mkdir(parents=True, exist_ok=True)
    parquet_root = serving_path.parent / PARQUET_DIR_NAME
    parquet_root.mkdir(exist_ok=True)

    with _publish_lock(serving_path):
        _remove_leftovers(serving_path, parquet_root)
        _refuse_if_written(serving_path)
        published_at = datetime.now(UTC)
        publication_id = _publication_id(published_at, run_id)
        temp_db = serving_path.with_name(f"{serving_path.name}.tmp-{uuid.uuid4().hex}")
        temp_parquet = parquet_root / f".tmp-{publication_id}"
        final_parquet = parquet_root / publication_id
        if final_parquet.exists():
            raise PublishError(f"publication {publication_id} exists already")
        try:
            published = _build(working_db, temp_db, temp_parquet, marts)
            _write_publication_tables(temp_db, publication_id, run_id, published_at, published)
            _verify(temp_db, published)
            _fsync_tree(temp_parquet)
            temp_db.chmod(0o444)  # a reminder for people: nobody writes the serving file
            _fsync_file(temp_db)
            _refuse_if_written(serving_path)
        except BaseException:
            _remove_file(temp_db)
            shutil.rmtree(temp_parquet, ignore_errors=True)
            raise

        # Commit. Renames in one directory: atomic, and nothing left that can fail on data.
        os.replace(temp_db, serving_path)
        _fsync_dir(serving_path.parent)
        try:
            os.rename(temp_parquet, final_parquet)
            _point_latest(parquet_root, publication_id)
        except OSError as exc:
            shutil.rmtree(temp_parquet, ignore_errors=True)
            raise PublishError(
                f"{serving_path} was published ({publication_id}) but the Parquet export "
                f"could not be swapped in: {exc}"
            ) from exc
        pruned = _prune(parquet_root, keep, publication_id)

    as_of = _publication_as_of(published)
    return PublishResult(
        publication_id=publication_id,
        run_id=run_id,
        published_at=published_at,
        as_of_date=as_of,
        serving_path=serving_path,
        parquet_dir=final_parquet,
        latest_link=parquet_root / LATEST_LINK_NAME,
        marts=published,
        pruned=pruned,
        size_bytes=serving_path.stat().st_size,
        duration_seconds=round(time.monotonic() - started, 3),
    )


# ------------------------------------------------------------------------------- build


def _build(
    working_db: Path,
    temp_db: Path,
    temp_parquet: Path,
    marts: tuple[str, ...],
) -> tuple[MartPublication, ...]:
    temp_parquet.mkdir()
    con = duckdb.connect(str(temp_db))
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.execute(f"ATTACH {_literal(str(working_db))} AS {_SOURCE} (READ_ONLY)")
        _check_source(con, marts)
        con.execute(f"CREATE SCHEMA {MARTS_SCHEMA}")
        published = tuple(_copy_mart(con, mart) for mart in marts)
        con.execute(f"DETACH {_SOURCE}")
        for mart in marts:
            target = temp_parquet / f"{mart}.parquet"
            con.execute(
                f"COPY {MARTS_SCHEMA}.{_quote(mart)} TO {_literal(str(target))} "
                "(FORMAT parquet, COMPRESSION zstd)"
            )
        con.execute("CHECKPOINT")
    finally:
        con.close()
    if Path(f"{temp_db}.wal").exists():
        raise PublishError(f"{temp_db}: a write-ahead log remained after CHECKPOINT")
    return published


def _check_source(con: duckdb.DuckDBPyConnection, marts: tuple[str, ...]) -> None:
    tables = {
        name
        for (name,) in _rows(
            con,
            "SELECT table_name FROM duckdb_tables() "
            "WHERE database_name = $db AND schema_name = $schema",
            {"db": _SOURCE, "schema": MARTS_SCHEMA},
        )
    }
    missing = [mart for mart in marts if mart not in tables]
    if missing:
        names = ", ".join(f"{MARTS_SCHEMA}.{mart}" for mart in missing)
        raise PublishError(
            f"the working warehouse has no table {names}: nothing was published "
            "(build the marts first)"
        )
    personal = [
        f"{table}.{column}"
        for table, column, data_type in _rows(
            con,
            "SELECT table_name, column_name, data_type FROM duckdb_columns() "
            "WHERE database_name = $db AND schema_name = $schema ORDER BY ALL",
            {"db": _SOURCE, "schema": MARTS_SCHEMA},
        )
        # Only text can hold an address or a name (a boolean is_personal_email cannot).
        if table in marts and _is_text_type(data_type) and PERSONAL_COLUMN_PATTERN.match(column)
    ]
    if personal:
        raise PublishError(f"personal data must not be published; columns: {', '.join(personal)}")


def _copy_mart(con: duckdb.DuckDBPyConnection, mart: str) -> MartPublication:
    table = f"{MARTS_SCHEMA}.{_quote(mart)}"
    con.execute(f"CREATE TABLE {table} AS SELECT * FROM {_SOURCE}.{table}")
    # Documentation travels with the data (dbt persist_docs writes DuckDB comments).
    comments = _rows(
        con,
        "SELECT column_name, comment FROM duckdb_columns() WHERE database_name = $db "
        "AND schema_name = $schema AND table_name = $table AND comment IS NOT NULL",
        {"db": _SOURCE, "schema": MARTS_SCHEMA, "table": mart},
    )
    for column, comment in comments:
        con.execute(f"COMMENT ON COLUMN {table}.{_quote(column)} IS {_literal(comment)}")
    for (comment,) in _rows(
        con,
        "SELECT comment FROM duckdb_tables() WHERE database_name = $db "
        "AND schema_name = $schema AND table_name = $table AND comment IS NOT NULL",
        {"db": _SOURCE, "schema": MARTS_SCHEMA, "table": mart},
    ):
        con.execute(f"COMMENT ON TABLE {table} IS {_literal(comment)}")
    columns = [
        name
        for (name,) in _rows(
            con,
            "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() "
            "AND schema_name = $schema AND table_name = $table",
            {"schema": MARTS_SCHEMA, "table": mart},
        )
    ]
    as_of = "max(as_of_date)" if "as_of_date" in columns else "CAST(NULL AS DATE)"
    rows, as_of_date = _rows(con, f"SELECT count(*), {as_of} FROM {table}")[0]
    return MartPublication(mart, int(rows), len(columns), as_of_date)


def _write_publication_tables(
    temp_db: Path,
    publication_id: str,
    run_id: str,
    published_at: datetime,
    published: tuple[MartPublication, ...],
) -> None:
    with duckdb.connect(str(temp_db)) as con:
        _create_publication_tables(con, publication_id, run_id, published_at, published)
        con.execute("CHECKPOINT")
    if Path(f"{temp_db}.wal").exists():
        raise PublishError(f"{temp_db}: a write-ahead log remained after CHECKPOINT")


def _create_publication_tables(
    con: duckdb.DuckDBPyConnection,
    publication_id: str,
    run_id: str,
    published_at: datetime,
    published: tuple[MartPublication, ...],
) -> None:
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"CREATE SCHEMA {META_SCHEMA}")
    con.execute(
        f"""
        CREATE TABLE {META_SCHEMA}.publication (
            publication_id VARCHAR NOT NULL,  -- also the Parquet folder name
            run_id VARCHAR NOT NULL,          -- the Dagster run that published
            published_at TIMESTAMPTZ NOT NULL,
            as_of_date DATE,                  -- the scoring date of marts.pql_scores
            marts INTEGER NOT NULL,
            total_rows BIGINT NOT NULL
        )
        """
    )
    con.execute(
        f"""
        CREATE TABLE {META_SCHEMA}.publication_marts (
            publication_id VARCHAR NOT NULL,
            mart VARCHAR NOT NULL,
            row_count BIGINT NOT NULL,
            column_count INTEGER NOT NULL,
            as_of_date DATE
        )
        """
    )
    con.execute(
        f"INSERT INTO {META_SCHEMA}.publication "
        "VALUES ($id, $run_id, $published_at, $as_of, $marts, $total_rows)",
        {
            "id": publication_id,
            "run_id": run_id,
            "published_at": published_at,
            "as_of": _publication_as_of(published),
            "marts": len(published),
            "total_rows": sum(mart.rows for mart in published),
        },
    )
    con.executemany(
        f"INSERT INTO {META_SCHEMA}.publication_marts VALUES (?, ?, ?, ?, ?)",
        [(publication_id, m.name, m.rows, m.columns, m.as_of_date) for m in published],
    )


def _verify(temp_db: Path, published: tuple[MartPublication, ...]) -> None:
    """Re-open the closed file read-only: every table is there with its row count."""
    expected = {(MARTS_SCHEMA, m.name) for m in published}
    expected |= {(META_SCHEMA, "publication"), (META_SCHEMA, "publication_marts")}
    with duckdb.connect(str(temp_db), read_only=True) as con:
        tables = set(_rows(con, "SELECT schema_name, table_name FROM duckdb_tables()"))
        if tables != expected:
            raise PublishError(f"{temp_db}: unexpected tables {sorted(tables)}")
        for mart in published:
            table = f"{MARTS_SCHEMA}.{_quote(mart.name)}"
            (count,) = _rows(con, f"SELECT count(*) FROM {table}")[0]
            if count != mart.rows:
                raise PublishError(f"{temp_db}: {table} has {count} rows, {mart.rows} copied")


def _publication_as_of(published: tuple[MartPublication, ...]) -> date | None:
    by_name = {mart.name: mart.as_of_date for mart in published}
    if MAIN_MART in by_name:
        return by_name[MAIN_MART]
    dates = [day for day in by_name.values() if day is not None]
    return max(dates) if dates else None


# ------------------------------------------------------------------------------ parquet


def _point_latest(parquet_root: Path, publication_id: str) -> None:
    """Swap ``latest`` to the new folder: a relative symlink replaced in one rename."""
    temp_link = parquet_root / f".{LATEST_LINK_NAME}.tmp-{uuid.uuid4().hex}"
    os.symlink(publication_id, temp_link, target_is_directory=True)
    try:
        os.replace(temp_link, parquet_root / LATEST_LINK_NAME)
    except BaseException:
        _remove_file(temp_link)
        raise
    _fsync_dir(parquet_root)


def _prune(parquet_root: Path, keep: int, current: str) -> tuple[Path, ...]:
    """Delete all but the newest ``keep`` publication folders (never the current one)."""
    folders = sorted(
        path.name
        for path in parquet_root.iterdir()
        if path.is_dir() and not path.is_symlink() and _PUBLICATION_ID.match(path.name)
    )
    doomed = [name for name in folders[:-keep] if name != current]
    for name in doomed:
        shutil.rmtree(parquet_root / name, ignore_errors=True)
    return tuple(parquet_root / name for name in doomed)


def list_publications(serving_path: Path) -> list[str]:
    """The Parquet publication ids on disk, oldest first."""
    root = Path(serving_path).parent / PARQUET_DIR_NAME
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and _PUBLICATION_ID.match(p.name))


# ------------------------------------------------------------------------------ helpers


def _is_text_type(data_type: str) -> bool:
    data_type = data_type.upper()
    return data_type.startswith(_TEXT_TYPE_PREFIXES) or data_type.endswith("]")


def _validate_marts(marts: Sequence[str]) -> tuple[str, ...]:
    if isinstance(marts, str):
        raise TypeError("marts must be a sequence of names, not one string")
    names = tuple(dict.fromkeys(marts))
    if not names:
        raise ValueError("no marts to publish")
    bad = [name for name in names if not _IDENTIFIER.match(name)]
    if bad:
        raise ValueError(f"mart names must be lower-case identifiers, got {bad}")
    return names


def _publication_id(published_at: datetime, run_id: str) -> str:
    """Sortable: UTC time to the microsecond, then a short form of the run id."""
    short = re.sub(r"[^a-z0-9]", "", run_id.lower())[:8] or "run"
    return f"{published_at.strftime('%Y%m%dT%H%M%S.%f')}Z-{short}"


@contextmanager
def _publish_lock(serving_path: Path) -> Iterator[None]:
    """One publish at a time per serving file (Dagster's pool already serializes runs)."""
    lock_path = serving_path.with_name(f".{serving_path.name}.publish-lock")
    with lock_path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PublishError(f"another publish of {serving_path} is running") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _remove_leftovers(serving_path: Path, parquet_root: Path) -> None:
    """Temp files of a publish that was killed (we hold the lock: none is running)."""
    for path in serving_path.parent.glob(f"{glob.escape(serving_path.name)}.tmp-*"):
        _remove_file(path)
    for path in parquet_root.glob(f".{LATEST_LINK_NAME}.tmp-*"):
        _remove_file(path)
    for path in parquet_root.glob(".tmp-*"):
        shutil.rmtree(path, ignore_errors=True)


def _refuse_if_written(serving_path: Path) -> None:
    wal = Path(f"{serving_path}.wal")
    if wal.exists():
        raise PublishError(
            f"{wal} exists: something opened the serving file read-write. Readers must open "
            "it read-only. Stop that process, then delete the .wal file (the serving file is "
            "a copy; the next publish replaces it)."
        )


def _remove_file(path: Path) -> None:
    for candidate in (path, Path(f"{path}.wal")):
        candidate.unlink(missing_ok=True)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(folder: Path) -> None:
    for path in folder.iterdir():
        _fsync_file(path)
    _fsync_dir(folder)


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> list[tuple]:
    # Always fetchall: duckdb 2 keeps an unread result open and the next statement fails.
    return con.execute(sql, params or {}).fetchall()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
