{#-
    Use a model's custom schema as-is (`staging`, not `main_staging`); models without one
    land in the target schema. Every environment is its own DuckDB file, so schema names
    need no per-developer prefix.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
