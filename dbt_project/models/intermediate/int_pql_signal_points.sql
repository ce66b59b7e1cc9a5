-- The score's ingredients in long form: one row per company, scoring date and signal, with
-- the points it earns. Signals, weights and targets come from the `pql_signals` var.
{%- set signals = var('pql_signals') %}
with

signals as (

    select * from {{ ref('int_company_signals_daily') }}

),

unpivoted as (

    {%- for name, config in signals.items() %}
    select
        company_domain,
        scoring_date,
        '{{ name }}' as signal,
        cast({{ name }} as double) as signal_value,
        cast({{ config.weight }} as double) as signal_weight,
        cast({{ config.target }} as double) as signal_target,
        '{{ config.format }}' as signal_format,
        '{{ config.label }}' as signal_label
    from signals
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

points as (

    select
        *,
        -- Linear up to the target, then capped: a transparent, explainable normalization.
        -- Exact decimals, so that summing points never depends on the order of addition.
        cast(
            round(
                signal_weight
                * least(greatest(coalesce(signal_value, 0), 0) / signal_target, 1.0),
                1
            ) as decimal(6, 1)
        ) as points
    from unpivoted

)

select * from points
