{#-
    An email address in canonical form: trimmed and lower-cased. The loader has already
    rejected values that do not look like local@domain.tld and kept the original case.
-#}
{% macro normalize_email(column_name) -%}
    lower(trim({{ column_name }}))
{%- endmacro %}
