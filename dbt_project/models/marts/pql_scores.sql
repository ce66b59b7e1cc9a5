-- The PQL list as of the scoring date: one row per company, ranked, with the reasons a sales
-- person can read. The main BI table (contract enforced; see _marts__pql.yml).
with

scores as (

    select * from {{ ref('int_pql_scores_daily') }}

),

as_of as (

    select scoring_date from {{ ref('int_scoring_calendar') }}
    where is_as_of_date

)

select
    scores.company_domain,
    scores.scoring_date as as_of_date,
    scores.score,
    scores.tier,
    scores.is_pql,
    scores.route_to_sales,
    scores.is_expansion_candidate,
    scores.reasons,
    scores.reason_summary,
    scores.users_total,
    scores.active_users_7d,
    scores.active_users_28d,
    scores.signups_60d,
    scores.accounts_count,
    scores.multi_member_accounts,
    scores.invites_sent_90d,
    scores.invites_accepted_90d,
    scores.acceptance_rate_90d,
    scores.viral_coefficient,
    scores.activation_rate,
    scores.buying_intent_events_28d,
    scores.current_plan,
    scores.is_paying_customer,
    scores.is_enterprise_customer,
    scores.is_education_domain,
    row_number() over (order by scores.score desc, scores.company_domain asc) as score_rank
from scores
inner join as_of
    on scores.scoring_date = as_of.scoring_date
