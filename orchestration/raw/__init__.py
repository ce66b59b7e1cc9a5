"""Raw loading: the data contract, file readers and the DuckDB loader (no Dagster here)."""
