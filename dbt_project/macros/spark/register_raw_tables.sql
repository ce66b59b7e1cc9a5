{#-
    Register raw tables exported as Parquet (orchestration/spark_portability.py) in the Spark
    catalog under the names of their dbt sources (`raw.users`, ...), as external tables over
    the Parquet folders: dropping one never deletes the files. Run on the spark target:

        dbt run-operation register_raw_tables --target spark \
            --args '{locations: {users: /abs/path/users, events: /abs/path/events}}'

    Table names are checked against the `product` source, never taken as SQL text.
-#}
{% macro register_raw_tables(locations) %}
    {%- set source_tables = graph.sources.values()
        | selectattr('source_name', 'equalto', 'product')
        | map(attribute='name') | list -%}
    {%- for table_name, location in locations.items() -%}
        {%- if table_name not in source_tables -%}
            {{ exceptions.raise_compiler_error(
                "register_raw_tables: " ~ table_name ~ " is not a source of `product`") }}
        {%- endif -%}
        {%- if "'" in location or "\\" in location -%}
            {{ exceptions.raise_compiler_error(
                "register_raw_tables: quotes and backslashes are not allowed in " ~ location) }}
        {%- endif -%}
        {%- set relation = source('product', table_name) -%}
        {%- do run_query('create database if not exists ' ~ relation.schema) -%}
        {%- do run_query('drop table if exists ' ~ relation) -%}
        {%- do run_query(
            'create table ' ~ relation ~ ' using parquet location '
            ~ "'" ~ location ~ "'") -%}
        {%- do log('registered ' ~ relation ~ ' <- ' ~ location, info=true) -%}
    {%- endfor -%}
{% endmacro %}
