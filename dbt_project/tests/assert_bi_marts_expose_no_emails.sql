-- BI-facing marts never expose raw emails: no text column of any mart holds a value that
-- looks like an email address. Checks every varchar column of every table in `marts`.
-- depends_on: {{ ref('accounts') }}
-- depends_on: {{ ref('companies') }}
-- depends_on: {{ ref('invites') }}
-- depends_on: {{ ref('inviters') }}
-- depends_on: {{ ref('new_pqls') }}
-- depends_on: {{ ref('pql_backtest') }}
-- depends_on: {{ ref('pql_backtest_summary') }}
-- depends_on: {{ ref('pql_score_history') }}
-- depends_on: {{ ref('pql_scores') }}
-- depends_on: {{ ref('users') }}
{%- set text_columns = [] %}
{%- if execute %}
{%- set query %}
        select table_name, column_name
        from information_schema.columns
        where table_schema = 'marts' and lower(data_type) in ('varchar', 'string', 'text')
        order by table_name, column_name
{%- endset %}
{%- set text_columns = run_query(query).rows %}
{%- endif %}
{%- if text_columns | length == 0 %}
select
    'marts' as table_name,
    'none' as column_name
where 1 = 0
{%- else %}
{%- for row in text_columns %}
select '{{ row[0] }}' as table_name, '{{ row[1] }}' as column_name
from marts.{{ row[0] }}
where {{ row[1] }} like '%_@_%._%'
{{ "union all" if not loop.last }}
{%- endfor %}
{%- endif %}
