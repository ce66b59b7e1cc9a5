{#-
    Fails for every combination of `combination_of_columns` that occurs more than once:
    the composite-key counterpart of the built-in `unique` test (nulls count as a value).

        data_tests:
          - unique_combination_of_columns:
              arguments:
                combination_of_columns: [account_id, user_id]
-#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

    {%- set columns_csv = combination_of_columns | join(', ') %}

    select
        {{ columns_csv }},
        count(*) as n_records
    from {{ model }}
    group by {{ columns_csv }}
    having count(*) > 1

{% endtest %}
