"""The PQL warehouse: raw loading, dbt models and their orchestration with Dagster."""
