-- The backtest in one line per tier: every (company, past scoring date) whose horizon is
-- complete, pooled. Conversion rate, base rate and lift over the base rate.
{%- set horizons = backtest_horizons() %}
with

backtest as (

    select * from {{ ref('pql_backtest') }}

),

pooled as (

    select
        {%- for days in horizons %}
        cast(sum(case when converted_{{ days }}d is not null then companies end) as bigint)
            as company_days_{{ days }}d,
        cast(sum(converted_{{ days }}d) as bigint) as converted_{{ days }}d,
        {%- endfor %}
        tier
    from backtest
    group by tier

),

overall as (

    select
        {%- for days in horizons %}
        sum(converted_{{ days }}d) as all_converted_{{ days }}d,
        sum(company_days_{{ days }}d) as all_company_days_{{ days }}d,
        {%- endfor %}
        count(*) as tiers
    from pooled

),

rates as (

    select
        {%- for days in horizons %}
        {{ safe_divide('pooled.converted_' ~ days ~ 'd', 'pooled.company_days_' ~ days ~ 'd') }}
            as tier_rate_{{ days }}d,
        {{ safe_divide('overall.all_converted_' ~ days ~ 'd',
            'overall.all_company_days_' ~ days ~ 'd') }} as all_rate_{{ days }}d,
        {%- endfor %}
        pooled.*
    from pooled
    cross join overall

)

-- Output columns follow the contract's order (_marts__pql.yml), tier first.
select
    {%- for days in horizons %}
    company_days_{{ days }}d,
    converted_{{ days }}d,
    tier_rate_{{ days }}d as conversion_rate_{{ days }}d,
    all_rate_{{ days }}d as base_rate_{{ days }}d,
    {{ safe_divide('tier_rate_' ~ days ~ 'd', 'all_rate_' ~ days ~ 'd') }} as lift_{{ days }}d,
    {%- endfor %}
    tier
from rates
