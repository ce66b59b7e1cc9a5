{#-
    The lower-cased host part of an email address: everything after the last '@'
    (`Alice@Eng.Acme.com` -> `eng.acme.com`). No subdomain folding here: resolving the
    registrable domain with the Public Suffix List is an intermediate model's job.
    Portable through dbt.split_part, which handles a negative part number on every adapter.
-#}
{% macro email_domain(column_name) -%}
    nullif({{ dbt.split_part(normalize_email(column_name), "'@'", -1) }}, '')
{%- endmacro %}
