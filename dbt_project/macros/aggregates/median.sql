{#-
    The median of a numeric expression as an aggregate (nulls ignored), portable across
    adapters: DuckDB's exact median(), Spark's exact percentile(), and the SQL-standard
    ordered-set aggregate elsewhere.

        {{ median('hours_to_accept') }}
-#}
{% macro median(expression) -%}
    {{ return(adapter.dispatch('median', 'pql_warehouse')(expression)) }}
{%- endmacro %}

{% macro default__median(expression) -%}
    percentile_cont(0.5) within group (order by {{ expression }})
{%- endmacro %}

{% macro duckdb__median(expression) -%}
    median({{ expression }})
{%- endmacro %}

{% macro spark__median(expression) -%}
    percentile({{ expression }}, 0.5)
{%- endmacro %}
