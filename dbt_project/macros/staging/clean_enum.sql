{#-
    A free-text category (plan, role, signup channel) in canonical form: trimmed,
    lower-cased, and null when blank.
-#}
{% macro clean_enum(column_name) -%}
    nullif(lower(trim({{ column_name }})), '')
{%- endmacro %}
