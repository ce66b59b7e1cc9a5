{#-
    Trailing windows over many scoring dates without joining every row to every date.

    A row that happened on `occurred_date` and became known on `known_date` counts in the
    window of `days` days (shifted `offset_days` into the past, as in `in_window`) of every
    scoring date from `counted_from` to `counted_until`. Turning each row into that interval
    of dates, and intervals into +/- changes on their first and day-after-last dates, lets a
    running sum give every date's total in one ordered pass (see int_company_activity_daily).
-#}
{% macro counted_from(occurred_date, known_date, offset_days=0) -%}
    greatest({{ known_date }}, {{ days_before(occurred_date, -offset_days) }})
{%- endmacro %}

{% macro counted_until(occurred_date, days, offset_days=0) -%}
    {{ days_before(occurred_date, -(offset_days + days - 1)) }}
{%- endmacro %}

{#-
    Merge the intervals (`counted_from` .. `counted_until`) of each `partition_by` group
    into islands of consecutive covered dates (empty intervals left out): a member counts once per date however many
    of its intervals cover it. `relation` names a CTE with those columns.
-#}
{% macro covered_islands(relation, partition_by) -%}
    {%- set partition = partition_by | join(', ') %}
    {%- set order = 'counted_from, counted_until' %}
    with

    ordered as (

        select
            *,
            max(counted_until) over (
                partition by {{ partition }} order by {{ order }}
                rows between unbounded preceding and 1 preceding
            ) as covered_until_before
        from {{ relation }}
        where counted_from <= counted_until

    ),

    island_starts as (

        select
            *,
            case
                when covered_until_before is null
                    or counted_from > {{ days_before('covered_until_before', -1) }}
                    then 1
                else 0
            end as starts_island
        from ordered

    ),

    numbered as (

        select
            *,
            sum(starts_island) over (
                partition by {{ partition }} order by {{ order }}
                rows between unbounded preceding and current row
            ) as island_number
        from island_starts

    )

    select
        {{ partition }},
        min(counted_from) as counted_from,
        max(counted_until) as counted_until
    from numbered
    group by {{ partition }}, island_number
{%- endmacro %}

{#-
    True for rows of `alias` (with `occurred_date` and `known_date`) that can count in a
    window of `days` days on some scoring date from `run_days.first_scoring_date` to
    `run_days.last_scoring_date`: known and happened by the last, recent enough for the first.
-#}
{% macro can_count_in_run(alias, days) -%}
    {{ alias }}.known_date <= run_days.last_scoring_date
    and {{ alias }}.occurred_date <= run_days.last_scoring_date
    and {{ alias }}.occurred_date > {{ days_before('run_days.first_scoring_date', days) }}
{%- endmacro %}
