-- The PQL score of every company on every scoring date, with its tier, routing and the
-- reasons behind it: the top signals by points, as JSON and as a plain-words summary.
{%- set tiers = var('pql_tier_thresholds') %}
{%- set top_n = var('pql_reasons_top_n') | int %}
{%- set expansion_summary = dbt.concat(
    ["'Expansion (already paying, '", "current_plan", "'): '", "reason_details"]
) %}
with

signals as (

    select * from {{ ref('int_company_signals_daily') }}

),

points as (

    select * from {{ ref('int_pql_signal_points') }}

),

totals as (

    select
        company_domain,
        scoring_date,
        cast(round(sum(points), 0) as integer) as score
    from points
    group by company_domain, scoring_date

),

ranked_signals as (

    -- Narrow rows first: ranking every positive signal with its texts built held them all
    -- in memory (the history ran out of 2 GB at 100M events).
    select
        company_domain,
        scoring_date,
        signal,
        signal_value,
        signal_format,
        signal_label,
        points,
        row_number() over (
            partition by company_domain, scoring_date order by points desc, signal asc
        ) as reason_rank
    from points
    where points > 0

),

top_reasons as (

    select
        company_domain,
        scoring_date,
        points,
        reason_rank,
        {{ dbt.concat([
            "'{\"signal\": \"'", "signal",
            "'\", \"value\": '", format_signal_value('signal_value', 'signal_format', for_json=true),
            "', \"points\": '", "cast(points as " ~ dbt.type_string() ~ ")",
            "'}'"]) }} as reason_json,
        case
            when signal_format = 'ratio'
                then {{ dbt.concat(["signal_label", "': '",
                    format_signal_value('signal_value', 'signal_format')]) }}
            else {{ dbt.concat([format_signal_value('signal_value', 'signal_format'),
                "' '", "signal_label"]) }}
        end as reason_text
    from ranked_signals
    where reason_rank <= {{ top_n }}

),

reasons as (

    select
        company_domain,
        scoring_date,
        {{ dbt.concat(["'['", ranked_list('reason_json', "', '", 'reason_rank', top_n), "']'"]) }}
            as reasons,
        {{ ranked_list(
            dbt.concat(['reason_text', "' (+'", 'cast(points as ' ~ dbt.type_string() ~ ')', "' pts)'"]),
            "'; '", 'reason_rank', top_n) }} as reason_details
    from top_reasons
    group by company_domain, scoring_date

),

scored as (

    select
        signals.*,
        totals.score,
        case
            when totals.score >= {{ tiers.hot }} then 'hot'
            when totals.score >= {{ tiers.warm }} then 'warm'
            else 'cold'
        end as tier,
        totals.score >= {{ var('pql_threshold') }}
        and signals.users_total >= {{ var('pql_min_company_users') }} as is_pql,
        coalesce(reasons.reasons, '[]') as reasons,
        coalesce(reasons.reason_details, 'No product-qualified signals yet') as reason_details
    from signals
    inner join totals
        on
            signals.company_domain = totals.company_domain
            and signals.scoring_date = totals.scoring_date
    left join reasons
        on
            signals.company_domain = reasons.company_domain
            and signals.scoring_date = reasons.scoring_date

)

select
    *,
    -- New leads go to sales; paying customers who look like PQLs are expansion instead.
    is_pql and not is_paying_customer as route_to_sales,
    is_pql and is_paying_customer as is_expansion_candidate,
    case
        when is_pql and is_paying_customer
            then {{ expansion_summary }}
        when is_pql then {{ dbt.concat(["'PQL: '", "reason_details"]) }}
        else reason_details
    end as reason_summary
from scored
