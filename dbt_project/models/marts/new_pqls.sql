-- The sales feed: companies that became a PQL on the scoring date (a PQL that day, not the
-- day before), with the reasons. Paying customers appear as expansion, not as new leads.
with

history as (

    select * from {{ ref('pql_score_history') }}

),

as_of as (

    select as_of_date from {{ ref('int_as_of_date') }}

),

today as (

    select history.*
    from history
    inner join as_of
        on history.as_of_date = as_of.as_of_date
    where history.is_pql

),

yesterday as (

    select
        history.company_domain,
        history.score,
        history.tier,
        history.is_pql
    from history
    inner join as_of
        on history.as_of_date = {{ days_before('as_of.as_of_date', 1) }}

)

select
    today.company_domain,
    today.as_of_date,
    today.score,
    today.tier,
    today.route_to_sales,
    today.is_expansion_candidate,
    today.reasons,
    today.reason_summary,
    yesterday.score as previous_score,
    yesterday.tier as previous_tier,
    today.users_total,
    today.active_users_28d,
    today.current_plan
from today
left join yesterday
    on today.company_domain = yesterday.company_domain
where not coalesce(yesterday.is_pql, false)
