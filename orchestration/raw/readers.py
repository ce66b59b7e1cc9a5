"""Read one raw file (CSV, JSONL or Parquet) into uniform Arrow batches of text.

A reader never interprets values: it yields every field as text, in columns named by
position (``c0``, ``c1``, ...) plus ``_source_row`` (1-based data row in the file), and
reports the file's header separately. Column names from a file therefore never become
SQL identifiers; the loader maps them to contract columns in Python.

Rows that cannot even be split into fields (a CSV row with the wrong number of fields, a
JSONL line that is not a JSON object) come back as :class:`ParseReject` so that the
loader can put them in the rejects table: nothing is dropped silently.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from orchestration.raw.contract import FILE_FORMATS

BATCH_ROWS = 100_000


class RawFileError(Exception):
    """A raw file that cannot be used at all; the message names the file (and column)."""


@dataclass(frozen=True)
class ParseReject:
    source_row: int
    record: str
    reason: str


@dataclass
class ParsedFile:
    """A raw file opened for loading: its header and a stream of text batches."""

    path: Path
    file_format: str
    header: list[str]
    batches: Iterator[pa.RecordBatch]
    parse_rejects: list[ParseReject] = field(default_factory=list)
    #: A JSONL file without a single record (empty, blank lines): it has no header to check.
    no_records: bool = False


def positional_schema(width: int) -> pa.Schema:
    fields = [pa.field("_source_row", pa.int64())]
    fields += [pa.field(f"c{i}", pa.string()) for i in range(width)]
    return pa.schema(fields)


def file_format(path: Path) -> str:
    try:
        return FILE_FORMATS[path.suffix.lower()]
    except KeyError:
        raise RawFileError(
            f"{path}: unsupported file type {path.suffix!r}; expected one of "
            f"{', '.join(sorted(FILE_FORMATS))}"
        ) from None


def open_raw_file(path: Path) -> ParsedFile:
    fmt = file_format(path)
    if fmt == "csv":
        return _open_csv(path)
    if fmt == "jsonl":
        return _open_jsonl(path)
    return _open_parquet(path)


#: A lone surrogate (a JSON escape \uD800-\uDFFF without its pair) cannot be UTF-8.
_SURROGATES = re.compile("[\ud800-\udfff]")


def _valid_text(value: str) -> str:
    """The text with lone surrogates replaced by U+FFFD, like undecodable bytes."""
    return _SURROGATES.sub("\ufffd", value)


def _to_batch(rows: list[tuple[int, list[str | None]]], width: int) -> pa.RecordBatch:
    arrays = [pa.array([row for row, _ in rows], pa.int64())]
    for i in range(width):
        column = [values[i] for _, values in rows]
        try:
            arrays.append(pa.array(column, pa.string()))
        except UnicodeEncodeError:  # lone surrogates decoded from JSON escapes
            arrays.append(pa.array([v and _valid_text(v) for v in column], pa.string()))
    return pa.RecordBatch.from_arrays(arrays, schema=positional_schema(width))


def _chunked(
    records: Iterator[tuple[int, list[str | None]]], width: int
) -> Iterator[pa.RecordBatch]:
    chunk: list[tuple[int, list[str | None]]] = []
    for record in records:
        chunk.append(record)
        if len(chunk) >= BATCH_ROWS:
            yield _to_batch(chunk, width)
            chunk = []
    if chunk:
        yield _to_batch(chunk, width)


def _text_stream(path: Path, newline: str = "") -> io.TextIOWrapper:
    # utf-8-sig drops a byte-order mark; undecodable bytes become U+FFFD instead of
    # aborting the whole file, so one bad row cannot block the rest.
    return io.TextIOWrapper(
        path.open("rb"), encoding="utf-8-sig", errors="replace", newline=newline
    )


def _open_csv(path: Path) -> ParsedFile:
    csv.field_size_limit(sys.maxsize)
    stream = _text_stream(path)
    reader = csv.reader(stream, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        stream.close()
        raise RawFileError(f"{path}: empty file, expected a header row") from None
    except csv.Error as exc:
        stream.close()
        raise RawFileError(f"{path}: cannot parse the CSV header: {exc}") from None
    width = len(header)
    parsed = ParsedFile(path=path, file_format="csv", header=header, batches=iter(()))

    def records() -> Iterator[tuple[int, list[str | None]]]:
        row_number = 0
        try:
            while True:
                try:
                    fields = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    row_number += 1
                    parsed.parse_rejects.append(
                        ParseReject(row_number, f"line {reader.line_num}", f"malformed CSV: {exc}")
                    )
                    continue
                if not fields:
                    continue  # a blank line is not a row
                row_number += 1
                if len(fields) != width:
                    parsed.parse_rejects.append(
                        ParseReject(
                            row_number,
                            json.dumps(fields, ensure_ascii=False),
                            f"expected {width} fields, found {len(fields)}",
                        )
                    )
                    continue
                yield row_number, list(fields)
        finally:
            stream.close()

    parsed.batches = _chunked(records(), width)
    return parsed


def _json_default(value: object) -> str:
    # Parquet values JSON has no type for (bytes, datetimes, decimals) become text.
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def _json_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return _json_default(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=_json_default)


#: JSON Lines: a line ends at "\n" only; a line of nothing but JSON whitespace is blank.
JSON_WHITESPACE = " \t\r\n"


def _json_line(line: str) -> object:
    """Parse one JSONL line; ValueError (with a reason) if it is not JSON."""
    try:
        return json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(exc.msg) from None
    except (ValueError, RecursionError) as exc:  # a huge integer, nesting too deep
        raise ValueError(str(exc).split(";")[0]) from None


def _open_jsonl(path: Path) -> ParsedFile:
    # The header of a JSONL file is the union of its keys in order of first appearance,
    # so the file is scanned once for keys before rows are produced.
    keys: list[str] = []
    seen: set[str] = set()
    no_records = True
    with _text_stream(path, newline="\n") as stream:
        for line in stream:
            no_records = no_records and not line.strip(JSON_WHITESPACE)
            try:
                obj = _json_line(line) if line.strip(JSON_WHITESPACE) else None
            except ValueError:
                continue
            if isinstance(obj, dict):
                for key in obj:
                    if key not in seen:
                        seen.add(key)
                        keys.append(key)
    header = [_valid_text(key) for key in keys]
    width = len(header)
    position = {key: i for i, key in enumerate(keys)}
    parsed = ParsedFile(
        path=path, file_format="jsonl", header=header, batches=iter(()), no_records=no_records
    )

    def records() -> Iterator[tuple[int, list[str | None]]]:
        row_number = 0
        with _text_stream(path, newline="\n") as stream:
            for line in stream:
                if not line.strip(JSON_WHITESPACE):
                    continue
                row_number += 1
                try:
                    obj = _json_line(line)
                except ValueError as exc:
                    parsed.parse_rejects.append(
                        ParseReject(row_number, line.rstrip("\r\n"), f"invalid JSON: {exc}")
                    )
                    continue
                if not isinstance(obj, dict):
                    parsed.parse_rejects.append(
                        ParseReject(row_number, line.rstrip("\r\n"), "not a JSON object")
                    )
                    continue
                values: list[str | None] = [None] * width
                for key, value in obj.items():
                    values[position[key]] = _json_text(value)
                yield row_number, values

    parsed.batches = _chunked(records(), width)
    return parsed


def _as_text(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        text = column.cast(pa.string())
    else:
        try:
            text = column.cast(pa.string())
        except (pa.ArrowNotImplementedError, pa.ArrowInvalid):
            return pa.array([_json_text(v) for v in column.to_pylist()], pa.string())
    try:
        text.validate(full=True)  # a Parquet string column is not checked for UTF-8 on read
    except pa.ArrowInvalid:
        return pa.array([_json_text(v) for v in text.cast(pa.binary()).to_pylist()], pa.string())
    return text


def _open_parquet(path: Path) -> ParsedFile:
    try:
        parquet = pq.ParquetFile(path)
        header = list(parquet.schema_arrow.names)
    except Exception as exc:  # pyarrow raises several types for unreadable files
        raise RawFileError(f"{path}: cannot read as Parquet: {exc}") from None
    schema = positional_schema(len(header))

    def batches() -> Iterator[pa.RecordBatch]:
        offset = 0
        try:
            for batch in parquet.iter_batches(batch_size=BATCH_ROWS):
                rows = pa.array(range(offset + 1, offset + batch.num_rows + 1), pa.int64())
                offset += batch.num_rows
                columns = [rows] + [_as_text(batch.column(i)) for i in range(batch.num_columns)]
                yield pa.RecordBatch.from_arrays(columns, schema=schema)
        except Exception as exc:  # damaged pages behind a readable footer, undecodable values
            raise RawFileError(f"{path}: cannot read as Parquet: {exc}") from None
        if offset != parquet.metadata.num_rows:  # damaged pages can also yield fewer rows
            raise RawFileError(
                f"{path}: cannot read as Parquet: {offset} rows read, "
                f"the file's metadata says {parquet.metadata.num_rows}"
            )

    return ParsedFile(path=path, file_format="parquet", header=header, batches=batches())
