"""Serving BI as files: the HTML PQL report and the daily sales feed (group ``reports``).

Both assets read the working warehouse (``PQL_DUCKDB_PATH``, through the ``warehouse``
resource) with a read-only connection, after the marts they read, and write next to it:

    <dir of PQL_DUCKDB_PATH>/reports/pql_report.html            the latest report
    <dir of PQL_DUCKDB_PATH>/reports/pql_report_<as_of>.html    a dated copy per scoring day
    <dir of PQL_DUCKDB_PATH>/feeds/new_pqls_<as_of>.csv|.json   the sales feed (PII: contacts)

They run in the ``duckdb_warehouse`` pool: a read-only connection cannot open the file
while a writer holds it, so they queue behind the writing steps like everything else.
The report's materialization carries a ``file://`` link that opens it from the Dagster UI.
See docs/reports.md.
"""

from pathlib import Path

import dagster as dg

from orchestration.reporting.data import REPORT_MARTS
from orchestration.reporting.report import build_report
from orchestration.reporting.sales_feed import FEED_SOURCES, build_sales_feed
from orchestration.resources import WAREHOUSE_POOL, WarehouseResource

REPORTS_GROUP = "reports"
PQL_REPORT_KEY = dg.AssetKey(["reports", "pql_report"])
SALES_FEED_KEY = dg.AssetKey(["reports", "sales_feed"])


def reports_dir(duckdb_path: str | Path) -> Path:
    """Where the HTML report lands: ``reports/`` next to the warehouse file."""
    return Path(duckdb_path).resolve().parent / "reports"


def feeds_dir(duckdb_path: str | Path) -> Path:
    """Where the sales feed lands: ``feeds/`` next to the warehouse file."""
    return Path(duckdb_path).resolve().parent / "feeds"


def build_report_assets() -> list[dg.AssetsDefinition]:
    @dg.asset(
        key=PQL_REPORT_KEY,
        group_name=REPORTS_GROUP,
        deps=[dg.AssetKey(["marts", name]) for name in REPORT_MARTS],
        pool=WAREHOUSE_POOL,
        kinds={"html"},
        description=(
            "A self-contained HTML page from the marts: headline numbers, the ranked PQL "
            "list with reasons, tier distribution, new PQLs per day, the adoption funnel "
            "and the backtest lift. Open it with the `url` metadata of a materialization."
        ),
    )
    def pql_report(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> dg.MaterializeResult:
        files = build_report(warehouse.duckdb_path, reports_dir(warehouse.duckdb_path))
        data = files.data
        context.log.info(f"PQL report written to {files.latest}")
        metadata: dict[str, dg.RawMetadataValue] = {
            "path": dg.MetadataValue.path(str(files.latest)),
            "url": dg.MetadataValue.url(files.latest.as_uri()),
            "as_of_date": data.as_of_date.isoformat() if data.as_of_date else "none",
            "companies": data.headline.companies,
            "pqls": data.headline.pqls,
            "routed_to_sales": data.headline.routed_to_sales,
            "expansion_candidates": data.headline.expansion_candidates,
            "new_pqls_today": data.headline.new_pqls_today,
            "ranked_rows": len(data.ranked),
        }
        if files.dated is not None:
            metadata["dated_path"] = dg.MetadataValue.path(str(files.dated))
            metadata["dated_url"] = dg.MetadataValue.url(files.dated.as_uri())
        return dg.MaterializeResult(metadata=metadata)

    @dg.asset(
        key=SALES_FEED_KEY,
        group_name=REPORTS_GROUP,
        deps=[dg.AssetKey([schema, name]) for schema, name in FEED_SOURCES],
        pool=WAREHOUSE_POOL,
        kinds={"csv", "json"},
        tags={"contains_pii": "true"},
        description=(
            "The sales feed: today's new PQLs (new leads and expansion) with reasons and "
            "one contact per company, as new_pqls_<as_of>.csv and .json. The ONE place raw "
            "emails leave the warehouse (docs/reports.md)."
        ),
    )
    def sales_feed(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> dg.MaterializeResult:
        feed = build_sales_feed(warehouse.duckdb_path, feeds_dir(warehouse.duckdb_path))
        context.log.info(
            f"Sales feed for {feed.as_of_date}: {len(feed.rows)} rows "
            f"({feed.new_leads} new leads, {feed.expansions} expansion) in {feed.csv_path.parent}"
        )
        return dg.MaterializeResult(
            metadata={
                "csv_path": dg.MetadataValue.path(str(feed.csv_path)),
                "json_path": dg.MetadataValue.path(str(feed.json_path)),
                "as_of_date": feed.as_of_date.isoformat(),
                "rows": len(feed.rows),
                "new_leads": feed.new_leads,
                "expansions": feed.expansions,
                "contains_pii": "contact_email, contact_full_name (see docs/reports.md)",
            }
        )

    return [pql_report, sales_feed]
