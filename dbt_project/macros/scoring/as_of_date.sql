{#-
    The scoring date as a SQL date expression.

    `PQL_AS_OF` (dbt var `as_of`) when set; otherwise the last complete day present in the
    events: the day before the latest event's day. Never the wall clock, so any past day can
    be rebuilt and gives the same answer.
-#}
{% macro as_of_date(last_event_date_column) -%}
    {%- set as_of = var('as_of', '') | trim -%}
    {%- if as_of -%}
        cast('{{ as_of }}' as date)
    {%- else -%}
        cast({{ dbt.dateadd('day', -1, last_event_date_column) }} as date)
    {%- endif -%}
{%- endmacro %}
