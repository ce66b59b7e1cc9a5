-- The daily PQL score of every company, with every signal, for every scored day: what the
-- ranked list looked like on each past day, computed only from data known on that day.
-- Incremental: a run replaces the days it scores (a daily partition, a backfill range, or
-- the default history window) and keeps every other day.
{{
    config(
        materialized='incremental',
        incremental_strategy=replace_by_day_strategy(),
        unique_key='as_of_date',
        partition_by=replace_by_day_partition_by('as_of_date'),
        on_schema_change='fail'
    )
}}
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
    is_education_domain,
    users_total,
    active_users_7d,
    active_users_28d,
    active_users_prev_28d,
    weekly_active_users_change_4w,
    active_users_growth_28d,
    signups_60d,
    invited_signups_60d,
    accounts_count,
    multi_member_accounts,
    largest_account_members,
    invites_sent_90d,
    invites_accepted_90d,
    acceptance_rate_90d,
    median_hours_to_accept_90d,
    viral_coefficient,
    users_activated,
    activation_rate,
    median_days_to_activation,
    events_28d,
    key_actions_28d,
    key_actions_per_active_user_28d,
    distinct_features_28d,
    seat_limit_hits_28d,
    paywall_hits_28d,
    pricing_page_views_28d,
    enterprise_feature_views_28d,
    buying_intent_events_28d,
    current_plan,
    paid_seats,
    mrr,
    is_paying_customer,
    is_enterprise_customer
from scores
