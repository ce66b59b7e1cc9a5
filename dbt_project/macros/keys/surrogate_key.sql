{#-
    A stable surrogate key: the md5 hash of the columns' text values joined by '-', with
    nulls spelled '_null_' so that (null, 'a') and ('', 'a') stay different keys. The same
    values give the same key on every run and on every adapter (dbt.hash + dbt.concat), in
    the spirit of dbt_utils.generate_surrogate_key, which is not available here.

        {{ surrogate_key(['account_id', 'invitee_email']) }}
-#}
{% macro surrogate_key(column_names) -%}
    {%- set parts = [] -%}
    {%- for column_name in column_names -%}
        {%- do parts.append(
            "coalesce(cast(" ~ column_name ~ " as " ~ dbt.type_string() ~ "), '_null_')"
        ) -%}
        {%- if not loop.last -%}
            {%- do parts.append("'-'") -%}
        {%- endif -%}
    {%- endfor -%}
    {{ dbt.hash(dbt.concat(parts)) }}
{%- endmacro %}
