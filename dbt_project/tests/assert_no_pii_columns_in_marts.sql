-- BI-facing marts carry no personal data (docs/security.md): raw emails and names of people
-- stay in raw and staging, where their columns are tagged `meta: {pii: true}`. Fails with one
-- row per mart column whose name suggests an email address or a person's name (from the
-- catalog, so it also catches columns not documented in YAML), and per mart column tagged
-- `pii: true` in YAML. Flags (booleans such as `is_personal_email`) and email domains pass.
-- The values themselves are checked by assert_bi_marts_expose_no_emails.
-- depends_on: {{ ref('accounts') }}
-- depends_on: {{ ref('companies') }}
-- depends_on: {{ ref('inviters') }}
-- depends_on: {{ ref('invites') }}
-- depends_on: {{ ref('new_pqls') }}
-- depends_on: {{ ref('pql_backtest') }}
-- depends_on: {{ ref('pql_backtest_summary') }}
-- depends_on: {{ ref('pql_score_history') }}
-- depends_on: {{ ref('pql_scores') }}
-- depends_on: {{ ref('users') }}
{%- set marts = ref('pql_scores') %}
{%- set tagged = [] %}
{%- for node in graph.nodes.values()
    if node.resource_type == 'model' and node.schema == marts.schema %}
{%- for column in node.columns.values() %}
{%- set meta = column.get('config', {}).get('meta', {}) or column.get('meta', {}) %}
{%- if meta.get('pii') %}{% do tagged.append([node.name, column.name]) %}{% endif %}
{%- endfor %}
{%- endfor %}

with

marts_columns as (
    select
        table_name,
        lower(column_name) as column_name,
        lower(data_type) as data_type
    from information_schema.columns
    where
        table_catalog = '{{ marts.database }}'
        and table_schema = '{{ marts.schema }}'
),

named_like_pii as (
    select
        table_name,
        column_name,
        'column name suggests personal data' as reason
    from marts_columns
    where
        data_type <> 'boolean'
        and (
            column_name like '%email'
            or column_name like '%emails'
            or column_name like '%email_address'
            or column_name in (
                'name', 'full_name', 'first_name', 'middle_name', 'last_name', 'given_name',
                'family_name', 'surname', 'display_name', 'person_name', 'username',
                'user_name', 'contact_name', 'owner_name', 'member_name', 'invitee_name',
                'inviter_name', 'account_name'
            )
        )
)

select
    table_name,
    column_name,
    reason
from named_like_pii
{%- for table_name, column_name in tagged %}
union all
select
    '{{ table_name }}' as table_name,
    '{{ column_name }}' as column_name,
    'column tagged pii: true in YAML' as reason
{%- endfor %}
