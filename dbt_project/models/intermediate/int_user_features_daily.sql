-- Which product features each user touched per day (features come from the event catalog).
-- Incremental like int_user_activity_daily: a run re-reads only the events known since
-- `late_arrival_lookback_days` before the newest known day, instead of every event.
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

)

select distinct
    user_id,
    feature,
    occurred_date,
    known_date
from events
where feature is not null
