-- Does the score work? For every past scoring date and tier: how many companies that were
-- not paying yet converted to a paid plan within 30 and 90 days, and the lift of that
-- conversion rate over the base rate of all prospects on the same date. A horizon that
-- runs past the as-of date is incomplete and left null.
{%- set horizons = backtest_horizons() %}
with

scores as (

    select
        company_domain,
        as_of_date as scoring_date,
        tier
    from {{ ref('pql_score_history') }}
    where not is_paying_customer

),

conversions as (

    select * from {{ ref('int_company_conversions') }}

),

as_of as (

    select as_of_date from {{ ref('int_as_of_date') }}

),

next_conversion as (

    select
        scores.company_domain,
        scores.scoring_date,
        scores.tier,
        min(conversions.paid_started_date) as next_paid_date
    from scores
    left join conversions
        on
            scores.company_domain = conversions.company_domain
            and scores.scoring_date < conversions.paid_started_date
    group by scores.company_domain, scores.scoring_date, scores.tier

),

outcomes as (

    select
        {%- for days in horizons %}
        coalesce(
            next_conversion.next_paid_date
            <= {{ days_before('next_conversion.scoring_date', -days) }}, false
        ) as is_converted_{{ days }}d,
        {{ days_before('next_conversion.scoring_date', -days) }} <= as_of.as_of_date
            as is_complete_{{ days }}d,
        {%- endfor %}
        next_conversion.*
    from next_conversion
    cross join as_of

),

by_tier as (

    select
        scoring_date,
        tier,
        {%- for days in horizons %}
        {{ count_where('is_converted_' ~ days ~ 'd') }} as converted_{{ days }}d,
        {{ dbt.bool_or('is_complete_' ~ days ~ 'd') }} as is_complete_{{ days }}d,
        {%- endfor %}
        count(*) as companies
    from outcomes
    group by scoring_date, tier

),

base as (

    select
        scoring_date,
        {%- for days in horizons %}
        {{ count_where('is_converted_' ~ days ~ 'd') }} as base_converted_{{ days }}d,
        {%- endfor %}
        count(*) as prospects
    from outcomes
    group by scoring_date

),

rates as (

    select
        by_tier.*,
        {%- for days in horizons %}
        {{ safe_divide('by_tier.converted_' ~ days ~ 'd', 'by_tier.companies') }}
            as tier_rate_{{ days }}d,
        {{ safe_divide('base.base_converted_' ~ days ~ 'd', 'base.prospects') }}
            as all_rate_{{ days }}d,
        {%- endfor %}
        base.prospects
    from by_tier
    inner join base
        on by_tier.scoring_date = base.scoring_date

)

select
    scoring_date,
    tier,
    companies,
    {%- for days in horizons %}
    case when is_complete_{{ days }}d then converted_{{ days }}d end as converted_{{ days }}d,
    case when is_complete_{{ days }}d then tier_rate_{{ days }}d end
        as conversion_rate_{{ days }}d,
    case when is_complete_{{ days }}d then all_rate_{{ days }}d end as base_rate_{{ days }}d,
    case
        when is_complete_{{ days }}d
            then {{ safe_divide('tier_rate_' ~ days ~ 'd', 'all_rate_' ~ days ~ 'd') }}
    end as lift_{{ days }}d,
    {%- endfor %}
    prospects
from rates
