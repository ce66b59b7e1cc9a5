-- The days this run scores. A daily partition run passes its window as the vars
-- `score_from` / `score_to` (YYYY-MM-DD); otherwise the `score_history_days` days ending on
-- the as-of date. Days before the first event are never scored.
{%- set score_from = var('score_from', '') | string | trim %}
{%- set score_to = var('score_to', '') | string | trim %}
{%- set to_date = modules.datetime.date.fromisoformat %}
{%- if score_from and score_to %}
{%- set days = (to_date(score_to) - to_date(score_from)).days + 1 %}
{%- set last_day = "cast('" ~ score_to ~ "' as date)" %}
{%- else %}
{%- set days = var('score_history_days') %}
{%- set last_day = "(select as_of_date from " ~ ref('int_as_of_date') ~ ")" %}
{%- endif %}
with

first_event as (

    select min(occurred_date) as first_event_date
    from {{ ref('stg_product__events') }}

),

day_offsets as (

    {{ dbt.generate_series(days) }}

),

calendar as (

    select
        cast(
            {{ dbt.dateadd('day', '1 - day_offsets.generated_number', last_day) }} as date
        ) as scoring_date
    from day_offsets

)

select calendar.scoring_date
from calendar
cross join first_event
where calendar.scoring_date >= first_event.first_event_date
