"""Helpers for the browser test: the Dagster UI started as a user starts it, and Chromium.

The server is ``dg dev`` from the repository root (what ``make dev`` runs), in its own
process group so that it and everything it spawns (webserver, daemon, code server, run
workers, dbt) can be stopped together, even when a process ignores SIGTERM.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orchestration.settings import DBT_PROJECT_DIR, DEFAULT_SEEDS_DIR, REPO_ROOT

BIN = Path(sys.executable).parent
READY_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 30.0
INSTALL_HINT = "run `make test` (it installs playwright from requirements.lock and Chromium)"

#: Flags for Chromium in a container: no sandbox (root), no GPU, no network chatter.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class UiTestSetupError(RuntimeError):
    """Something the browser test needs is missing or did not come up."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def find_chromium() -> str:
    """The system Chromium (Debian package ``chromium``); fail, never skip, when missing."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None and Path("/usr/bin/chromium").exists():
        path = "/usr/bin/chromium"
    if path is None:
        raise UiTestSetupError(f"Chromium is not installed: {INSTALL_HINT}")
    return path


def tail(path: Path, chars: int = 6000) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return "(no log written)"
    return text[-chars:] if text.strip() else "(empty log)"


@dataclass
class DagsterDev:
    """A running ``dg dev``: its URL, process, log file and the warehouse it writes."""

    process: subprocess.Popen[bytes]
    port: int
    log_path: Path
    dagster_home: Path
    duckdb_path: Path
    serving_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self) -> str:
        return tail(self.log_path)

    def graphql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        request = urllib.request.Request(
            f"{self.url}/graphql", data=body, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            payload = json.load(response)
        if payload.get("errors"):
            raise AssertionError(f"GraphQL errors: {payload['errors']}")
        return payload["data"]


def start_dagster_dev(work_dir: Path) -> DagsterDev:
    """Start ``dg dev`` on 127.0.0.1 and a free port with a scratch instance and warehouse."""
    if not (DBT_PROJECT_DIR / "target" / "manifest.json").exists():
        raise UiTestSetupError("dbt's manifest is missing: run `make test` (or `make setup`)")
    dagster_home = work_dir / "dagster_home"
    dagster_home.mkdir(parents=True)
    # The repository's real instance configuration: run queue, pools, retries.
    shutil.copy(REPO_ROOT / "dagster.yaml", dagster_home / "dagster.yaml")
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PQL_") and key != "DAGSTER_HOME"
    }
    env.update(
        DAGSTER_HOME=str(dagster_home),
        PQL_SEEDS_DIR=str(DEFAULT_SEEDS_DIR),
        PQL_DUCKDB_PATH=str(work_dir / "warehouse.duckdb"),
        PQL_SERVING_PATH=str(work_dir / "serving.duckdb"),
        VIRTUAL_ENV=str(BIN.parent),
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        PYTHONUNBUFFERED="1",
    )
    log_path = work_dir / "dg_dev.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(BIN / "dg"), "dev", "--host", "127.0.0.1", "--port", str(port)],
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped as a whole
        )
    return DagsterDev(
        process=process,
        port=port,
        log_path=log_path,
        dagster_home=dagster_home,
        duckdb_path=work_dir / "warehouse.duckdb",
        serving_path=work_dir / "serving.duckdb",
    )


WORKSPACE_QUERY = """
{
  workspaceOrError {
    __typename
    ... on Workspace {
      locationEntries {
        name
        loadStatus
        locationOrLoadError {
          __typename
          ... on RepositoryLocation { name repositories { name pipelines { name } } }
          ... on PythonError { message }
        }
      }
    }
  }
}
"""


def wait_until_ready(server: DagsterDev, timeout_s: float = READY_TIMEOUT_S) -> list[dict]:
    """Poll /server_info, then the workspace until the code location is loaded."""
    deadline = time.monotonic() + timeout_s
    last_problem = "no answer yet"
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise UiTestSetupError(
                f"dg dev exited with code {server.process.returncode}:\n{server.log_tail()}"
            )
        try:
            with urllib.request.urlopen(f"{server.url}/server_info", timeout=5) as response:
                json.load(response)
            entries = server.graphql(WORKSPACE_QUERY)["workspaceOrError"]["locationEntries"]
        except (OSError, ValueError, urllib.error.URLError, AssertionError) as error:
            last_problem = repr(error)
        else:
            errors = [
                entry["locationOrLoadError"]["message"]
                for entry in entries
                if (entry["locationOrLoadError"] or {}).get("__typename") == "PythonError"
            ]
            if errors:
                raise UiTestSetupError("the code location failed to load:\n" + "\n".join(errors))
            if entries and all(entry["loadStatus"] == "LOADED" for entry in entries):
                return entries
            last_problem = f"code location not loaded yet: {entries}"
        time.sleep(1)
    raise UiTestSetupError(
        f"the Dagster UI did not come up on {server.url} within {timeout_s:.0f} s "
        f"({last_problem}). Server log:\n{server.log_tail()}"
    )


def _group_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes of a process group, read from /proc."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # Fields after the command name "(...)": state ppid pgrp ...
        state, _ppid, group = stat.rsplit(")", 1)[1].split()[:3]
        if int(group) == pgid and state != "Z":
            members.append(int(entry.name))
    return members


def _wait_group_gone(server: DagsterDev, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        server.process.poll()  # reap the leader
        if not _group_members(server.process.pid):
            return True
        time.sleep(0.2)
    return False


def stop_dagster_dev(server: DagsterDev, timeout_s: float = STOP_TIMEOUT_S) -> list[int]:
    """SIGTERM the whole process group, wait, SIGKILL what is left; return what survived."""
    pgid = server.process.pid
    for sig, wait_s in ((signal.SIGTERM, timeout_s), (signal.SIGKILL, 10.0)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, sig)
        if _wait_group_gone(server, wait_s):
            break
    with contextlib.suppress(subprocess.TimeoutExpired):
        server.process.wait(timeout=5)
    return _group_members(pgid)
