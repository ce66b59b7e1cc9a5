{#-
    Freshness of a raw entity table, used as that source table's `loaded_at_query`.

    The raw tables carry no load timestamp of their own (only `_load_id`); the loader records
    every file it loads in raw.load_log. An entity is as fresh as its latest recorded load:
    the newest `loaded_at` among that entity's load_log rows (null, i.e. "never loaded", when
    there are none). `loaded_at` is naive UTC, which is how dbt reads a timestamp without a
    time zone.

    `entity` is a constant from _product__sources.yml, never user input. Rendered at run time
    by `dbt source freshness`, so source() resolves without adding a DAG edge.
-#}
{% macro max_loaded_at_from_load_log(entity) -%}
    select max(loaded_at) as max_loaded_at
    from {{ source('product', 'load_log') }}
    where entity = '{{ entity }}'
{%- endmacro %}
