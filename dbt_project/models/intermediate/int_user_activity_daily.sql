-- Each user's activity per day, split by the day the events became known (late arrivals
-- get their own row), so that any scoring date can count exactly what it could know.
-- Incremental: each run recomputes the known days from `late_arrival_lookback_days` before
-- the latest known day on, so files delivered a few days late are still counted.
{{
    config(
        materialized='incremental',
        incremental_strategy=replace_by_day_strategy(),
        unique_key='known_date',
        partition_by=replace_by_day_partition_by('known_date'),
        on_schema_change='fail'
    )
}}
with

events as (

    select * from {{ ref('int_events_classified') }}
    {{ known_since_lookback() }}

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
