"""Serving BI outside the warehouse: the HTML PQL report and the daily sales feed.

Nothing here writes to the warehouse: every module reads the working DuckDB file through a
read-only connection and writes files next to it (``reports/`` and ``feeds/``).

- :mod:`orchestration.reporting.data`: the report's data, read from the marts into plain
  dataclasses (:func:`~orchestration.reporting.data.load_report_data`).
- :mod:`orchestration.reporting.charts`: small inline-SVG chart functions.
- :mod:`orchestration.reporting.report`: the self-contained HTML page.
- :mod:`orchestration.reporting.sales_feed`: ``new_pqls_<as_of>.csv|json`` with a contact
  per company (the one place raw emails leave the warehouse).

What the page shows and the feed format: docs/reports.md.
"""
