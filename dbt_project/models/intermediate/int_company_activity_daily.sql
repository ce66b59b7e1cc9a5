-- Breadth, depth and buying intent of each company's product usage, per scoring date.
-- Counts only events known by the end of the scoring date.
{%- set active = var('active_window_days') %}
{%- set weekly = var('weekly_window_days') %}
with

calendar as (

    select scoring_date from {{ ref('int_scoring_calendar') }}

),

company_users as (

    select
        user_id,
        company_domain
    from {{ ref('int_users_resolved') }}
    where company_domain is not null

),

activity as (

    select
        activity.*,
        company_users.company_domain
    from {{ ref('int_user_activity_daily') }} as activity
    inner join company_users
        on activity.user_id = company_users.user_id

),

activity_as_of as (

    -- Each activity row joins the scoring dates whose windows (this and the previous
    -- period, for growth) contain it, if it was known by then.
    select
        activity.*,
        calendar.scoring_date,
        {{ in_window('activity.occurred_date', 'calendar.scoring_date', active) }}
            as is_in_active_window,
        {{ in_window('activity.occurred_date', 'calendar.scoring_date', active, active) }}
            as is_in_previous_window,
        {{ in_window('activity.occurred_date', 'calendar.scoring_date', weekly) }}
            as is_in_week,
        {{ in_window('activity.occurred_date', 'calendar.scoring_date', weekly, active) }}
            as is_in_week_four_weeks_ago
    from calendar
    inner join activity
        on
            calendar.scoring_date >= activity.known_date
            and {{ in_window('activity.occurred_date', 'calendar.scoring_date', 2 * active) }}

),

aggregated as (

    select
        company_domain,
        scoring_date,
        {{ count_distinct_where('user_id', 'is_in_week') }} as active_users_7d,
        {{ count_distinct_where('user_id', 'is_in_week_four_weeks_ago') }}
            as active_users_7d_four_weeks_ago,
        {{ count_distinct_where('user_id', 'is_in_active_window') }} as active_users_28d,
        {{ count_distinct_where('user_id', 'is_in_previous_window') }} as active_users_prev_28d,
        {{ sum_where('events', 'is_in_active_window') }} as events_28d,
        {{ sum_where('key_actions', 'is_in_active_window') }} as key_actions_28d,
        {{ sum_where('seat_limit_events', 'is_in_active_window') }} as seat_limit_hits_28d,
        {{ sum_where('paywall_events', 'is_in_active_window') }} as paywall_hits_28d,
        {{ sum_where('pricing_page_events', 'is_in_active_window') }} as pricing_page_views_28d,
        {{ sum_where('enterprise_feature_events', 'is_in_active_window') }}
            as enterprise_feature_views_28d,
        {{ sum_where('buying_intent_events', 'is_in_active_window') }}
            as buying_intent_events_28d
    from activity_as_of
    group by company_domain, scoring_date

),

features_used as (

    select
        company_users.company_domain,
        calendar.scoring_date,
        count(distinct features.feature) as distinct_features_28d
    from calendar
    inner join {{ ref('int_user_features_daily') }} as features
        on
            calendar.scoring_date >= features.known_date
            and {{ in_window('features.occurred_date', 'calendar.scoring_date', active) }}
    inner join company_users
        on features.user_id = company_users.user_id
    group by company_users.company_domain, calendar.scoring_date

)

select
    aggregated.*,
    coalesce(features_used.distinct_features_28d, 0) as distinct_features_28d
from aggregated
left join features_used
    on
        aggregated.company_domain = features_used.company_domain
        and aggregated.scoring_date = features_used.scoring_date
