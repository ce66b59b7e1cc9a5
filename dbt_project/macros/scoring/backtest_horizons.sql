{#-
    Backtest horizons in days: conversion to a paid plan within 30 and 90 days of the
    scoring date. They name contract columns of marts.pql_backtest (converted_30d, ...),
    so changing them is a contract change.
-#}
{% macro backtest_horizons() -%}
    {{ return([30, 90]) }}
{%- endmacro %}
