-- Every PQL signal of every company on every scoring date: one wide row per company and
-- day, the input of the score. A company exists on a date once one of its users signed up.
-- A table of the run's scoring days, like the four tables it joins; all are built in the
-- partitioned step of marts.pql_score_history, so a day is never scored from another run's
-- tables. Tables, not views: the score views read this one twice (as a view DuckDB computed
-- the chain twice), and at 100M events the chain as one query ran out of its 2 GB.
{{ config(materialized='table', tags=['scoring_run_days']) }}
with

adoption as (

    select * from {{ ref('int_company_adoption_daily') }}

),

activity as (

    select * from {{ ref('int_company_activity_daily') }}

),

accounts as (

    select * from {{ ref('int_company_accounts_daily') }}

),

invites as (

    select * from {{ ref('int_company_invites_daily') }}

),

domains as (

    select
        company_domain,
        {{ dbt.bool_or('is_education_domain') }} as is_education_domain
    from {{ ref('int_email_domains_resolved') }}
    where company_domain is not null
    group by company_domain

),

joined as (

    select
        adoption.company_domain,
        adoption.scoring_date,
        coalesce(domains.is_education_domain, false) as is_education_domain,

        -- breadth
        adoption.users_total,
        coalesce(activity.active_users_7d, 0) as active_users_7d,
        coalesce(activity.active_users_28d, 0) as active_users_28d,
        coalesce(activity.active_users_prev_28d, 0) as active_users_prev_28d,
        coalesce(activity.active_users_7d, 0)
        - coalesce(activity.active_users_7d_four_weeks_ago, 0) as weekly_active_users_change_4w,

        -- organic spread
        adoption.signups_60d,
        adoption.invited_signups_60d,
        coalesce(accounts.accounts_count, 0) as accounts_count,
        coalesce(accounts.multi_member_accounts, 0) as multi_member_accounts,
        coalesce(accounts.largest_account_members, 0) as largest_account_members,

        -- virality
        coalesce(invites.invites_sent_90d, 0) as invites_sent_90d,
        coalesce(invites.invites_accepted_90d, 0) as invites_accepted_90d,
        invites.acceptance_rate_90d,
        invites.median_hours_to_accept_90d,

        -- activation and time to value
        adoption.users_activated,
        adoption.activation_rate,
        adoption.median_days_to_activation,

        -- depth and momentum
        coalesce(activity.events_28d, 0) as events_28d,
        coalesce(activity.key_actions_28d, 0) as key_actions_28d,
        coalesce(activity.distinct_features_28d, 0) as distinct_features_28d,

        -- buying intent
        coalesce(activity.seat_limit_hits_28d, 0) as seat_limit_hits_28d,
        coalesce(activity.paywall_hits_28d, 0) as paywall_hits_28d,
        coalesce(activity.pricing_page_views_28d, 0) as pricing_page_views_28d,
        coalesce(activity.enterprise_feature_views_28d, 0) as enterprise_feature_views_28d,
        coalesce(activity.buying_intent_events_28d, 0) as buying_intent_events_28d,

        -- commercial state
        coalesce(accounts.current_plan, 'free') as current_plan,
        coalesce(accounts.paid_seats, 0) as paid_seats,
        coalesce(accounts.mrr, cast(0 as decimal(18, 2))) as mrr,
        coalesce(accounts.is_paying_customer, false) as is_paying_customer,
        coalesce(accounts.is_enterprise_customer, false) as is_enterprise_customer
    from adoption
    left join activity
        on
            adoption.company_domain = activity.company_domain
            and adoption.scoring_date = activity.scoring_date
    left join accounts
        on
            adoption.company_domain = accounts.company_domain
            and adoption.scoring_date = accounts.scoring_date
    left join invites
        on
            adoption.company_domain = invites.company_domain
            and adoption.scoring_date = invites.scoring_date
    left join domains
        on adoption.company_domain = domains.company_domain

)

select
    *,
    -- Viral coefficient K: invites sent per company user times the acceptance rate.
    coalesce(
        {{ safe_divide('invites_sent_90d', 'users_total') }} * acceptance_rate_90d, 0
    ) as viral_coefficient,
    {{ safe_divide('key_actions_28d', 'active_users_28d') }} as key_actions_per_active_user_28d,
    -- Growth of active users over the previous 28 days (from zero: the new count itself).
    {{ safe_divide(
        'active_users_28d - active_users_prev_28d', 'greatest(active_users_prev_28d, 1)'
    ) }} as active_users_growth_28d
from joined
