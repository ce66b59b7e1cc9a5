"""Dagster assets: one per raw entity, and the dbt models."""
