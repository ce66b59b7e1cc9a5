-- Every event with its catalog classification and the day the warehouse could know it.
with

events as (

    select * from {{ ref('stg_product__events') }}

),

catalog as (

    select * from {{ ref('event_catalog') }}

),

classified as (

    select
        events.event_id,
        events.user_id,
        events.account_id,
        events.event_name,
        events.occurred_at,
        events.occurred_date,
        -- Point-in-time: an event is known from when it was received (never before it
        -- occurred). Scores as of day D only use events known by the end of D.
        cast(
            case
                when events.received_at > events.occurred_at then events.received_at
                else events.occurred_at
            end as date
        ) as known_date,
        catalog.feature,
        catalog.buying_intent_signal,
        coalesce(catalog.category, 'uncatalogued') as event_category,
        catalog.event_name is not null as is_catalogued,
        coalesce(catalog.is_activation, false) as is_activation,
        coalesce(catalog.is_key_action, false) as is_key_action,
        coalesce(catalog.is_buying_intent, false) as is_buying_intent
    from events
    left join catalog
        on events.event_name = catalog.event_name

)

select * from classified
