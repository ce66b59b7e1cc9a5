-- The scoring dates: the as-of date and the days before it that the score history keeps.
with

event_days as (

    select
        min(occurred_date) as first_event_date,
        max(occurred_date) as last_event_date
    from {{ ref('stg_product__events') }}

),

as_of as (

    select
        first_event_date,
        {{ as_of_date('last_event_date') }} as as_of_date
    from event_days

),

day_offsets as (

    {{ dbt.generate_series(var('score_history_days')) }}

),

calendar as (

    select
        as_of.as_of_date,
        cast(
            {{ dbt.dateadd('day', '1 - day_offsets.generated_number', 'as_of.as_of_date') }} as date
        ) as scoring_date,
        day_offsets.generated_number - 1 as days_before_as_of
    from as_of
    cross join day_offsets

)

select
    scoring_date,
    as_of_date,
    days_before_as_of,
    scoring_date = as_of_date as is_as_of_date
from calendar
where scoring_date >= (select event_days.first_event_date from event_days)
