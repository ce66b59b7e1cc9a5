-- Every company (registrable email domain of its users) with every signal of PRODUCT.md
-- section 6 as of the scoring date, and its score. The analyst's wide company table.
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
    scores.is_education_domain,
    scores.users_total,
    scores.active_users_7d,
    scores.active_users_28d,
    scores.active_users_prev_28d,
    scores.weekly_active_users_change_4w,
    scores.active_users_growth_28d,
    scores.signups_60d,
    scores.invited_signups_60d,
    scores.accounts_count,
    scores.multi_member_accounts,
    scores.largest_account_members,
    scores.invites_sent_90d,
    scores.invites_accepted_90d,
    scores.acceptance_rate_90d,
    scores.median_hours_to_accept_90d,
    scores.viral_coefficient,
    scores.users_activated,
    scores.activation_rate,
    scores.median_days_to_activation,
    scores.events_28d,
    scores.key_actions_28d,
    scores.key_actions_per_active_user_28d,
    scores.distinct_features_28d,
    scores.seat_limit_hits_28d,
    scores.paywall_hits_28d,
    scores.pricing_page_views_28d,
    scores.enterprise_feature_views_28d,
    scores.buying_intent_events_28d,
    scores.current_plan,
    scores.paid_seats,
    scores.mrr,
    scores.is_paying_customer,
    scores.is_enterprise_customer,
    scores.score,
    scores.tier,
    scores.is_pql
from scores
inner join as_of
    on scores.scoring_date = as_of.scoring_date
