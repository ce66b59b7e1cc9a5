{#-
    Text values of a group joined by a delimiter, in the order of `order_column` (ascending),
    portable across adapters:

        {{ ordered_listagg('reason_json', "', '", 'reason_rank') }}

    dbt.listagg honours an `order by` on DuckDB and most warehouses, but on Spark it ignores
    it (collect_list has no defined order). Spark sorts the collected (key, value) pairs.
-#}
{% macro ordered_listagg(measure, delimiter_text, order_column) -%}
    {{ return(adapter.dispatch('ordered_listagg', 'pql_warehouse')(
        measure, delimiter_text, order_column)) }}
{%- endmacro %}

{% macro default__ordered_listagg(measure, delimiter_text, order_column) -%}
    {{ dbt.listagg(measure, delimiter_text, 'order by ' ~ order_column) }}
{%- endmacro %}

{% macro spark__ordered_listagg(measure, delimiter_text, order_column) -%}
    array_join(
        transform(
            array_sort(collect_list(struct({{ order_column }} as sort_key, {{ measure }} as item))),
            pair -> pair.item
        ),
        {{ delimiter_text }}
    )
{%- endmacro %}
