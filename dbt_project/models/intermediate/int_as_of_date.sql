-- The as-of date of the marts, one row: `PQL_AS_OF` (dbt var `as_of`) when set, otherwise
-- the last complete day present in the events (the day before the latest event's day).
with

event_days as (

    select max(occurred_date) as last_event_date
    from {{ ref('stg_product__events') }}

)

select {{ as_of_date('last_event_date') }} as as_of_date
from event_days
