-- The daily PQL score of every company over the score history window: what the ranked list
-- looked like on each past day, computed only from data known on that day.
with

scores as (

    select * from {{ ref('int_pql_scores_daily') }}

)

select
    company_domain,
    scoring_date as as_of_date,
    score,
    tier,
    is_pql,
    route_to_sales,
    is_expansion_candidate,
    reasons,
    reason_summary,
    users_total,
    active_users_28d,
    signups_60d,
    accounts_count,
    invites_accepted_90d,
    viral_coefficient,
    activation_rate,
    buying_intent_events_28d,
    current_plan,
    is_paying_customer
from scores
