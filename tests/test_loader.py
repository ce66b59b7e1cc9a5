"""Every rule of the raw data contract (PRODUCT.md section 5), one test each at least."""

from __future__ import annotations

import io
import os
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from orchestration.raw.contract import entity
from orchestration.raw.loader import FileLoad, load_entity
from orchestration.raw.readers import RawFileError
from tests.conftest import rows_of, write_raw

LOAD_TIME = datetime(2026, 6, 1, 12, 0, 0)

USERS = [
    {"user_id": "u1", "email": "Ann@Acme.com", "created_at": "2026-01-05T10:00:00Z"},
    {"user_id": "u2", "email": "bo@eng.acme.com", "created_at": "2026-01-06T10:00:00+02:00"},
    {"user_id": "u3", "email": "cy@gmail.com", "created_at": "2026-01-07 09:30:00"},
]


def load(con: duckdb.DuckDBPyConnection, seeds: Path, name: str) -> list[FileLoad]:
    return load_entity(con, seeds, entity(name), load_started_at=LOAD_TIME)


def table(con: duckdb.DuckDBPyConnection, name: str) -> list[tuple]:
    columns = ", ".join(c.name for c in entity(name).columns)
    return rows_of(con, f"SELECT {columns} FROM raw.{name} ORDER BY ALL")


def rejects(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return rows_of(con, "SELECT source_file, source_row, reason FROM raw.rejects ORDER BY ALL")


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_each_format_loads_the_same_typed_rows(warehouse, seeds_dir, suffix):
    write_raw(seeds_dir / f"users{suffix}", USERS)
    [result] = load(warehouse, seeds_dir, "users")
    assert (result.rows_read, result.rows_inserted, result.rows_rejected) == (3, 3, 0)
    assert table(warehouse, "users") == [
        ("u1", "Ann@Acme.com", datetime(2026, 1, 5, 10), None, None),
        # +02:00 is converted to UTC; a value without offset is UTC already.
        ("u2", "bo@eng.acme.com", datetime(2026, 1, 6, 8), None, None),
        ("u3", "cy@gmail.com", datetime(2026, 1, 7, 9, 30), None, None),
    ]


def test_a_folder_of_daily_files_loads_every_file_in_path_order(warehouse, seeds_dir):
    write_raw(seeds_dir / "users" / "2026-01-02.csv", USERS[1:])
    write_raw(seeds_dir / "users" / "2026-01-01.jsonl", USERS[:1])
    write_raw(seeds_dir / "users" / "nested" / "2026-01-03.parquet", [USERS[0] | {"user_id": "u9"}])
    (seeds_dir / "users" / "README.txt").write_text("not data")
    results = load(warehouse, seeds_dir, "users")
    assert [r.source_file for r in results] == [
        "users/2026-01-01.jsonl",
        "users/2026-01-02.csv",
        "users/nested/2026-01-03.parquet",
    ]
    assert [row[0] for row in table(warehouse, "users")] == ["u1", "u2", "u3", "u9"]


def test_loading_the_same_file_twice_changes_nothing(warehouse, seeds_dir):
    write_raw(
        seeds_dir / "users.csv", [*USERS, {"user_id": "u4", "email": "bad", "created_at": "x"}]
    )
    load(warehouse, seeds_dir, "users")
    snapshot = [
        rows_of(warehouse, f"SELECT * FROM raw.{name} ORDER BY ALL")
        for name in ("users", "rejects", "load_log")
    ]
    [again] = load(warehouse, seeds_dir, "users")
    assert again.status == "skipped"
    # The same content under another name is the same delivery: also skipped.
    (seeds_dir / "users").mkdir()
    (seeds_dir / "users" / "copy.csv").write_bytes((seeds_dir / "users.csv").read_bytes())
    assert {r.status for r in load(warehouse, seeds_dir, "users")} == {"skipped"}
    assert snapshot == [
        rows_of(warehouse, f"SELECT * FROM raw.{name} ORDER BY ALL")
        for name in ("users", "rejects", "load_log")
    ]


def test_a_redelivered_event_counts_once(warehouse, seeds_dir):
    event = {
        "event_id": "e1",
        "user_id": "u1",
        "event_name": "project_created",
        "occurred_at": "2026-02-01T10:00:00Z",
    }
    write_raw(seeds_dir / "events" / "2026-02-01.csv", [event, event | {"event_name": "copy"}])
    write_raw(seeds_dir / "events" / "2026-02-02.jsonl", [event | {"event_name": "later"}])
    first, second = load(warehouse, seeds_dir, "events")
    assert (first.rows_read, first.rows_inserted, first.rows_duplicate) == (2, 1, 1)
    assert (second.rows_read, second.rows_inserted, second.rows_duplicate) == (1, 0, 1)
    assert rows_of(warehouse, "SELECT event_id, event_name FROM raw.events") == [
        ("e1", "project_created")
    ]


def test_memberships_are_deduplicated_on_account_and_user(warehouse, seeds_dir):
    rows = [
        {"account_id": "a1", "user_id": "u1", "joined_at": "2026-01-01", "role": "owner"},
        {"account_id": "a1", "user_id": "u2", "joined_at": "2026-01-02", "role": "member"},
        {"account_id": "a2", "user_id": "u1", "joined_at": "2026-01-03", "role": "member"},
        {"account_id": "a1", "user_id": "u1", "joined_at": "2026-01-04", "role": "admin"},
    ]
    write_raw(seeds_dir / "memberships.csv", rows)
    [result] = load(warehouse, seeds_dir, "memberships")
    assert (result.rows_inserted, result.rows_duplicate) == (3, 1)
    assert rows_of(
        warehouse, "SELECT role FROM raw.memberships WHERE user_id = 'u1' ORDER BY 1"
    ) == [
        ("member",),
        ("owner",),
    ]


@pytest.mark.parametrize(
    ("name", "bad_row", "reason"),
    [
        ("users", {"user_id": "", "email": "x@y.com", "created_at": "2026-01-01"},
         "missing required value: user_id"),
        ("users", {"user_id": "u7", "email": "x@y.com", "created_at": "2026-13-45"},
         "unparseable timestamp in created_at: 2026-13-45"),
        ("users", {"user_id": "u7", "email": "x@y.com", "created_at": "yesterday"},
         "unparseable timestamp in created_at: yesterday"),
        ("users", {"user_id": "u7", "email": "bob at acme.com", "created_at": "2026-01-01"},
         "malformed email in email: bob at acme.com"),
        ("invites", {"invite_id": "i1", "account_id": "a1", "inviter_user_id": "u1",
                     "invitee_email": "z@acme.com", "sent_at": "2026-03-02T00:00:00Z",
                     "accepted_at": "2026-03-01T00:00:00Z"},
         "invite accepted before it was sent"),
        ("events", {"event_id": "e1", "user_id": "u1", "event_name": "x",
                    "occurred_at": "2026-06-02T00:00:00Z"},
         "event occurs in the future (beyond clock-skew allowance)"),
        ("subscriptions", {"subscription_id": "s1", "account_id": "a1", "plan": "team",
                           "started_at": "2026-01-01", "seats": "ten"},
         "unparseable integer in seats: ten"),
    ],
)  # fmt: skip
def test_a_row_that_breaks_the_contract_goes_to_rejects_with_file_row_and_reason(
    warehouse, seeds_dir, name, bad_row, reason
):
    good = {k: v for k, v in bad_row.items()}
    columns = list(bad_row)
    write_raw(seeds_dir / f"{name}.csv", [bad_row], columns)
    [result] = load(warehouse, seeds_dir, name)
    assert (result.rows_read, result.rows_inserted, result.rows_rejected) == (1, 0, 1)
    assert rejects(warehouse) == [(f"{name}.csv", 1, reason)]
    [(record,)] = rows_of(warehouse, "SELECT record FROM raw.rejects")
    assert all(str(value) in record for value in good.values())


def test_an_event_within_the_clock_skew_allowance_is_kept(warehouse, seeds_dir):
    write_raw(
        seeds_dir / "events.csv",
        [
            {
                "event_id": "e1",
                "user_id": "u1",
                "event_name": "x",
                "occurred_at": "2026-06-01T12:05:00",
            }
        ],
    )
    [result] = load(warehouse, seeds_dir, "events")
    assert result.rows_inserted == 1


def test_rows_that_cannot_be_split_into_fields_are_rejected_not_dropped(warehouse, seeds_dir):
    (seeds_dir / "users.csv").write_text(
        "user_id,email,created_at\n"
        "u1,a@acme.com,2026-01-01\n"
        "u2,b@acme.com,2026-01-01,surplus\n"
        "\n"
        "u3,c@acme.com\n"
    )
    (seeds_dir / "events.jsonl").write_text(
        '{"event_id": "e1", "user_id": "u1", "event_name": "x", "occurred_at": "2026-01-01"}\n'
        "{not json\n"
        '["a", "list"]\n'
    )
    [users] = load(warehouse, seeds_dir, "users")
    [events] = load(warehouse, seeds_dir, "events")
    assert (users.rows_read, users.rows_inserted, users.rows_rejected) == (3, 1, 2)
    assert (events.rows_read, events.rows_inserted, events.rows_rejected) == (3, 1, 2)
    assert rejects(warehouse) == [
        ("events.jsonl", 2, "invalid JSON: Expecting property name enclosed in double quotes"),
        ("events.jsonl", 3, "not a JSON object"),
        ("users.csv", 2, "expected 3 fields, found 4"),
        ("users.csv", 3, "expected 3 fields, found 2"),
    ]


def test_every_file_reconciles_read_equals_loaded_plus_rejected(warehouse, seeds_dir):
    rows = [*USERS, USERS[0], {"user_id": "u5", "email": "nope", "created_at": "2026-01-01"}]
    write_raw(seeds_dir / "users.csv", rows)
    load(warehouse, seeds_dir, "users")
    assert rows_of(
        warehouse,
        "SELECT rows_read, rows_loaded, rows_inserted, rows_duplicate, rows_rejected "
        "FROM raw.load_log",
    ) == [(5, 4, 3, 1, 1)]


def test_column_names_are_case_insensitive_and_extra_columns_are_kept(warehouse, seeds_dir):
    write_raw(
        seeds_dir / "users.csv",
        [{"USER_ID": "u1", " Email ": "a@acme.com", "Created_At": "2026-01-01", "Team": "data"}],
    )
    load(warehouse, seeds_dir, "users")
    assert rows_of(warehouse, "SELECT user_id, email, _extra FROM raw.users") == [
        ("u1", "a@acme.com", '{"team":"data"}')
    ]


def test_a_file_missing_a_required_column_stops_the_load_and_names_file_and_column(
    warehouse, seeds_dir
):
    write_raw(seeds_dir / "users" / "1.csv", USERS[:1])
    write_raw(seeds_dir / "users" / "2.csv", [{"user_id": "u8", "created_at": "2026-01-01"}])
    write_raw(seeds_dir / "users" / "3.csv", USERS[1:])
    with pytest.raises(RawFileError, match=r"users/2\.csv: missing required column 'email'"):
        load(warehouse, seeds_dir, "users")
    # Nothing already loaded is lost, and nothing of the bad file was loaded.
    assert [row[0] for row in table(warehouse, "users")] == ["u1"]
    assert rows_of(warehouse, "SELECT source_file FROM raw.load_log") == [("users/1.csv",)]


def test_a_file_that_cannot_be_parsed_names_the_file(warehouse, seeds_dir):
    write_raw(seeds_dir / "users.csv", USERS)
    load(warehouse, seeds_dir, "users")
    (seeds_dir / "events.parquet").write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(RawFileError, match=r"events\.parquet: cannot read as Parquet"):
        load(warehouse, seeds_dir, "events")
    assert len(table(warehouse, "users")) == 3


def test_sql_looking_names_and_values_are_stored_as_text_never_executed(warehouse, seeds_dir):
    nasty = "x'); DROP TABLE raw.users; --"
    folder = seeds_dir / "users"
    write_raw(
        folder / "o'brien; DROP TABLE raw.load_log.csv",
        [{"user_id": nasty, "email": "a@acme.com", "created_at": "2026-01-01", nasty: nasty}],
    )
    [result] = load(warehouse, seeds_dir, "users")
    assert result.rows_inserted == 1
    assert rows_of(warehouse, "SELECT user_id, _source_file FROM raw.users") == [
        (nasty, "users/o'brien; DROP TABLE raw.load_log.csv")
    ]
    assert rows_of(warehouse, "SELECT count(*) FROM raw.load_log") == [(1,)]


# Regression tests for bugs found by the fuzzer (tests/test_loader_fuzz.py).


def test_a_file_name_that_is_not_utf8_is_stored_with_its_bytes_escaped(warehouse, seeds_dir):
    # Was: duckdb InvalidInputException (a surrogate cannot be encoded as UTF-8).
    write_raw(seeds_dir / os.fsdecode(b"users/2026-01-01\xff.csv"), USERS[:1])
    [result] = load(warehouse, seeds_dir, "users")
    assert result.source_file == "users/2026-01-01\\xff.csv"
    assert rows_of(warehouse, "SELECT user_id, _source_file FROM raw.users") == [
        ("u1", "users/2026-01-01\\xff.csv")
    ]


@pytest.mark.parametrize(
    "line",
    [
        b'{"user_id": ' + b"1" * 5000 + b"}",  # was: ValueError (int_max_str_digits)
        b"[" * 100_000,  # was: RecursionError
    ],
)
def test_a_jsonl_line_python_cannot_parse_is_rejected_not_fatal(warehouse, seeds_dir, line):
    good = b'{"user_id": "u1", "email": "a@acme.com", "created_at": "2026-01-01"}\n'
    (seeds_dir / "users.jsonl").write_bytes(good + line + b"\n")
    [result] = load(warehouse, seeds_dir, "users")
    assert (result.rows_read, result.rows_inserted, result.rows_rejected) == (2, 1, 1)
    [(row, reason)] = rows_of(warehouse, "SELECT source_row, reason FROM raw.rejects")
    assert row == 2 and reason.startswith("invalid JSON: ")


def test_jsonl_lines_end_at_newline_only_and_no_line_is_dropped_silently(warehouse, seeds_dir):
    # Was: a lone CR (JSON whitespace) split one valid record into two rejects, and a line
    # of U+001C (whitespace to Python, not to JSON) was skipped as if blank.
    (seeds_dir / "users.jsonl").write_bytes(
        b'{"user_id": "u1",\r"email": "a@acme.com", "created_at": "2026-01-01"}\r\n \t\r\n\x1c\n'
    )
    [result] = load(warehouse, seeds_dir, "users")
    assert (result.rows_read, result.rows_inserted, result.rows_rejected) == (2, 1, 1)
    assert rejects(warehouse) == [("users.jsonl", 2, "invalid JSON: Expecting value")]


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\n \r\n\t\n"])
def test_a_jsonl_file_without_records_loads_zero_rows(warehouse, seeds_dir, content):
    # Was: RawFileError "missing required column 'user_id' (found: no columns)", which
    # stopped the entity's load for a legitimately empty daily drop.
    (seeds_dir / "users").mkdir()
    (seeds_dir / "users" / "2026-01-01.jsonl").write_bytes(content)
    write_raw(seeds_dir / "users" / "2026-01-02.jsonl", USERS[:1])
    empty, day_two = load(warehouse, seeds_dir, "users")
    assert (empty.status, empty.rows_read) == ("loaded", 0)
    assert day_two.rows_inserted == 1


def test_parquet_binary_and_nested_columns_are_read_as_text(warehouse, seeds_dir):
    # Was: TypeError (bytes, datetime not JSON serializable) inside DuckDB's Arrow stream,
    # surfacing as "TransactionException: Current transaction is aborted".
    nested = pa.struct([("t", pa.timestamp("ms")), ("b", pa.binary()), ("d", pa.decimal128(9, 2))])
    arrow = pa.table(
        {
            "user_id": pa.array([b"u\xff1", b"u2"], pa.binary()),
            "email": ["a@acme.com", "b@acme.com"],
            "created_at": ["2026-01-01", "2026-01-02"],
            "detail": pa.array(
                [{"t": datetime(2026, 1, 1), "b": b"\xff", "d": Decimal("1.50")}, None], nested
            ),
        }
    )
    pq.write_table(arrow, seeds_dir / "users.parquet")
    [result] = load(warehouse, seeds_dir, "users")
    assert (result.rows_read, result.rows_inserted) == (2, 2)
    assert rows_of(warehouse, "SELECT user_id, _extra FROM raw.users ORDER BY _source_row") == [
        ("u\ufffd1", '{"detail":"{\\"b\\": \\"\ufffd\\", \\"d\\": \\"1.50\\", '
                     '\\"t\\": \\"2026-01-01 00:00:00\\"}"}'),
        ("u2", '{"detail":null}'),
    ]  # fmt: skip


def test_a_parquet_file_with_damaged_pages_raises_raw_file_error(warehouse, seeds_dir):
    # Was: the reader's error was wrapped by DuckDB, then masked by TransactionException.
    write_raw(seeds_dir / "users" / "1.csv", USERS)
    rows = [
        {"user_id": f"u{i}", "email": "a@acme.com", "created_at": "2026-01-01"} for i in range(500)
    ]
    sink = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows), sink, compression="none")
    damaged = bytearray(sink.getvalue())
    damaged[8:3000] = b"\xff" * 2992  # the pages, not the footer
    (seeds_dir / "users" / "2.parquet").write_bytes(bytes(damaged))
    with pytest.raises(RawFileError, match=r"users/2\.parquet: cannot read as Parquet"):
        load(warehouse, seeds_dir, "users")
    assert len(table(warehouse, "users")) == 3
    assert rows_of(warehouse, "SELECT source_file FROM raw.load_log") == [("users/1.csv",)]
    assert rows_of(warehouse, "SELECT count(*) FROM raw.rejects") == [(0,)]


def test_lone_surrogate_escapes_in_jsonl_become_replacement_characters(warehouse, seeds_dir):
    # Was: UnicodeEncodeError (a value) or duckdb InvalidInputException (a key): "\ud800" is
    # valid JSON syntax but no UTF-8 text; it is treated like an undecodable byte.
    (seeds_dir / "users.jsonl").write_bytes(
        b'{"user_id": "u\\ud800", "email": "a@acme.com", "created_at": "2026-01-01", '
        b'"\\udc00x": ["\\ud83d", "\\ud83d\\ude00"]}\n'
    )
    [result] = load(warehouse, seeds_dir, "users")
    assert result.rows_inserted == 1
    assert rows_of(warehouse, "SELECT user_id, _extra FROM raw.users") == [
        ("u\ufffd", '{"\ufffdx":"[\\"\ufffd\\", \\"😀\\"]"}')
    ]


def test_invalid_utf8_in_a_parquet_string_column_becomes_replacement_characters(
    warehouse, seeds_dir
):
    # Was: the bytes reached DuckDB unchecked: "INTERNAL Error: Invalid UTF-8 encountered",
    # after which the database was invalidated (FatalException on every later statement).
    user_ids = pa.array([b"u\xff1", b"u2"], pa.binary()).view(pa.string())  # not validated
    arrow = pa.table(
        {"user_id": user_ids, "email": ["a@acme.com"] * 2, "created_at": ["2026-01-01"] * 2}
    )
    pq.write_table(arrow, seeds_dir / "users.parquet")
    [result] = load(warehouse, seeds_dir, "users")
    assert result.rows_inserted == 2
    assert rows_of(warehouse, "SELECT user_id FROM raw.users ORDER BY _source_row") == [
        ("u\ufffd1",),
        ("u2",),
    ]


def test_a_parquet_file_yielding_fewer_rows_than_its_metadata_raises(
    warehouse, seeds_dir, monkeypatch
):
    # Was: damaged pages that read without error but yield no rows (found by flipping bytes:
    # 0 rows read of 5) loaded as an empty file: rows dropped silently.
    write_raw(seeds_dir / "users.parquet", USERS)
    monkeypatch.setattr(pq.ParquetFile, "iter_batches", lambda self, **_: iter(()))
    with pytest.raises(RawFileError, match=r"users\.parquet: .*0 rows read, .* says 3"):
        load(warehouse, seeds_dir, "users")
    assert rows_of(warehouse, "SELECT count(*) FROM raw.load_log") == [(0,)]
