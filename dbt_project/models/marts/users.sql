-- Every user as of the scoring date: company, how they arrived, when they reached value,
-- and how active they are. No email or name: BI-facing marts carry no raw personal data.
{%- set in_active_window = in_window(
    'activity.occurred_date', 'as_of.as_of_date', var('active_window_days')
) %}
with

as_of as (

    select as_of_date from {{ ref('int_as_of_date') }}

),

signed_up as (

    select resolved.*
    from {{ ref('int_users_resolved') }} as resolved
    inner join as_of
        on resolved.created_date <= as_of.as_of_date

),

activity as (

    select activity.*
    from {{ ref('int_user_activity_daily') }} as activity
    inner join as_of
        on activity.known_date <= as_of.as_of_date

),

user_activity as (

    select
        activity.user_id,
        min(case when activity.activation_events > 0 then activity.occurred_date end)
            as first_activation_date,
        max(activity.occurred_date) as last_active_date,
        {{ count_distinct_where('activity.occurred_date', in_active_window) }} as active_days_28d,
        {{ sum_where('activity.events', in_active_window) }} as events_28d,
        {{ sum_where('activity.key_actions', in_active_window) }} as key_actions_28d
    from activity
    cross join as_of
    group by activity.user_id

),

memberships as (

    select
        memberships.user_id,
        count(*) as account_memberships
    from {{ ref('stg_product__memberships') }} as memberships
    inner join as_of
        on cast(memberships.joined_at as date) <= as_of.as_of_date
    group by memberships.user_id

)

select
    signed_up.user_id,
    as_of.as_of_date,
    signed_up.company_domain,
    signed_up.email_domain,
    signed_up.domain_type,
    signed_up.is_personal_email,
    signed_up.is_internal_user,
    signed_up.is_education_domain,
    signed_up.signup_channel,
    signed_up.is_invited_signup,
    signed_up.created_at,
    user_activity.first_activation_date,
    {{ dbt.datediff('signed_up.created_date', 'user_activity.first_activation_date', 'day') }}
        as days_to_activation,
    coalesce(
        user_activity.first_activation_date
        <= {{ days_before('signed_up.created_date', -var('activation_window_days')) }},
        false
    ) as is_activated,
    user_activity.last_active_date,
    coalesce(user_activity.active_days_28d, 0) as active_days_28d,
    coalesce(user_activity.events_28d, 0) as events_28d,
    coalesce(user_activity.key_actions_28d, 0) as key_actions_28d,
    coalesce(user_activity.active_days_28d, 0) > 0 as is_active_28d,
    coalesce(memberships.account_memberships, 0) as account_memberships
from signed_up
cross join as_of
left join user_activity
    on signed_up.user_id = user_activity.user_id
left join memberships
    on signed_up.user_id = memberships.user_id
