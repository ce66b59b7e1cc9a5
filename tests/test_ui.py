"""A real browser test of the Dagster UI.

``dg dev`` (what ``make dev`` runs) is started on 127.0.0.1 with a scratch instance that uses
the repository's dagster.yaml (run queue, so the daemon dequeues runs) and a scratch
warehouse. Headless Chromium (the Debian package, driven by playwright) loads the asset
graph, and a run of ``pql_daily`` launched through the webserver's GraphQL API must succeed.

This test never skips: without playwright or Chromium it fails; ``make test`` installs both.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.ui_server import (
    CHROMIUM_ARGS,
    INSTALL_HINT,
    DagsterDev,
    UiTestSetupError,
    find_chromium,
    start_dagster_dev,
    stop_dagster_dev,
    wait_until_ready,
)

try:
    from playwright.sync_api import Browser, Page, expect, sync_playwright
except ImportError:  # reported as a failure by the `chromium` fixture, never a skip
    sync_playwright = None

JOB_NAME = "pql_daily"
RUN_TIMEOUT_S = 300.0  # two runs, one after the other
UI_TIMEOUT_MS = 30_000
MARTS = ("pql_scores", "companies")

# Keeps the "Join the Dagster community" dialog (shown on localhost) out of the way.
DISMISS_COMMUNITY_DIALOG = "window.localStorage.setItem('communityNux', JSON.stringify('1'));"


@pytest.fixture(scope="module", autouse=True)
def chromium() -> str:
    """Checked before the server starts: a missing tool fails at once, never skips."""
    if sync_playwright is None:
        pytest.fail(f"playwright is not installed: {INSTALL_HINT}", pytrace=False)
    try:
        return find_chromium()
    except UiTestSetupError as error:
        pytest.fail(str(error), pytrace=False)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DagsterDev]:
    work_dir = tmp_path_factory.mktemp("ui")
    try:
        dev = start_dagster_dev(work_dir)
    except UiTestSetupError as error:
        pytest.fail(str(error), pytrace=False)
    try:
        try:
            wait_until_ready(dev)
        except UiTestSetupError as error:
            pytest.fail(str(error), pytrace=False)
        yield dev
    finally:
        survivors = stop_dagster_dev(dev)
        assert not survivors, f"processes of dg dev survived SIGKILL: {survivors}"


@pytest.fixture(scope="module")
def job_selector(server: DagsterDev) -> dict[str, str]:
    """The job's selector, found through GraphQL rather than assumed."""
    entries = server.graphql(
        """{ workspaceOrError { ... on Workspace { locationEntries { name
             locationOrLoadError { ... on RepositoryLocation {
               name repositories { name pipelines { name } } } } } } } }"""
    )["workspaceOrError"]["locationEntries"]
    for entry in entries:
        location = entry["locationOrLoadError"] or {}
        for repository in location.get("repositories", []):
            if JOB_NAME in {job["name"] for job in repository["pipelines"]}:
                return {
                    "repositoryLocationName": location["name"],
                    "repositoryName": repository["name"],
                    "jobName": JOB_NAME,
                }
    raise AssertionError(f"job {JOB_NAME} not found in the workspace: {entries}")


@pytest.fixture(scope="module")
def browser(chromium: str) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    # A fresh context is a new, empty profile. Tall enough for the marts graph to show
    # `companies` and `pql_scores` side by side in the screenshot.
    context = browser.new_context(viewport={"width": 1920, "height": 1600})
    context.add_init_script(DISMISS_COMMUNITY_DIALOG)
    context.set_default_timeout(UI_TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


LAUNCH_RUN = """
mutation LaunchRun($params: ExecutionParams!) {
  launchRun(executionParams: $params) {
    __typename
    ... on LaunchRunSuccess { run { runId status } }
    ... on PythonError { message stack }
    ... on InvalidSubsetError { message }
    ... on RunConfigValidationInvalid { errors { message } }
    ... on PipelineNotFoundError { message }
    ... on InvalidStepError { invalidStepKey }
    ... on InvalidOutputError { invalidOutputName }
    ... on UnauthorizedError { message }
  }
}
"""

RUN_STATUS = """
query RunStatus($runId: ID!) {
  runOrError(runId: $runId) {
    __typename
    ... on Run { status startTime endTime }
    ... on PythonError { message }
  }
}
"""

#: Two daily partitions launched at the same moment: the instance's run queue (one run at
#: a time, dagster.yaml) must make the second wait instead of failing on the DuckDB lock.
OVERLAPPING_DAYS = ("2026-10-29", "2026-10-30")

RUN_ERRORS = """
query RunErrors($runId: ID!) {
  logsForRun(runId: $runId) {
    ... on EventConnection {
      events {
        __typename
        ... on ExecutionStepFailureEvent { stepKey error { message cause { message } } }
        ... on RunFailureEvent { message }
        ... on EngineEvent { message error { message } }
      }
    }
  }
}
"""


def run_errors(server: DagsterDev, run_id: str) -> str:
    events = server.graphql(RUN_ERRORS, {"runId": run_id})["logsForRun"].get("events", [])
    lines = []
    for event in events:
        error = event.get("error") or {}
        cause = error.get("cause") or {}
        if error or event["__typename"] in {"RunFailureEvent", "StepFailureEvent"}:
            messages = (event.get("message"), error.get("message"), cause.get("message"))
            text = " ".join(message for message in messages if message)
            lines.append(f"{event['__typename']} {event.get('stepKey') or ''}: {text}")
    return "\n".join(lines) or "(no error events)"


def launch(server: DagsterDev, job_selector: dict[str, str], day: str) -> str:
    params = {
        "selector": job_selector,
        "executionMetadata": {"tags": [{"key": "dagster/partition", "value": day}]},
    }
    result = server.graphql(LAUNCH_RUN, {"params": params})["launchRun"]
    assert result["__typename"] == "LaunchRunSuccess", f"launchRun failed: {result}"
    return result["run"]["runId"]


@pytest.fixture(scope="module")
def pql_runs(server: DagsterDev, job_selector: dict[str, str]) -> list[dict[str, Any]]:
    """Launch ``pql_daily`` twice at once through GraphQL and wait until both end (bounded)."""
    run_ids = [launch(server, job_selector, day) for day in OVERLAPPING_DAYS]
    started = time.monotonic()
    runs: dict[str, dict[str, Any]] = {run_id: {"statuses": []} for run_id in run_ids}
    while time.monotonic() - started < RUN_TIMEOUT_S:
        for run_id, seen in runs.items():
            run = server.graphql(RUN_STATUS, {"runId": run_id})["runOrError"]
            assert run["__typename"] == "Run", run
            if not seen["statuses"] or seen["statuses"][-1] != run["status"]:
                seen["statuses"].append(run["status"])
            seen.update(run)
        if all(seen["status"] in {"SUCCESS", "FAILURE", "CANCELED"} for seen in runs.values()):
            break
        time.sleep(2)
    return [
        {"run_id": run_id, "seconds": time.monotonic() - started, **runs[run_id]}
        for run_id in run_ids
    ]


def test_the_asset_graph_shows_the_marts(
    server: DagsterDev, job_selector: dict[str, str], page: Page, tmp_path: Path
):
    location = job_selector["repositoryLocationName"]
    page.goto(f"{server.url}/locations/{location}/asset-groups/marts")
    try:
        # Asset nodes of the lineage graph carry the asset's name as their label (the graph is
        # larger than the screen: these are the nodes drawn in the first view).
        for name in ("pql_score_history", "invites", "inviters"):
            expect(page.get_by_text(name, exact=True).first).to_be_visible()
        expect(page.get_by_role("button", name="Materialize all")).to_be_visible()
    finally:
        page.screenshot(path=str(tmp_path / "asset_graph_marts.png"))
    body = page.inner_text("body")
    assert "Error" not in page.title(), page.title()
    assert "marts" in body
    groups = server.graphql("{ assetNodes { assetKey { path } groupName } }")["assetNodes"]
    marts = {node["assetKey"]["path"][-1] for node in groups if node["groupName"] == "marts"}
    assert set(MARTS) <= marts


def test_two_overlapping_runs_launched_through_the_webserver_both_succeed(
    server: DagsterDev, pql_runs: list[dict[str, Any]], page: Page, tmp_path: Path
):
    for run in pql_runs:
        assert run["status"] == "SUCCESS", (
            f"run {run['run_id']} ended {run['statuses']} after {run['seconds']:.0f} s "
            f"(limit {RUN_TIMEOUT_S:.0f} s):\n{run_errors(server, run['run_id'])}\n"
            f"server log:\n{server.log_tail()}"
        )
    # The queue ran them one after the other: never two writers on the DuckDB file.
    first, second = sorted(pql_runs, key=lambda run: run["startTime"])
    assert second["startTime"] >= first["endTime"]

    run_id = pql_runs[-1]["run_id"]
    page.goto(f"{server.url}/runs/{run_id}")
    try:
        expect(page.get_by_text("Success", exact=True).first).to_be_visible()
        expect(page.get_by_text(run_id[:8]).first).to_be_visible()
        expect(page.get_by_role("link", name=JOB_NAME, exact=True).first).to_be_visible()
    finally:
        page.screenshot(path=str(tmp_path / "run_page.png"))

    with duckdb.connect(str(server.duckdb_path), read_only=True) as con:
        days = con.execute(
            "SELECT DISTINCT CAST(as_of_date AS VARCHAR) FROM marts.pql_score_history ORDER BY 1"
        ).fetchall()
        (scores,) = con.execute("SELECT count(*) FROM marts.pql_scores").fetchall()[0]
    assert [day for (day,) in days] == list(OVERLAPPING_DAYS)
    assert scores > 0
