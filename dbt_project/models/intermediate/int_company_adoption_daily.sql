-- How people at each company arrived and reached value, per scoring date: users, organic
-- signups, and activation (an activation event within N days of signup).
{%- set activation_days = var('activation_window_days') %}
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

first_activation_as_of as (

    -- The first activation each user had by the scoring date, as known on that date.
    select
        users_as_of.scoring_date,
        users_as_of.user_id,
        min(activation_days.occurred_date) as first_activation_date
    from users_as_of
    inner join activation_days
        on
            users_as_of.user_id = activation_days.user_id
            and users_as_of.scoring_date >= activation_days.known_date
    group by users_as_of.scoring_date, users_as_of.user_id

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
    left join first_activation_as_of as first_activation
        on
            users_as_of.scoring_date = first_activation.scoring_date
            and users_as_of.user_id = first_activation.user_id

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
