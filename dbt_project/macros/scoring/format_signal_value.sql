{#-
    A signal value as text, by its `format` from the `pql_signals` var:
    count -> whole number, percent -> whole percent with '%', ratio -> two decimals.
    `for_json` gives the bare JSON number instead (percent as a fraction).
-#}
{% macro format_signal_value(value_column, format_column, for_json=false) -%}
    case
        when {{ format_column }} = 'count'
            then cast(cast(round({{ value_column }}, 0) as bigint) as {{ dbt.type_string() }})
        {%- if not for_json %}
        when {{ format_column }} = 'percent'
            then {{ dbt.concat([
                "cast(cast(round(" ~ value_column ~ " * 100, 0) as bigint) as " ~ dbt.type_string() ~ ")",
                "'%'"]) }}
        {%- endif %}
        else cast(round({{ value_column }}, {{ 3 if for_json else 2 }}) as {{ dbt.type_string() }})
    end
{%- endmacro %}
