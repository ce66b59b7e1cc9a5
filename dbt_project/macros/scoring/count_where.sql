{#- Number of rows where a condition holds: portable `count(*) filter (where ...)`. -#}
{% macro count_where(condition) -%}
    cast(sum(case when {{ condition }} then 1 else 0 end) as bigint)
{%- endmacro %}

{#- Sum of an integer `column` over rows where a condition holds (0 when none). -#}
{% macro sum_where(column, condition) -%}
    cast(sum(case when {{ condition }} then {{ column }} else 0 end) as bigint)
{%- endmacro %}
