-- Breadth, depth and buying intent of each company's product usage, per scoring date.
-- Counts only events known by the end of the scoring date.
--
-- Each user-day of activity counts in a window (the last 28 days, the 28 before, ...) on
-- an interval of scoring dates: from the day it happened (or became known, if later) to
-- the last day its window still reaches. Totals come from +/- changes at the ends of those
-- intervals and one running sum per company, so the cost grows with the activity, not with
-- activity x scoring dates (see macros/scoring/window_timelines.sql).
{%- set active = var('active_window_days') %}
{%- set weekly = var('weekly_window_days') %}
{#- distinct users active in a window: output column -> (days, offset_days) #}
{%- set user_windows = {
    'active_users_7d': (weekly, 0),
    'active_users_7d_four_weeks_ago': (weekly, active),
    'active_users_28d': (active, 0),
    'active_users_prev_28d': (active, active),
} %}
{#- sums over the active window: output column -> column of int_user_activity_daily #}
{%- set active_sums = {
    'events_28d': 'events',
    'key_actions_28d': 'key_actions',
    'seat_limit_hits_28d': 'seat_limit_events',
    'paywall_hits_28d': 'paywall_events',
    'pricing_page_views_28d': 'pricing_page_events',
    'enterprise_feature_views_28d': 'enterprise_feature_events',
    'buying_intent_events_28d': 'buying_intent_events',
} %}
{#- activity rows in this and the previous window: a company has a row on a date when > 0 #}
{%- set span = 'activity_rows_in_span' %}
{%- set summed_windows = [(active, active_sums), (2 * active, {span: '1'})] %}
{%- set measures = user_windows.keys() | list + active_sums.keys() | list
    + ['distinct_features_28d', span] %}
-- A table of the run's scoring days, built in the history's partitioned step (see
-- int_company_signals_daily).
{{ config(materialized='table', tags=['scoring_run_days']) }}
with

calendar as (

    select scoring_date from {{ ref('int_scoring_calendar') }}

),

run_days as (

    select
        min(scoring_date) as first_scoring_date,
        max(scoring_date) as last_scoring_date
    from calendar

),

company_users as (

    select
        user_id,
        company_domain
    from {{ ref('int_users_resolved') }}
    where company_domain is not null

),

activity as (

    -- Only user-days that can count on a scoring date of this run.
    select
        activity.*,
        company_users.company_domain
    from {{ ref('int_user_activity_daily') }} as activity
    inner join company_users
        on activity.user_id = company_users.user_id
    cross join run_days
    where {{ can_count_in_run('activity', 2 * active) }}

),

features as (

    -- Each feature a company used per day, first known when any of its users' use was.
    select
        company_users.company_domain,
        features.feature,
        features.occurred_date,
        min(features.known_date) as known_date
    from {{ ref('int_user_features_daily') }} as features
    inner join company_users
        on features.user_id = company_users.user_id
    cross join run_days
    where {{ can_count_in_run('features', active) }}
    group by company_users.company_domain, features.feature, features.occurred_date

),

user_days as (

    -- Each day a user was active, first known with the earliest of its late arrivals.
    select
        company_domain,
        user_id,
        occurred_date,
        min(known_date) as known_date
    from activity
    group by company_domain, user_id, occurred_date

),

member_intervals as (

    -- The scoring dates on which each user (or feature) counts in each distinct measure.
    {%- for measure, (days, offset_days) in user_windows.items() %}
    select
        company_domain,
        '{{ measure }}' as measure,
        user_id as member,
        {{ counted_from('occurred_date', 'known_date', offset_days) }} as counted_from,
        {{ counted_until('occurred_date', days, offset_days) }} as counted_until
    from user_days
    union all
    {%- endfor %}
    select
        company_domain,
        'distinct_features_28d' as measure,
        feature as member,
        {{ counted_from('occurred_date', 'known_date') }} as counted_from,
        {{ counted_until('occurred_date', active) }} as counted_until
    from features

),

member_islands as (

    {{ covered_islands('member_intervals', ['company_domain', 'measure', 'member']) }}

),

changes as (

    -- Sums over the active window, and the row count over both windows: each user-day
    -- adds its values on the first date it counts and takes them back after the last.
    {%- for days, sums in summed_windows %}
    {%- for sign, change_date in [
        ('', counted_from('occurred_date', 'known_date')),
        ('-', days_before(counted_until('occurred_date', days), -1)),
    ] %}
    select
        company_domain,
        {{ change_date }} as change_date,
        {%- for measure in measures %}
        {{ sign ~ sums[measure] if measure in sums else '0' }} as {{ measure }},
        {%- endfor %}
        0 as is_scoring_date
    from activity
    where
        {{ counted_from('occurred_date', 'known_date') }}
        <= {{ counted_until('occurred_date', days) }}
    union all
    {%- endfor %}
    {%- endfor %}

    -- Distinct users and features: +1 on the first date a member counts, -1 after the last.
    {%- for sign, change_date in [(1, 'counted_from'), (-1, days_before('counted_until', -1))] %}
    select
        company_domain,
        {{ change_date }} as change_date,
        {%- for measure in measures %}
        case when measure = '{{ measure }}' then {{ sign }} else 0 end as {{ measure }},
        {%- endfor %}
        0 as is_scoring_date
    from member_islands
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

timeline as (

    -- Per company and day: the day's changes, and whether it is a scoring date (a zero
    -- row per company and scoring date makes every date appear).
    select
        company_domain,
        change_date,
        {%- for measure in measures %}
        sum({{ measure }}) as {{ measure }},
        {%- endfor %}
        max(is_scoring_date) as is_scoring_date
    from (
        select changes.*
        from changes
        cross join run_days
        where changes.change_date <= run_days.last_scoring_date
        union all
        select
            companies.company_domain,
            calendar.scoring_date as change_date,
            {%- for measure in measures %}
            0 as {{ measure }},
            {%- endfor %}
            1 as is_scoring_date
        from (select distinct company_domain from activity) as companies
        cross join calendar
    ) as company_days
    group by company_domain, change_date

),

running as (

    select
        company_domain,
        change_date as scoring_date,
        {%- for measure in measures %}
        sum({{ measure }}) over (
            partition by company_domain order by change_date
            rows between unbounded preceding and current row
        ) as {{ measure }},
        {%- endfor %}
        is_scoring_date
    from timeline

)

{%- set output_columns = [] %}
{%- for measure in measures if measure != span %}
{%- do output_columns.append('cast(' ~ measure ~ ' as bigint) as ' ~ measure) %}
{%- endfor %}

select
    company_domain,
    scoring_date,
    {{ output_columns | join(',\n    ') }}
from running
where is_scoring_date = 1 and {{ span }} > 0
