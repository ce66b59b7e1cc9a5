"""Fuzzed raw input for the loader (hypothesis): hostile files in every format and entity.

Each example writes one to three raw files of one entity (any of the six) in one format
(CSV, JSONL or Parquet) into a fresh seeds folder, loads them with the real loader into a
fresh DuckDB file, and checks the properties of PRODUCT.md section 5:

* the loader either loads or raises ``RawFileError`` whose message names the file; never
  any other exception, and a ``RawFileError`` only for a file that is unusable (empty, a
  missing or duplicated column, unparseable);
* for every file loaded, ``raw.load_log`` says rows_read = rows_loaded + rows_rejected and
  rows_loaded = rows_inserted + rows_duplicate; rows_inserted is the number of rows of the
  load in the raw table, rows_rejected the number of its rows in ``raw.rejects``; every
  ``source_row`` is in 1..rows_read and no row is both loaded and rejected;
* rows_read equals the number of records an independent reader counts (below);
* loading the same folder again changes nothing;
* nothing from the data is executed as SQL: after the load the catalog holds exactly the
  tables it held before plus the raw tables, a canary table and its row are intact, and no
  temporary table is left behind.

What counts as a record (the independent readers, deliberately not the loader's code):

* CSV: the records Python's ``csv`` module yields (excel dialect, ``strict=True``) from the
  text decoded as UTF-8 (a leading byte-order mark dropped, undecodable bytes replaced),
  after the header, skipping empty records (blank lines). A quoted field may span lines: it
  is still one record. A line the csv module cannot split (``csv.Error``) is one record (the
  loader rejects it as ``malformed CSV``). When no garbage was injected and every field is
  quoted, the count must also equal the number of rows the test wrote.
* JSONL: the lines of the decoded text split on ``\\n`` only (JSON Lines: a trailing ``\\r``
  belongs to the terminator; a lone ``\\r``, U+2028 or U+0085 is not a line break), minus
  the lines holding nothing but JSON whitespace (space, tab, CR). Each such line is one
  record, valid JSON object or not.
* Parquet: ``num_rows`` of the file's metadata. A Parquet file loads all or nothing.

Budget: ``FUZZ_EXAMPLES`` per format (about 60-90 s for the module on 2 cores); run with
``HYPOTHESIS_PROFILE=long`` for 5,000 per format. The number of inputs tried is printed by the
last test (``pytest -s`` or ``-rP`` shows it) and counted in ``FUZZ_COUNTS``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import random
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orchestration.raw.contract import ENTITIES, ENTITY_NAMES, Entity, Kind
from orchestration.raw.contract import entity as contract_entity
from orchestration.raw.loader import FileLoad, load_entity
from orchestration.raw.readers import RawFileError

LOAD_TIME = datetime(2026, 6, 1, 12, 0, 0)
SQL = "'; DROP TABLE raw.users; --"
HUGE = 1_000_000

#: Examples per format: about 60-90 s for the module on 2 cores.
FUZZ_EXAMPLES = {"csv": 250, "jsonl": 250, "parquet": 250}
#: HYPOTHESIS_PROFILE=long: thousands of examples per format (about 20 min for the module).
settings.register_profile("long", max_examples=5000, deadline=None)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "default")

#: How many inputs were tried, per format, and what happened to them.
FUZZ_COUNTS: Counter[str] = Counter()
FUZZ_SECONDS: Counter[str] = Counter()


def fuzz_settings(fmt: str) -> settings:
    return settings(
        max_examples=(
            settings.get_profile("long").max_examples if PROFILE == "long" else FUZZ_EXAMPLES[fmt]
        ),
        deadline=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
    )


# --- values ------------------------------------------------------------------------------

NASTY = [
    SQL,
    "x'); DROP TABLE raw.load_log; --",
    '"; DROP SCHEMA raw CASCADE; --',
    "$load_id",
    "?",
    "%s",
    "{{ var('x') }}",
    "",
    " ",
    "NULL",
    "null",
    "NaN",
    "-Infinity",
    "1e999",
    "9" * 40,
    "-0",
    "\x00",
    "a\x00b",
    "\ufeff",
    "\ufeffu1",
    "line\nbreak",
    "cr\ronly",
    "crlf\r\nline",
    'say "hi"',
    '"',
    '""',
    "a,b",
    "tab\there",
    "\u2028sep\u0085",
    "\u202eevil",
    "😀",
    "Zoë Ångström-O'Brien",
    "\\N",
    "{",
    "[]",
    '{"a": [1, {"b": null}]}',
]
TIME_ZONES = ["UTC", "America/New_York", "Asia/Kolkata", "Europe/Paris", "EST", "Foo/Bar"]


@st.composite
def timestamp_texts(draw: st.DrawFn) -> str:
    moment = draw(
        st.one_of(
            st.datetimes(datetime(2020, 1, 1), datetime(2027, 1, 1)),
            st.datetimes(datetime(1, 1, 1), datetime(9999, 12, 31)),
        )
    )
    minutes = draw(st.integers(-14 * 60, 14 * 60))
    sign, hours, mins = "+" if minutes >= 0 else "-", abs(minutes) // 60, abs(minutes) % 60
    style = draw(st.integers(0, 8))
    if style == 0:
        return moment.date().isoformat()
    if style == 1:
        return moment.isoformat(timespec="seconds") + "Z"
    if style == 2:
        return moment.isoformat(sep=" ", timespec="seconds") + f"{sign}{hours:02d}:{mins:02d}"
    if style == 3:
        return moment.isoformat(timespec="microseconds") + f"{sign}{hours:02d}{mins:02d}"
    if style == 4:
        return moment.isoformat(sep=" ")
    if style == 5:
        zone = draw(st.sampled_from(TIME_ZONES))
        return f"{moment.isoformat(sep=' ', timespec='seconds')} {zone}"
    if style == 6:
        return str(int(moment.replace(tzinfo=UTC).timestamp()))  # epoch seconds: rejected
    if style == 7:
        return draw(st.sampled_from(["2026-13-45", "yesterday", "2026-02-30", "2026-06-01T12:09"]))
    return moment.strftime("%d/%m/%Y %H:%M")


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=8,
)


def valid_text(kind: Kind | None) -> st.SearchStrategy[str]:
    if kind == Kind.ID:
        return st.sampled_from(["u1", "u2", "u3", " a1 ", "A1", "e1", "s1", "i1"])  # duplicates
    if kind == Kind.EMAIL:
        return st.sampled_from(
            ["Ann@Acme.com", " bo@eng.acme.co.uk ", "cy@gmail.com", "bad", "a@b", "a b@c.io"]
        )
    if kind == Kind.TIMESTAMP:
        return timestamp_texts()
    if kind == Kind.INTEGER:
        return st.integers(-(2**70), 2**70).map(str) | st.sampled_from(["ten", "1.5", " 7 "])
    if kind == Kind.DECIMAL:
        return st.decimals(allow_nan=True, places=3).map(str) | st.floats().map(repr)
    if kind == Kind.JSON:
        return json_values.map(json.dumps) | st.sampled_from(["{not json", "[1,", "NaN"])
    return st.text(max_size=12)


def clean_text(kind: Kind | None) -> st.SearchStrategy[str]:
    """A value the contract accepts (a row of these loads unless a cross-column rule fails)."""
    if kind == Kind.ID:
        return st.sampled_from(["u1", "u2", "u3", "a1", "e1", "s1", "i1", SQL])
    if kind == Kind.EMAIL:
        return st.sampled_from(["Ann@Acme.com", "bo@eng.acme.co.uk", "o'brien@x.io", "z@ü.de"])
    if kind == Kind.TIMESTAMP:
        return st.sampled_from(
            ["2026-01-05", "2026-01-05T10:00:00Z", "2026-01-05 10:00:00+05:30",
             "2026-01-05T23:30:00-08:00", "2026-01-05T10:00:00.123456-0330", "2026-05-31 12:00"]
        )  # fmt: skip
    if kind == Kind.INTEGER:
        return st.integers(0, 10_000).map(str)
    if kind == Kind.DECIMAL:
        return st.decimals(0, 10**6, places=2).map(str)
    if kind == Kind.JSON:
        return json_values.map(json.dumps)
    return st.text(max_size=12)


def text_cells(kind: Kind | None) -> st.SearchStrategy[str | None]:
    return st.one_of(
        valid_text(kind),
        valid_text(kind),
        st.sampled_from(NASTY),
        st.text(max_size=16),
        st.none(),
    )


# --- headers and rows ----------------------------------------------------------------------

EXTRA_NAMES = [
    SQL,
    "team",
    "Team",
    "",
    " ",
    "_source_row",
    "_extra",
    "c0",
    "load_id",
    'col"quote',
    "col,comma",
    "col\nnewline",
    "ünïcødé",
    "-leading-dash",
    "x\x00y",
]


def one_in(n: int, draw: st.DrawFn) -> bool:
    """True about once in n draws (shrinks to False)."""
    return draw(st.sampled_from([False] * (n - 1) + [True]))


def mangle_case(name: str, how: int) -> str:
    return [name, name.upper(), name.title(), f"  {name} ", name.swapcase()][how]


@st.composite
def headers(draw: st.DrawFn, entity: Entity) -> tuple[list[str], list[Kind | None]]:
    """Column names as a file would carry them, with the kind of value each holds."""
    columns: list[tuple[str, Kind | None]] = []
    for column in entity.columns:
        keep = not one_in(20, draw) if column.required else draw(st.booleans())
        if keep:
            columns.append((mangle_case(column.name, draw(st.integers(0, 4))), column.kind))
    extras = st.lists(
        st.sampled_from(EXTRA_NAMES) | st.text(max_size=6),
        max_size=3,
        unique_by=lambda name: name.strip().lower(),
    )
    for name in draw(extras):
        columns.append((name, None))
    if columns and one_in(15, draw):  # the same column twice, case mangled
        name, kind = draw(st.sampled_from(columns))
        columns.append((mangle_case(name.strip(), draw(st.integers(0, 4))), kind))
    columns = draw(st.permutations(columns))
    return [name for name, _ in columns], [kind for _, kind in columns]


@dataclass
class Table:
    names: list[str]
    kinds: list[Kind | None]
    rows: list[list[str | None]]
    huge: bool = False  # one value is 1 MB


@st.composite
def tables(draw: st.DrawFn, entity: Entity) -> Table:
    names, kinds = draw(headers(entity))
    n_rows = draw(st.integers(0, 6))
    rows = []
    for _ in range(n_rows):  # about half the rows are valid, the others fuzzed cell by cell
        cells = clean_text if draw(st.booleans()) else text_cells
        rows.append([draw(cells(kind)) for kind in kinds])
    huge = bool(rows and names and one_in(25, draw))
    if huge:  # one 1 MB field
        rows[draw(st.integers(0, len(rows) - 1))][draw(st.integers(0, len(names) - 1))] = (
            'big "quoted",\nfield ' * (HUGE // 20)
        )
    if rows and draw(st.booleans()):  # a re-delivered row
        rows.append(list(draw(st.sampled_from(rows))))
    return Table(names, kinds, rows, huge)


# --- files ---------------------------------------------------------------------------------

ODD_STEMS = [
    "2026-01-01",
    "daily drop",
    SQL,
    "o'brien; DROP TABLE raw.load_log",
    '"quoted"',
    "-leading-dash",
    "--help",
    "ünïcødé 日本",
    "emoji 😀",
    "sub/dir/2026-01-02",
    "tab\there",
    "new\nline",
    " spaced ",
]
SUFFIXES = {
    "csv": [".csv", ".CSV"],
    "jsonl": [".jsonl", ".ndjson", ".JSONL"],
    "parquet": [".parquet", ".Parquet"],
}


class RawFile:
    """One raw file to write: its path under the seeds folder and its bytes."""

    def __init__(self, name: bytes, content: bytes, clean_rows: int | None = None) -> None:
        self.name = name  # bytes: a file name need not be UTF-8
        self.content = content
        self.clean_rows = clean_rows  # rows written, when the record count is unambiguous

    def __repr__(self) -> str:  # keeps hypothesis' report of a failing example readable
        content = self.content if len(self.content) <= 300 else self.content[:300] + b"..."
        return f"RawFile({self.name!r}, {content!r} [{len(self.content)} bytes], {self.clean_rows})"


@st.composite
def file_names(draw: st.DrawFn, entity: Entity, fmt: str, top_level: bool) -> bytes:
    if top_level:
        return f"{entity.name}{draw(st.sampled_from(SUFFIXES[fmt][:1]))}".encode()
    stem = draw(st.sampled_from(ODD_STEMS) | st.text(min_size=1, max_size=10))
    stem = stem.replace("\x00", "").strip("/").replace("//", "/") or "x"
    parts = [p for p in stem.split("/") if p not in ("", ".", "..")] or ["x"]
    if any(p.startswith(".") for p in parts):  # hidden files are skipped by design
        parts = ["_" + p for p in parts]
    raw = "/".join(parts).encode("utf-8")
    if one_in(10, draw):
        raw += b"\xff-not-utf8"
    return f"{entity.name}/".encode() + raw[:200] + draw(st.sampled_from(SUFFIXES[fmt])).encode()


def _cell(value: str | None) -> str:
    return "" if value is None else value


def csv_bytes(draw: st.DrawFn, table: Table) -> RawFile:
    special = st.sampled_from(["empty", "header_only", "bom_only", "binary"])
    mode = draw(special) if one_in(5, draw) else "normal"
    if mode == "empty":
        return RawFile(b"", b"")
    if mode == "bom_only":
        return RawFile(b"", b"\xef\xbb\xbf")
    if mode == "binary":
        return RawFile(b"", draw(st.binary(max_size=64)))
    quote_all = draw(st.booleans())
    buffer = io.StringIO()
    writer = csv.writer(
        buffer,
        quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
        lineterminator=draw(st.sampled_from(["\r\n", "\n"])),
    )
    writer.writerow(table.names)
    rows = [] if mode == "header_only" else table.rows
    lines = [buffer.getvalue()]
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([_cell(v) for v in row])
        lines.append(buffer.getvalue())
    encoding = draw(st.sampled_from(["utf-8"] * 4 + ["utf-8-sig", "cp1252"]))
    data = [line.encode(encoding, errors="replace") for line in lines]
    if encoding == "utf-8-sig":  # the BOM only at the start of the file
        data = [data[0]] + [line.removeprefix(b"\xef\xbb\xbf") for line in data[1:]]
    garbage = draw(
        st.lists(
            st.sampled_from(
                [
                    b"\n",
                    b"\r\n",
                    b'"unterminated quote,\n',
                    b'a,"b"c,d\n',
                    b"only-one-field\n",
                    b"a,b,c,d,e,f,g,h,i,j,k\n",
                    SQL.encode() + b"\n",
                    b"\xff\xfe\x00\x01 bytes\n",
                    b"\x00\x00\x00\n",
                    b'"\xe9t\xe9",\xc3\n',
                ]
            )
            | st.binary(max_size=24),
            max_size=3,
        )
    )
    for junk in garbage:
        data.insert(draw(st.integers(1, len(data))), junk)
    clean = None if garbage or not quote_all or mode == "header_only" else len(rows)
    if mode == "header_only":
        clean = 0 if not garbage else None
    return RawFile(b"", b"".join(data), clean)


def jsonl_value(draw: st.DrawFn, value: str | None) -> object:
    """The cell as JSON: mostly the text, sometimes a number, a nested value or absent."""
    how = draw(st.sampled_from(["text"] * 17 + ["json", "number", "surrogate"]))
    if how == "json":
        return draw(json_values)
    if how == "surrogate":  # json.dumps writes a lone surrogate as the escape "\ud800"
        return f"{value or ''}{draw(st.characters(categories=['Cs']))}"
    if how == "number" and value is not None:
        try:
            return int(value)
        except ValueError:
            return value
    return value


def jsonl_bytes(draw: st.DrawFn, table: Table) -> RawFile:
    special = st.sampled_from(["empty", "bom_only", "blank_lines", "binary"])
    mode = draw(special) if one_in(5, draw) else "normal"
    if mode == "empty":
        return RawFile(b"", b"")
    if mode == "bom_only":
        return RawFile(b"", b"\xef\xbb\xbf")
    if mode == "blank_lines":
        return RawFile(b"", b"\n \r\n\t\n")
    if mode == "binary":
        return RawFile(b"", draw(st.binary(max_size=64)))
    ending = draw(st.sampled_from([b"\n", b"\r\n"]))
    ascii_only = draw(st.booleans())
    lines = []
    for row in table.rows:
        obj = {}
        for name, value in zip(table.names, row, strict=True):
            if one_in(25, draw):
                continue  # key absent in this line
            obj[name] = jsonl_value(draw, value)
        text = json.dumps(obj, ensure_ascii=ascii_only)  # raw lone surrogates: invalid bytes
        lines.append(text.encode("utf-8", "surrogatepass") + ending)
    garbage = draw(
        st.lists(
            st.sampled_from(
                [
                    b"\n",
                    b"   \t\r\n",
                    b"{not json\n",
                    b'["a", "list"]\n',
                    b"42\n",
                    b"null\n",
                    b'"just a string"\n',
                    b"[" * 100_000 + b"\n",  # nesting deeper than Python's recursion limit
                    b'{"user_id": ' + b"1" * 5000 + b"}\n",  # beyond int_max_str_digits
                    b'{"event_id": "e9",\r"user_id": "u1"}\n',  # a lone CR is whitespace
                    b"\x1c\n",  # not JSON whitespace: one (invalid) record
                    b"\xef\xbb\xbf{}\n",  # a BOM in the middle of the file
                    b'{"a": "\x00"}\n',
                    b'{"user_id": "u1", "user_id": "u2"}\n',
                    b'{"user_id": "u\\ud800", "\\udc00": ["\\ud83d\\ude00", "\\udfff"]}\n',
                    SQL.encode() + b"\n",
                    b"\xff\xfe garbage\n",
                ]
            )
            | st.binary(max_size=24),
            max_size=3,
        )
    )
    for junk in garbage:
        lines.insert(draw(st.integers(0, len(lines))), junk)
    prefix = b"\xef\xbb\xbf" if one_in(5, draw) else b""
    return RawFile(b"", prefix + b"".join(lines), None if garbage else len(table.rows))


def _parquet_array(draw: st.DrawFn, kind: Kind | None, values: list[str | None]) -> pa.Array:
    n = len(values)
    choice = draw(st.integers(0, 16))
    if choice <= 4:
        return pa.array(values, pa.string())
    if choice == 5:
        return pa.array(values, pa.large_string()).dictionary_encode()
    if choice == 6:
        return pa.array(draw(st.lists(st.integers(-(2**63), 2**63 - 1), min_size=n, max_size=n)))
    if choice == 7:
        return pa.array(draw(st.lists(st.floats(), min_size=n, max_size=n)), pa.float64())
    if choice == 8:
        moments = st.datetimes(datetime(1970, 1, 1), datetime(2100, 1, 1))
        tz = draw(st.sampled_from([None, "UTC", "+05:30", "America/New_York"]))
        return pa.array(draw(st.lists(moments, min_size=n, max_size=n)), pa.timestamp("us", tz))
    if choice == 9:
        days = st.dates(date(1900, 1, 1), date(2100, 1, 1))
        return pa.array(draw(st.lists(days, min_size=n, max_size=n)), pa.date32())
    if choice == 10:  # binary, often not UTF-8
        blobs = st.binary(max_size=8) | st.sampled_from([b"\xff\xfe", b"u1", b"\x00"])
        return pa.array(draw(st.lists(blobs | st.none(), min_size=n, max_size=n)), pa.binary())
    if choice == 11:
        lists = st.lists(st.integers(-5, 5) | st.none(), max_size=3) | st.none()
        return pa.array(draw(st.lists(lists, min_size=n, max_size=n)), pa.list_(pa.int64()))
    if choice == 12:  # a struct holding a timestamp, bytes and a decimal
        kind_type = pa.struct(
            [("t", pa.timestamp("ms")), ("b", pa.binary()), ("d", pa.decimal128(9, 2))]
        )
        items = [
            {"t": datetime(2026, 1, 1) + timedelta(days=i), "b": b"\xff", "d": Decimal("1.5")}
            for i in range(n)
        ]
        return pa.array(items, kind_type)
    if choice == 13:
        return pa.nulls(n)
    if choice in (15, 16):  # a string column holding bytes that are not UTF-8 (not validated)
        blobs = st.binary(max_size=6) | st.sampled_from([b"u\xff1", b"\xc3", b"\xed\xa0\x80"])
        text = pa.array(draw(st.lists(blobs, min_size=n, max_size=n)), pa.binary())
        text = text.view(pa.string())
        return text if choice == 15 else pa.StructArray.from_arrays([text], names=["s"])
    return pa.array([Decimal(i) / 4 for i in range(n)], pa.decimal128(12, 2))


def parquet_bytes(draw: st.DrawFn, table: Table) -> RawFile:
    arrays = [
        _parquet_array(draw, kind, [row[i] for row in table.rows])
        for i, kind in enumerate(table.kinds)
    ]
    if not arrays:
        arrays, names = [pa.array([None] * len(table.rows), pa.string())], ["only"]
    else:
        names = table.names
    arrow = pa.Table.from_arrays(arrays, names=names)
    sink = io.BytesIO()
    pq.write_table(arrow, sink, row_group_size=draw(st.sampled_from([None, 2])))
    data = sink.getvalue()
    damage = draw(st.sampled_from(["none"] * 8 + ["truncate", "flip", "empty", "magic_only"]))
    if damage == "truncate":
        data = data[: draw(st.integers(0, len(data) - 1))]
    elif damage == "flip":
        rng = random.Random(draw(st.integers(0, 2**32)))
        buffer = bytearray(data)
        for _ in range(draw(st.integers(1, 16))):
            buffer[rng.randrange(4, max(5, len(buffer) - 8))] ^= rng.randrange(1, 256)
        data = bytes(buffer)
    elif damage == "empty":
        data = b""
    elif damage == "magic_only":
        data = b"PAR1PAR1"
    # Bytes that are not UTF-8 inside a nested column make the file unreadable (RawFileError);
    # at the top level they are read with replacement characters.
    clean = damage == "none" and all(_decodes(array) for array in arrays)
    return RawFile(b"", data, len(table.rows) if clean else None)


def _decodes(array: pa.Array) -> bool:
    try:
        array.to_pylist()
    except UnicodeDecodeError:
        return pa.types.is_string(array.type)
    return True


@st.composite
def raw_folders(draw: st.DrawFn, fmt: str) -> tuple[str, list[RawFile]]:
    entity = contract_entity(draw(st.sampled_from(ENTITY_NAMES)))
    encode = {"csv": csv_bytes, "jsonl": jsonl_bytes, "parquet": parquet_bytes}[fmt]
    files: list[RawFile] = []
    names: set[bytes] = set()
    for i in range(draw(st.integers(1, 3))):
        name = draw(file_names(entity, fmt, top_level=i == 0 and draw(st.booleans())))
        if name.lower() in names:
            continue
        names.add(name.lower())
        if files and one_in(5, draw):  # the same content delivered again
            files.append(RawFile(name, files[-1].content, files[-1].clean_rows))
            continue
        table = draw(tables(entity))
        raw = encode(draw, table)
        files.append(RawFile(name, raw.content, raw.clean_rows))
        FUZZ_COUNTS[f"{fmt}: generated a 1 MB value"] += table.huge
    return entity.name, files


# --- the independent readers ----------------------------------------------------------------


def _decoded(content: bytes) -> str:
    return content.decode("utf-8-sig", errors="replace")


def csv_expectation(content: bytes) -> tuple[list[str] | None, int]:
    """(header or None if the header cannot be read, number of records after it)."""
    reader = csv.reader(io.StringIO(_decoded(content), newline=""), strict=True)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        return None, 0
    records = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return header, records
        except csv.Error:
            records += 1
            continue
        records += 1 if row else 0


def jsonl_expectation(content: bytes) -> tuple[list[str], int]:
    keys: dict[str, None] = {}
    records = 0
    for line in _decoded(content).split("\n"):
        if not line.strip(" \t\r"):
            continue
        records += 1
        try:
            obj = json.loads(line)
        except (ValueError, RecursionError):
            continue
        if isinstance(obj, dict):
            keys.update(dict.fromkeys(obj))
    return list(keys), records


def parquet_expectation(path: Path) -> tuple[list[str] | None, int]:
    try:
        metadata = pq.ParquetFile(path)
        return list(metadata.schema_arrow.names), metadata.metadata.num_rows
    except Exception:
        return None, 0


def header_is_usable(header: list[str] | None, entity: Entity) -> bool:
    if header is None:
        return False
    names = [name.strip().lower() for name in header]
    known = {alias for c in entity.columns for alias in (c.name, *c.aliases)}
    required = {c.name for c in entity.columns if c.required}
    return len(set(names)) == len(names) and required <= (set(names) & known)


# --- the property --------------------------------------------------------------------------


def tables_in_catalog(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str, bool]]:
    rows = con.execute(
        "SELECT schema_name, table_name, temporary FROM duckdb_tables() "
        "WHERE database_name IN ('fuzz', 'temp')"
    ).fetchall()
    return {(s, t, bool(tmp)) for s, t, tmp in rows}


def check_load(fmt: str, entity: Entity, files: list[RawFile]) -> None:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="pql-fuzz-") as scratch:
        seeds = Path(scratch) / "seeds"
        written: dict[str, list[tuple[Path, RawFile]]] = {}  # by sha256
        paths: list[Path] = []
        for raw in files:
            path = Path(os.fsdecode(os.path.join(os.fsencode(seeds), raw.name)))
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(raw.content)
            written.setdefault(hashlib.sha256(raw.content).hexdigest(), []).append((path, raw))
            paths.append(path)
        con = duckdb.connect(str(Path(scratch) / "fuzz.duckdb"))
        try:
            con.execute("CREATE TABLE canary (id INTEGER, note VARCHAR)")
            con.execute("INSERT INTO canary VALUES (1, 'still here')")
            before = tables_in_catalog(con)
            results: list[FileLoad] = []
            try:
                load_entity(con, seeds, entity, load_started_at=LOAD_TIME, on_file=results.append)
            except RawFileError as exc:
                message = str(exc)
                named = [p for p in paths if str(p) in message]
                assert named, f"RawFileError does not name the file: {message}"
                failed = max(named, key=lambda p: len(str(p)))  # "a.csv" is in "a.csv.csv"
                [(_, raw), *_] = written[hashlib.sha256(failed.read_bytes()).hexdigest()]
                must_load, _ = expectation(fmt, entity, failed, raw)
                assert must_load is not True, message
                FUZZ_COUNTS[f"{fmt}: files refused (RawFileError)"] += 1
                reason = message.removeprefix(str(failed) + ": ").split(" '")[0][:40]
                FUZZ_COUNTS[f"{fmt}: RawFileError: {reason}"] += 1
            _check_catalog(con, before)
            _check_reconciliation(con, fmt, entity, written, results)
            if len(results) == len(paths):  # everything loaded: a second load changes nothing
                snapshot = _snapshot(con, entity)
                again = load_entity(con, seeds, entity, load_started_at=LOAD_TIME)
                assert {r.status for r in again} <= {"skipped"}
                assert _snapshot(con, entity) == snapshot
        finally:
            con.close()
    FUZZ_COUNTS[f"{fmt}: inputs tried"] += 1
    FUZZ_COUNTS[f"{fmt}: files written"] += len(files)
    for raw in files:
        features = {
            "empty file": not raw.content,
            "byte-order mark": fmt != "parquet" and raw.content.startswith(b"\xef\xbb\xbf"),
            "NUL byte": fmt != "parquet" and b"\x00" in raw.content,
            "SQL text in the file": SQL.encode() in raw.content,
            "SQL text in the name": SQL.encode() in raw.name,
            "name not UTF-8": b"\xff" in raw.name,
        }
        for feature, present in features.items():
            FUZZ_COUNTS[f"{fmt}: files with {feature}"] += present
    FUZZ_SECONDS[fmt] += time.perf_counter() - started


def expectation(fmt: str, entity: Entity, path: Path, raw: RawFile) -> tuple[bool | None, int]:
    """(must the file load?, records counted independently); None: it may load or fail.

    A file must fail when its header cannot be read, lacks a required column or names a
    column twice (after trimming and lower-casing); it must load otherwise. A JSONL file
    without a single record has no header and loads zero rows. A damaged Parquet file whose
    footer still reads may fail while reading its pages.
    """
    if fmt == "csv":
        header, records = csv_expectation(raw.content)
    elif fmt == "jsonl":
        header, records = jsonl_expectation(raw.content)
        if records == 0:
            return True, 0
    else:
        header, records = parquet_expectation(path)
        if header_is_usable(header, entity) and raw.clean_rows is None:
            return None, records
    return header_is_usable(header, entity), records


def _check_catalog(con: duckdb.DuckDBPyConnection, before: set) -> None:
    raw_tables = {("raw", name, False) for name in [e.name for e in ENTITIES]}
    raw_tables |= {("raw", "rejects", False), ("raw", "load_log", False)}
    assert tables_in_catalog(con) == before | raw_tables
    assert con.execute("SELECT * FROM canary").fetchall() == [(1, "still here")]


def _check_reconciliation(
    con: duckdb.DuckDBPyConnection,
    fmt: str,
    entity: Entity,
    written: dict[str, list[tuple[Path, RawFile]]],
    results: list[FileLoad],
) -> None:
    log = con.execute(
        "SELECT load_id, source_file, file_sha256, rows_read, rows_loaded, rows_inserted, "
        "rows_duplicate, rows_rejected, file_format FROM raw.load_log ORDER BY load_id"
    ).fetchall()
    loaded = [r for r in results if r.status == "loaded"]
    assert [(row[0], row[1]) for row in log] == [(r.load_id, r.source_file) for r in loaded]
    for load_id, source_file, sha, read, ok, inserted, duplicate, rejected, file_format in log:
        assert file_format == fmt
        assert read == ok + rejected and ok == inserted + duplicate
        assert min(read, ok, inserted, duplicate, rejected) >= 0
        in_table = con.execute(
            f"SELECT _source_row FROM raw.{entity.name} WHERE _load_id = ?", [load_id]
        ).fetchall()
        in_rejects = con.execute(
            "SELECT source_row FROM raw.rejects WHERE load_id = ?", [load_id]
        ).fetchall()
        assert len(in_table) == inserted and len(in_rejects) == rejected
        rows = [r for (r,) in in_table] + [r for (r,) in in_rejects]
        assert len(set(rows)) == len(rows) and all(1 <= r <= read for r in rows)
        # The file name is stored as text (bytes that are not UTF-8 escaped), never executed.
        names = {raw.name.decode("utf-8", "backslashreplace"): (p, raw) for p, raw in written[sha]}
        assert source_file in names, f"{source_file!r} not among {sorted(names)}"
        path, raw = names[source_file]
        must_load, expected = expectation(fmt, entity, path, raw)
        assert must_load is not False, f"{source_file} is unusable but loaded"
        assert read == expected, f"{source_file}: loader read {read}, independent {expected}"
        if raw.clean_rows is not None:
            assert read == raw.clean_rows
        FUZZ_COUNTS[f"{fmt}: files loaded"] += 1
        FUZZ_COUNTS[f"{fmt}: rows read"] += read
        FUZZ_COUNTS[f"{fmt}: rows rejected"] += rejected


def _snapshot(con: duckdb.DuckDBPyConnection, entity: Entity) -> list[list[tuple]]:
    return [
        con.execute(f"SELECT * FROM raw.{name} ORDER BY ALL").fetchall()
        for name in (entity.name, "rejects", "load_log")
    ]


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_fuzzed_raw_files_load_or_fail_cleanly(fmt: str) -> None:
    @fuzz_settings(fmt)
    @given(folder=raw_folders(fmt))
    def run(folder: tuple[str, list[RawFile]]) -> None:
        name, files = folder
        check_load(fmt, contract_entity(name), files)

    run()


def test_zz_report_how_many_fuzzed_inputs_were_tried() -> None:
    """Runs last in this module: prints (pytest -s / -rP) and checks the fuzz counts."""
    lines = [f"hypothesis profile {PROFILE!r}"]
    lines += [f"{key}: {value}" for key, value in sorted(FUZZ_COUNTS.items())]
    lines += [f"{fmt}: {seconds:.1f} s" for fmt, seconds in sorted(FUZZ_SECONDS.items())]
    total = sum(FUZZ_COUNTS[f"{fmt}: inputs tried"] for fmt in FUZZ_EXAMPLES)
    lines.append(f"total inputs tried: {total}")
    print("\n".join(lines))
    if FUZZ_COUNTS:  # the fuzz tests ran in this session (not deselected)
        assert all(FUZZ_COUNTS[f"{fmt}: inputs tried"] > 0 for fmt in FUZZ_EXAMPLES)
