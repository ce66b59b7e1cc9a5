{#-
    The filter of an incremental model keyed by `known_date`: in an incremental run, only
    rows known from `late_arrival_lookback_days` before the newest known day already built,
    so files delivered a few days late are still counted (delete+insert on known_date
    replaces those days whole). Renders nothing on a first or full-refresh build.
-#}
{% macro known_since_lookback(known_date_column='known_date') -%}
    {%- if is_incremental() %}
    where {{ known_date_column }} >= (
        select {{ days_before('max(known_date)', var('late_arrival_lookback_days')) }}
        from {{ this }}
    )
    {%- endif %}
{%- endmacro %}
