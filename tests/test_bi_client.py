"""A real BI client (SQLAlchemy + duckdb-engine, what Superset uses) on the serving file.

The example is not copied here: the test runs the ```python block of docs/serving.md that
builds the engine, so the documented snippet and the tested one cannot drift apart.
"""

from __future__ import annotations

import contextlib
import io
import re
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.pool import NullPool

from orchestration.serving.publish import SERVING_MARTS, publish
from orchestration.settings import REPO_ROOT
from tests.test_serving import make_working

DOC = REPO_ROOT / "docs" / "serving.md"
README = REPO_ROOT / "README.md"
DOC_PATH_LITERAL = '"data/serving.duckdb"'
D1, D2 = date(2026, 10, 29), date(2026, 10, 30)


def python_blocks(markdown: str) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", markdown, flags=re.MULTILINE | re.DOTALL)


def sqlalchemy_example(markdown: str) -> str:
    (block,) = [b for b in python_blocks(markdown) if "create_engine(" in b]
    return block


@pytest.fixture
def serving(tmp_path: Path) -> tuple[Path, Path]:
    working = make_working(tmp_path / "warehouse.duckdb", D1)
    serving = tmp_path / "serving" / "serving.duckdb"
    publish(working, serving, SERVING_MARTS, "first")
    return working, serving


def run_doc_example(serving: Path) -> dict:
    """Execute the documented block with the serving path substituted; return its names."""
    block = sqlalchemy_example(DOC.read_text(encoding="utf-8"))
    assert block.count(DOC_PATH_LITERAL) == 1, "the example names the serving file once"
    code = block.replace(DOC_PATH_LITERAL, repr(str(serving)))
    namespace: dict = {"__name__": "docs_serving_example"}
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        exec(compile(code, str(DOC), "exec"), namespace)
    namespace["printed"] = output.getvalue()
    return namespace


def as_of(engine: sqlalchemy.Engine) -> date:
    with engine.connect() as conn:
        return conn.execute(text("select as_of_date from meta.publication")).all()[0][0]


def test_the_documented_example_reads_the_top_companies(serving):
    _, path = serving
    example = run_doc_example(path)
    engine = example["engine"]
    assert isinstance(engine.pool, NullPool)
    assert [tuple(row) for row in example["top"]] == [
        ("c0.com", 100.0, "hot"),
        ("c1.com", 99.0, "hot"),
        ("c2.com", 98.0, "hot"),
        ("c3.com", 97.0, "warm"),
        ("c4.com", 96.0, "warm"),
    ]
    assert example["printed"].splitlines()[0].split() == ["c0.com", "100.0", "hot"]
    engine.dispose()


@pytest.mark.parametrize(
    "statement",
    [
        "create table marts.scratch (x integer)",
        "delete from marts.pql_scores",
        "update marts.pql_scores set score = 0",
    ],
)
def test_a_write_through_the_documented_engine_fails(serving, statement):
    _, path = serving
    engine = run_doc_example(path)["engine"]
    with engine.connect() as conn, pytest.raises(sqlalchemy.exc.DBAPIError, match="read-only"):
        conn.execute(text(statement))
    with engine.connect() as conn:
        assert conn.execute(text("select count(*) from marts.pql_scores")).all() == [(20,)]


def test_a_new_connection_sees_a_new_publication(serving):
    working, path = serving
    engine = run_doc_example(path)["engine"]
    assert as_of(engine) == D1
    with engine.connect() as held:
        make_working(working, D2)
        publish(working, path, SERVING_MARTS, "second")  # while a client is connected
        assert held.execute(text("select as_of_date from meta.publication")).all() == [(D1,)]
        # DuckDB shares one database per path within a process: while any connection to
        # the path is open, a new one gets the same (older) publication (docs/serving.md).
        assert as_of(engine) == D1
    assert as_of(engine) == D2  # every connection closed: the next one opens the new file


def test_the_url_form_is_read_only_too(serving):
    _, path = serving
    engine = create_engine(f"duckdb:///{path}?access_mode=read_only", poolclass=NullPool)
    assert str(path).startswith("/") and str(engine.url).startswith("duckdb:////")
    with engine.connect() as conn:
        assert conn.execute(text("select current_setting('access_mode')")).all() == [("read_only",)]
        with pytest.raises(sqlalchemy.exc.DBAPIError, match="read-only"):
            conn.execute(text("drop table marts.users"))
    assert set(inspect(engine).get_table_names(schema="marts")) == set(SERVING_MARTS)


@pytest.mark.xfail(
    strict=True,
    raises=sqlalchemy.exc.DBAPIError,
    reason="duckdb-engine 0.17 + duckdb 2.0: no pg_catalog.pg_collation (docs/serving.md)",
)
def test_column_reflection_known_gap(serving):
    """When this starts passing, update docs/serving.md (Superset physical datasets)."""
    _, path = serving
    engine = create_engine(f"duckdb:///{path}?access_mode=read_only", poolclass=NullPool)
    inspect(engine).get_columns("pql_scores", schema="marts")


def test_the_readme_shows_the_same_tested_example():
    readme = README.read_text(encoding="utf-8")
    blocks = [b for b in python_blocks(readme) if "create_engine(" in b]
    assert blocks == [sqlalchemy_example(DOC.read_text(encoding="utf-8"))]
