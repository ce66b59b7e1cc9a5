"""The HTML PQL report: rendering from hand-made data, and a real page in headless Chromium.

The browser test builds a real warehouse from the bundled sample (the whole pipeline, as
``make run`` does), materializes the report assets on it, and opens the page in headless
Chromium (the Debian package, driven by playwright, as tests/test_ui.py). Like that test it
never skips: without playwright or Chromium it fails; ``make test`` installs both.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import pytest

from orchestration.assets.reports import (
    PQL_REPORT_KEY,
    SALES_FEED_KEY,
    build_report_assets,
    feeds_dir,
    reports_dir,
)
from orchestration.reporting import charts
from orchestration.reporting.data import (
    BacktestTier,
    DayCount,
    FunnelStep,
    Headline,
    NewPqlHistory,
    RankedCompany,
    Reason,
    ReportData,
    ScoreBin,
    Signal,
    TierCount,
    load_report_data,
)
from orchestration.reporting.files import connect_read_only
from orchestration.reporting.report import SECTION_IDS, render_report
from orchestration.resources import WarehouseResource
from orchestration.settings import DEFAULT_SEEDS_DIR, Settings
from tests.ui_server import CHROMIUM_ARGS, INSTALL_HINT, UiTestSetupError, find_chromium

try:
    from playwright.sync_api import Browser, sync_playwright
except ImportError:  # reported as a failure by the `chromium` fixture, never a skip
    sync_playwright = None

CHART_IDS = ("tiers", "scores", "backtest", "new-pqls", "funnel")
EVIL = '<script>alert("x")</script>'
AS_OF = date(2026, 10, 30)

# --------------------------------------------------------------------- hand-made data


def hand_made() -> ReportData:
    signals = {
        "active_users_28d": Signal("active_users_28d", "active users in 28 days", 20, "count"),
        "activation_rate": Signal("activation_rate", "activated within 14 days", 10, "percent"),
    }
    ranked = (
        RankedCompany(
            rank=1,
            company_domain=f"{EVIL}.example",
            score=91,
            tier="hot",
            route_to_sales=True,
            is_expansion_candidate=False,
            reason_summary='PQL: 45 active users & "friends" <b>bold</b>',
            reasons=(
                Reason("active_users_28d", 45, 20.0),
                Reason(f"{EVIL}_signal", 3, 4.5),
            ),
            users_total=45,
            active_users_28d=45,
            current_plan=f"free{EVIL}",
        ),
        RankedCompany(2, "bigco.io", 80, "hot", False, True, "Expansion (team)", ()),
        RankedCompany(3, "warm.dev", 55, "warm", False, False, "warm reasons", ()),
        RankedCompany(
            4, "cold.dev", 12, "cold", False, False, "cold", (Reason("activation_rate", 0.5, 6.3),)
        ),
    )
    first = AS_OF - timedelta(days=89)
    return ReportData(
        as_of_date=AS_OF,
        headline=Headline(companies=4, pqls=2, routed_to_sales=1, expansion_candidates=1),
        ranked=ranked,
        tiers=(TierCount("hot", 2), TierCount("warm", 1), TierCount("cold", 1)),
        score_bins=tuple(
            ScoreBin(low, low + 9, n, t)
            for low, n, t in [(10, 1, "cold"), (50, 1, "warm"), (80, 1, "hot"), (90, 1, "hot")]
        ),
        new_pqls=NewPqlHistory(
            first_day=first,
            last_day=AS_OF,
            days=tuple(DayCount(first + timedelta(days=i), int(i % 30 == 5)) for i in range(90)),
        ),
        funnel=(
            FunnelStep("Signed up", "every user", 100),
            FunnelStep("Activated", f"activated {EVIL}", 60),
            FunnelStep("Invited someone", "sent an invite", 20),
            FunnelStep("At a PQL company", "company is a PQL", 5),
        ),
        backtest=(
            BacktestTier("hot", 10, 6, 0.6, 0.05, 12.0, 5, 5, 1.0, 0.08, 12.5),
            BacktestTier("warm", 20, 4, 0.2, 0.05, 4.0, 10, 3, 0.3, 0.08, 3.75),
            BacktestTier("cold", 500, 10, 0.02, 0.05, 0.4, 250, 10, 0.04, 0.08, 0.5),
        ),
        signals=signals,
        tier_thresholds={"hot": 70, "warm": 40},
        pql_companies_in_funnel=2,
    )


def empty() -> ReportData:
    return ReportData(
        as_of_date=None,
        headline=Headline(),
        ranked=(),
        tiers=(TierCount("hot", 0), TierCount("warm", 0), TierCount("cold", 0)),
        score_bins=(),
        new_pqls=None,
        funnel=(),
        backtest=(),
    )


EXTERNAL_REFERENCE = re.compile(
    r"""(?:\bsrc|\bhref|\bxlink:href|\baction)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE
)


def assert_self_contained(page: str) -> None:
    assert EXTERNAL_REFERENCE.search(page) is None
    assert "http://" not in page
    assert "https://" not in page
    lowered = page.lower()
    for fragment in ("<script", "<link", "<img", "<iframe", "@import", "url("):
        assert fragment not in lowered, fragment


def test_every_value_is_escaped():
    page = render_report(hand_made())
    assert EVIL not in page
    assert "<b>bold</b>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;.example" in page
    assert "&amp; &quot;friends&quot; &lt;b&gt;bold&lt;/b&gt;" in page
    # No script element at all: the page needs no JavaScript.
    assert "<script" not in page.lower()


def test_every_section_and_chart_is_present():
    page = render_report(hand_made())
    for section in SECTION_IDS:
        assert f'id="{section}"' in page, section
    for chart in CHART_IDS:
        assert f'data-chart="{chart}"' in page, chart
    assert "As of <strong>2026-10-30</strong>" in page
    assert page.count('<tr class="tier-') == 4
    assert 'class="badge hot"' in page and 'class="badge warm"' in page
    assert "Route to sales" in page and "Expansion" in page
    # The funnel says what it counts, and defines each step.
    assert "Every step counts users" in page
    assert page.count("<li><strong>") == 4
    # The backtest shows the rates against the base rate and the lift.
    assert "base rate 8%" in page and "12.5\u00d7" in page


def test_the_page_references_nothing_outside_itself():
    assert_self_contained(render_report(hand_made()))
    assert_self_contained(render_report(empty()))


def test_bars_per_chart_count_the_non_empty_values():
    page = render_report(hand_made())
    for chart, expected in {
        "tiers": 3,
        "scores": 4,
        "backtest": 3,
        "new-pqls": 3,
        "funnel": 4,
    }.items():
        svg = re.search(rf'<svg[^>]*data-chart="{chart}".*?</svg>', page, re.DOTALL)
        assert svg is not None, chart
        assert svg.group(0).count('class="bar"') == expected, chart


def test_an_empty_warehouse_renders_a_page_that_says_so():
    page = render_report(empty())
    assert "not scored yet" in page
    assert "No company is scored yet." in page
    for section in SECTION_IDS:
        assert f'id="{section}"' in page, section


def test_rendering_is_deterministic():
    assert render_report(hand_made()) == render_report(hand_made())


def test_reason_bars_scale_to_the_signal_weight():
    page = render_report(hand_made())
    # 20 of 20 points: a full bar; 6.3 of 10 points: 63 %.
    assert 'data-signal="active_users_28d"' in page
    assert "width:100%;" in page and "width:63%;" in page


def test_nice_ticks():
    assert charts.nice_ticks(169) == [0, 50, 100, 150, 200]
    assert charts.nice_ticks(1, integer=True, count=4) == [0, 1]
    assert charts.nice_ticks(0) == [0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]
    assert charts.nice_ticks(1.0)[-1] >= 1.0


# --------------------------------------------------------------------- a real warehouse


@pytest.fixture(scope="module")
def chromium() -> str:
    """Checked before anything starts: a missing tool fails at once, never skips."""
    if sync_playwright is None:
        pytest.fail(f"playwright is not installed: {INSTALL_HINT}", pytrace=False)
    try:
        return find_chromium()
    except UiTestSetupError as error:
        pytest.fail(str(error), pytrace=False)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The bundled sample through the whole pipeline, then the report assets on it."""
    from orchestration.cli import materialize_everything

    tmp = tmp_path_factory.mktemp("report")
    with pytest.MonkeyPatch.context() as env:
        env.delenv("PQL_AS_OF", raising=False)
        env.setenv("PQL_SEEDS_DIR", str(DEFAULT_SEEDS_DIR))
        env.setenv("PQL_DUCKDB_PATH", str(tmp / "warehouse.duckdb"))
        env.setenv("PQL_SERVING_PATH", str(tmp / "serving.duckdb"))
        settings = Settings.from_env()
        with dg.instance_for_test() as instance:
            result = materialize_everything(settings, instance)
            assert result.success
            reports = dg.materialize(
                build_report_assets(),
                instance=instance,
                resources={"warehouse": WarehouseResource(duckdb_path=str(settings.duckdb_path))},
            )
            assert reports.success
            metadata = {
                event.asset_key: event.materialization.metadata
                for event in reports.get_asset_materialization_events()
            }
        yield settings.duckdb_path, metadata


@pytest.fixture(scope="module")
def real_data(warehouse) -> ReportData:
    duckdb_path, _ = warehouse
    with connect_read_only(duckdb_path) as con:
        return load_report_data(con)


def test_the_assets_write_the_report_and_the_feed_next_to_the_warehouse(warehouse, real_data):
    duckdb_path, metadata = warehouse
    as_of = real_data.as_of_date.isoformat()
    report = metadata[PQL_REPORT_KEY]
    latest = reports_dir(duckdb_path) / "pql_report.html"
    assert report["path"].value == str(latest)
    assert report["url"].value == latest.as_uri()
    assert report["url"].value.startswith("file:///")
    assert report["as_of_date"].value == as_of
    assert (reports_dir(duckdb_path) / f"pql_report_{as_of}.html").read_text() == latest.read_text()
    assert report["companies"].value == real_data.headline.companies > 0

    feed = metadata[SALES_FEED_KEY]
    assert feed["csv_path"].value == str(feeds_dir(duckdb_path) / f"new_pqls_{as_of}.csv")
    assert Path(feed["json_path"].value).is_file()
    assert feed["rows"].value == feed["new_leads"].value + feed["expansions"].value
    assert feed["rows"].value == real_data.headline.new_pqls_today


def test_the_real_data_adds_up(real_data):
    data = real_data
    assert sum(t.companies for t in data.tiers) == data.headline.companies
    assert sum(b.companies for b in data.score_bins) == data.headline.companies
    counts = [step.count for step in data.funnel]
    assert counts == sorted(counts, reverse=True) and counts[0] > 0
    assert data.new_pqls is not None and data.new_pqls.days
    # Both use the definition of marts.new_pqls: the last day of the chart is today's feed.
    assert data.new_pqls.days[-1].day == data.as_of_date
    assert data.new_pqls.days[-1].new_pqls == data.headline.new_pqls_today
    assert [r.rank for r in data.ranked] == list(range(1, len(data.ranked) + 1))


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


def expected_bars(data: ReportData) -> dict[str, int]:
    window_90 = any(r.company_days_90d and r.conversion_rate_90d is not None for r in data.backtest)
    rates = [r.conversion_rate_90d if window_90 else r.conversion_rate_30d for r in data.backtest]
    return {
        "tiers": sum(1 for t in data.tiers if t.companies),
        "scores": sum(1 for b in data.score_bins if b.companies),
        "backtest": sum(1 for rate in rates if rate),
        "new-pqls": sum(1 for d in data.new_pqls.days if d.new_pqls),
        "funnel": sum(1 for s in data.funnel if s.count),
    }


def test_the_report_draws_in_headless_chromium(
    browser: Browser, warehouse, real_data: ReportData, tmp_path: Path
):
    duckdb_path, _ = warehouse
    report = reports_dir(duckdb_path) / "pql_report.html"
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    problems: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("request", lambda request: requests.append(request.url))
    try:
        page.goto(report.as_uri(), wait_until="load")
        screenshot = tmp_path / "pql_report.png"
        page.screenshot(path=str(screenshot), full_page=True)

        assert page.title() == f"PQL report · {real_data.as_of_date.isoformat()}"
        for section in SECTION_IDS:
            assert page.locator(f"#{section}").is_visible(), section

        expected = expected_bars(real_data)
        for chart, bars in expected.items():
            svg = page.locator(f'svg[data-chart="{chart}"]')
            assert svg.count() == 1, chart
            box = svg.bounding_box()
            assert box is not None and box["width"] > 100 and box["height"] > 100, (chart, box)
            drawn = svg.locator("rect.bar")
            assert bars > 0, f"the sample should give {chart} at least one bar"
            assert drawn.count() == bars, chart
            for i in range(drawn.count()):
                bar_box = drawn.nth(i).bounding_box()
                assert bar_box is not None and bar_box["width"] > 0, (chart, i)
                assert bar_box["height"] > 0, (chart, i)

        rows = page.locator("#ranked tbody tr")
        assert rows.count() == min(25, real_data.headline.companies) > 0
        first = rows.first.inner_text()
        assert real_data.ranked[0].company_domain in first
        assert page.locator("#ranked .reason").count() > 0
        assert page.locator("#ranked .badge").count() == rows.count()
        # Nothing overflows the page sideways.
        assert page.evaluate("document.documentElement.scrollWidth") <= 1400
        assert screenshot.stat().st_size > 50_000
    finally:
        context.close()
    assert problems == []
    assert [url for url in requests if not url.startswith(("file:", "data:", "about:"))] == []


def test_hand_made_data_with_more_rows_than_the_top_n_renders_them_all():
    data = hand_made()
    many = tuple(replace(data.ranked[2], rank=i, company_domain=f"c{i}.dev") for i in range(1, 26))
    page = render_report(replace(data, ranked=many))
    assert page.count('<tr class="tier-warm">') == 25
