-- Which product features each user touched per day (features come from the event catalog).
with

events as (

    select * from {{ ref('int_events_classified') }}

)

select distinct
    user_id,
    feature,
    occurred_date,
    known_date
from events
where feature is not null
