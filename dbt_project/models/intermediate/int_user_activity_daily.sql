{{ config(materialized='table') }}

-- Each user's activity per day, split by the day the events became known (late arrivals
-- get their own row), so that any scoring date can count exactly what it could know.
with

events as (

    select * from {{ ref('int_events_classified') }}

),

daily as (

    select
        user_id,
        occurred_date,
        known_date,
        count(*) as events,
        {{ count_where('is_key_action') }} as key_actions,
        {{ count_where('is_activation') }} as activation_events,
        {{ count_where('is_buying_intent') }} as buying_intent_events,
        {{ count_where("buying_intent_signal = 'seat_limit'") }} as seat_limit_events,
        {{ count_where("buying_intent_signal = 'paywall'") }} as paywall_events,
        {{ count_where("buying_intent_signal = 'pricing_page'") }} as pricing_page_events,
        {{ count_where("buying_intent_signal = 'enterprise_features'") }}
            as enterprise_feature_events
    from events
    group by user_id, occurred_date, known_date

)

select * from daily
