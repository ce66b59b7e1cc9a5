"""Setting environment variables for a bounded piece of work."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager


@contextmanager
def patched_environ(values: Mapping[str, str], unset: Sequence[str] = ()) -> Iterator[None]:
    """`os.environ` with `values` set and `unset` removed; restored exactly on exit.

    For subprocesses that inherit the environment (dagster-dbt starts dbt with a copy of
    `os.environ`), not for settings: those are read once, in orchestration/settings.py.
    """
    saved = {name: os.environ.get(name) for name in [*values, *unset]}
    os.environ.update(values)
    for name in unset:
        os.environ.pop(name, None)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
