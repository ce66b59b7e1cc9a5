{#-
    The texts of a group's rows ranked 1 .. `max_rank` by `rank_column`, joined in rank order
    by a delimiter: a plain aggregate, the same on every adapter.

        {{ ranked_list('reason_json', "', '", 'reason_rank', 3) }}

    One max(case ...) per rank instead of an ordered string aggregate: that buffers every
    group's values (DuckDB ran out of 2 GB on it at 100M events) and has no order on Spark.
    Ranks must be 1, 2, ... without gaps (row_number); missing ranks end the list.
-#}
{% macro ranked_list(expression, delimiter_text, rank_column, max_rank) -%}
    {%- set items = [] %}
    {%- for rank in range(1, max_rank + 1) %}
        {%- set item = 'max(case when ' ~ rank_column ~ ' = ' ~ rank ~ ' then '
            ~ expression ~ ' end)' %}
        {%- if loop.first %}
            {%- do items.append(item) %}
        {%- else %}
            {%- do items.append('coalesce(' ~ dbt.concat([delimiter_text, item]) ~ ", '')") %}
        {%- endif %}
    {%- endfor %}
    {{- dbt.concat(items) -}}
{%- endmacro %}
