-- The sales feed: companies that became a PQL on the scoring date (a PQL today, not the
-- day before), with the reasons. Paying customers appear as expansion, not as new leads.
with

scores as (

    select * from {{ ref('int_pql_scores_daily') }}

),

as_of as (

    select scoring_date from {{ ref('int_scoring_calendar') }}
    where is_as_of_date

),

today as (

    select scores.*
    from scores
    inner join as_of
        on scores.scoring_date = as_of.scoring_date
    where scores.is_pql

),

yesterday as (

    select
        scores.company_domain,
        scores.score,
        scores.tier,
        scores.is_pql
    from scores
    inner join as_of
        on scores.scoring_date = {{ days_before('as_of.scoring_date', 1) }}

)

select
    today.company_domain,
    today.scoring_date as as_of_date,
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
