-- How people at each company arrived and reached value, per scoring date: users, organic
-- signups, and activation (an activation event within N days of signup).
{%- set activation_days = var('activation_window_days') %}
-- A table of the run's scoring days, built in the history's partitioned step (see
-- int_company_signals_daily).
{{ config(materialized='table', tags=['scoring_run_days']) }}
with

calendar as (

    select scoring_date from {{ ref('int_scoring_calendar') }}

),

company_users as (

    select
        user_id,
        company_domain,
        created_date,
        is_invited_signup
    from {{ ref('int_users_resolved') }}
    where company_domain is not null

),

activation_days as (

    select
        user_id,
        occurred_date,
        known_date
    from {{ ref('int_user_activity_daily') }}
    where activation_events > 0

),

users_as_of as (

    select
        company_users.*,
        calendar.scoring_date
    from calendar
    inner join company_users
        on calendar.scoring_date >= company_users.created_date

),

first_activation_by_known_date as (

    -- The earliest activation among those that became known on each day.
    select
        user_id,
        known_date,
        min(occurred_date) as first_activation_date
    from activation_days
    group by user_id, known_date

),

first_activation_running as (

    -- The first activation known by each of those days, and the one known the day before.
    select
        user_id,
        known_date,
        first_activation_date,
        min(first_activation_date) over (
            partition by user_id order by known_date
            rows between unbounded preceding and current row
        ) as first_activation_known,
        min(first_activation_date) over (
            partition by user_id order by known_date
            rows between unbounded preceding and 1 preceding
        ) as first_activation_known_before
    from first_activation_by_known_date

),

first_activation_changes as (

    -- The days on which a user's first activation, as known, changed: usually one (the
    -- first activation arriving), more when an earlier activation arrives late.
    select
        user_id,
        known_date as known_from,
        first_activation_known as first_activation_date
    from first_activation_running
    where
        first_activation_known_before is null
        or first_activation_known < first_activation_known_before

),

first_activation_periods as (

    -- Each first activation date with the known days it holds for.
    select
        *,
        lead(known_from) over (partition by user_id order by known_from) as known_from_next
    from first_activation_changes

),

user_status as (

    select
        users_as_of.*,
        {{ dbt.datediff(
            'users_as_of.created_date', 'first_activation.first_activation_date', 'day'
        ) }}
            as days_to_activation,
        coalesce(
            first_activation.first_activation_date
            <= {{ days_before('users_as_of.created_date', -activation_days) }},
            false
        ) as is_activated_in_window,
        -- A user can be judged once their activation window has closed, or once activated.
        users_as_of.created_date <= {{ days_before('users_as_of.scoring_date', activation_days) }}
        or first_activation.first_activation_date is not null as is_activation_decided
    from users_as_of
    -- The first activation each user had by the scoring date, as known on that date.
    left join first_activation_periods as first_activation
        on
            users_as_of.user_id = first_activation.user_id
            and users_as_of.scoring_date >= first_activation.known_from
            and (
                first_activation.known_from_next is null
                or users_as_of.scoring_date < first_activation.known_from_next
            )

),

aggregated as (

    select
        company_domain,
        scoring_date,
        count(*) as users_total,
        {{ count_where(in_window('created_date', 'scoring_date', var('signup_window_days'))
            ~ ' and not is_invited_signup') }} as signups_60d,
        {{ count_where(in_window('created_date', 'scoring_date', var('signup_window_days'))
            ~ ' and is_invited_signup') }} as invited_signups_60d,
        {{ count_where('is_activation_decided') }} as users_activation_decided,
        {{ count_where('is_activated_in_window') }} as users_activated,
        {{ median('case when is_activated_in_window then days_to_activation end') }}
            as median_days_to_activation
    from user_status
    group by company_domain, scoring_date

)

select
    *,
    {{ safe_divide('users_activated', 'users_activation_decided') }} as activation_rate
from aggregated
