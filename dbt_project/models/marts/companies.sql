-- Every company (registrable email domain of its users) with every signal of PRODUCT.md
-- section 6 as of the scoring date, and its score. The analyst's wide company table.
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
    history.is_education_domain,
    history.users_total,
    history.active_users_7d,
    history.active_users_28d,
    history.active_users_prev_28d,
    history.weekly_active_users_change_4w,
    history.active_users_growth_28d,
    history.signups_60d,
    history.invited_signups_60d,
    history.accounts_count,
    history.multi_member_accounts,
    history.largest_account_members,
    history.invites_sent_90d,
    history.invites_accepted_90d,
    history.acceptance_rate_90d,
    history.median_hours_to_accept_90d,
    history.viral_coefficient,
    history.users_activated,
    history.activation_rate,
    history.median_days_to_activation,
    history.events_28d,
    history.key_actions_28d,
    history.key_actions_per_active_user_28d,
    history.distinct_features_28d,
    history.seat_limit_hits_28d,
    history.paywall_hits_28d,
    history.pricing_page_views_28d,
    history.enterprise_feature_views_28d,
    history.buying_intent_events_28d,
    history.current_plan,
    history.paid_seats,
    history.mrr,
    history.is_paying_customer,
    history.is_enterprise_customer,
    history.score,
    history.tier,
    history.is_pql
from history
inner join as_of
    on history.as_of_date = as_of.as_of_date
