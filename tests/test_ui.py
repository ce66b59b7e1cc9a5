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
RUN_TIMEOUT_S = 150.0
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
  runOrError(runId: $runId) { __typename ... on Run { status } ... on PythonError { message } }
}
"""

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
        if error or event["__typename"] == "RunFailureEvent":
            messages = (event.get("message"), error.get("message"), cause.get("message"))
            text = " ".join(message for message in messages if message)
            lines.append(f"{event['__typename']} {event.get('stepKey') or ''}: {text}")
    return "\n".join(lines) or "(no error events)"


@pytest.fixture(scope="module")
def pql_run(server: DagsterDev, job_selector: dict[str, str]) -> dict[str, Any]:
    """Launch ``pql_daily`` through GraphQL and wait until it ends (bounded)."""
    params = {
        "selector": job_selector,
        # The daily partition of the last day of the sample.
        "executionMetadata": {"tags": [{"key": "dagster/partition", "value": "2026-10-30"}]},
    }
    result = server.graphql(LAUNCH_RUN, {"params": params})["launchRun"]
    assert result["__typename"] == "LaunchRunSuccess", f"launchRun failed: {result}"
    run_id = result["run"]["runId"]
    started = time.monotonic()
    statuses = []
    while time.monotonic() - started < RUN_TIMEOUT_S:
        run = server.graphql(RUN_STATUS, {"runId": run_id})["runOrError"]
        assert run["__typename"] == "Run", run
        if not statuses or statuses[-1] != run["status"]:
            statuses.append(run["status"])
        if run["status"] in {"SUCCESS", "FAILURE", "CANCELED"}:
            break
        time.sleep(2)
    return {
        "run_id": run_id,
        "status": statuses[-1],
        "statuses": statuses,
        "seconds": time.monotonic() - started,
    }


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


def test_a_run_launched_through_the_webserver_succeeds(
    server: DagsterDev, pql_run: dict[str, Any], page: Page, tmp_path: Path
):
    run_id = pql_run["run_id"]
    assert pql_run["status"] == "SUCCESS", (
        f"run {run_id} ended {pql_run['statuses']} after {pql_run['seconds']:.0f} s "
        f"(limit {RUN_TIMEOUT_S:.0f} s):\n{run_errors(server, run_id)}\n"
        f"server log:\n{server.log_tail()}"
    )

    page.goto(f"{server.url}/runs/{run_id}")
    try:
        expect(page.get_by_text("Success", exact=True).first).to_be_visible()
        expect(page.get_by_text(run_id[:8]).first).to_be_visible()
        expect(page.get_by_role("link", name=JOB_NAME, exact=True).first).to_be_visible()
    finally:
        page.screenshot(path=str(tmp_path / "run_page.png"))

    with duckdb.connect(str(server.duckdb_path), read_only=True) as con:
        (scores,) = con.execute("SELECT count(*) FROM marts.pql_scores").fetchone()
        (companies,) = con.execute("SELECT count(*) FROM marts.companies").fetchone()
    assert scores > 0
    assert companies > 0
