-- The PQL list as of the scoring date: one row per company, ranked, with the reasons a sales
-- person can read. The main BI table (contract enforced; see _marts__pql.yml). It is the
-- history's row of the as-of date, so a list and its history can never disagree.
with

history as (

    select * from {{ ref('pql_score_history') }}

),

as_of as (

    select as_of_date from {{ ref('int_as_of_date') }}

)

select
    history.company_domain,
    history.as_of_date,
    history.score,
    -- bigint on every engine (Spark's row_number() is an int).
    cast(
        row_number() over (order by history.score desc, history.company_domain asc) as bigint
    ) as score_rank,
    history.tier,
    history.is_pql,
    history.route_to_sales,
    history.is_expansion_candidate,
    history.reasons,
    history.reason_summary,
    history.users_total,
    history.active_users_7d,
    history.active_users_28d,
    history.signups_60d,
    history.accounts_count,
    history.multi_member_accounts,
    history.invites_sent_90d,
    history.invites_accepted_90d,
    history.acceptance_rate_90d,
    history.viral_coefficient,
    history.activation_rate,
    history.buying_intent_events_28d,
    history.current_plan,
    history.is_paying_customer,
    history.is_enterprise_customer,
    history.is_education_domain
from history
inner join as_of
    on history.as_of_date = as_of.as_of_date
