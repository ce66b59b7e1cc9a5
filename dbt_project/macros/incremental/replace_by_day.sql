{#-
    How an incremental model replaces the days a run recomputes (`unique_key` is a date
    column: int_user_activity_daily by known_date, pql_score_history by as_of_date). Same
    result on every adapter: the days the run selects are replaced, every other day is kept.

    - DuckDB (and the default): `delete+insert` on the unique key.
    - Spark: `insert_overwrite` of a table partitioned by that day column, with
      spark.sql.sources.partitionOverwriteMode=dynamic (profiles.yml), so only the selected
      days' partitions are overwritten. Works with plain Parquet tables: no Delta needed.

        {{ config(materialized='incremental', unique_key='as_of_date',
                  incremental_strategy=replace_by_day_strategy(),
                  partition_by=replace_by_day_partition_by('as_of_date')) }}
-#}
{% macro replace_by_day_strategy() -%}
    {{ return(adapter.dispatch('replace_by_day_strategy', 'pql_warehouse')()) }}
{%- endmacro %}

{% macro default__replace_by_day_strategy() -%}
    {{ return('delete+insert') }}
{%- endmacro %}

{% macro spark__replace_by_day_strategy() -%}
    {{ return('insert_overwrite') }}
{%- endmacro %}

{% macro replace_by_day_partition_by(day_column) -%}
    {{ return(adapter.dispatch('replace_by_day_partition_by', 'pql_warehouse')(day_column)) }}
{%- endmacro %}

{% macro default__replace_by_day_partition_by(day_column) -%}
    {{ return(none) }}
{%- endmacro %}

{% macro spark__replace_by_day_partition_by(day_column) -%}
    {{ return([day_column]) }}
{%- endmacro %}
