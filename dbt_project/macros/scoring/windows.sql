{#-
    Point-in-time windows. A window of `days` days ends on and includes the scoring date:
    `in_window('occurred_date', 'scoring_date', 28)` is true for the 28 days D-27 .. D.
    `offset_days` shifts the window into the past (offset 28: D-55 .. D-28).
-#}
{% macro days_before(date_expression, days) -%}
    cast({{ dbt.dateadd('day', -1 * days, date_expression) }} as date)
{%- endmacro %}

{% macro in_window(date_column, scoring_date, days, offset_days=0) -%}
    ({{ date_column }} > {{ days_before(scoring_date, days + offset_days) }}
        and {{ date_column }} <= {{ days_before(scoring_date, offset_days) }})
{%- endmacro %}

{#- Number of distinct values of `column` on rows where `condition` holds. -#}
{% macro count_distinct_where(column, condition) -%}
    count(distinct case when {{ condition }} then {{ column }} end)
{%- endmacro %}

{#- A ratio that is null, not an error, when the denominator is zero. -#}
{% macro safe_divide(numerator, denominator) -%}
    cast({{ numerator }} as double) / nullif({{ denominator }}, 0)
{%- endmacro %}
