"""The serving side: publish the checked BI marts as a read-only DuckDB file and Parquet.

``orchestration.serving.publish`` holds the write-audit-publish mechanics, without Dagster;
the Dagster asset ``serving/duckdb`` that calls it after the checks is in
``orchestration/assets/serving.py``. See docs/serving.md.
"""
