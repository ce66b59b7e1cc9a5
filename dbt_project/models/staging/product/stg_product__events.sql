with

source as (

    select * from {{ source('product', 'events') }}

),

renamed as (

    select
        -- ids
        event_id,
        user_id,
        account_id,

        -- event
        event_name,
        properties,

        -- timestamps
        occurred_at,
        cast(occurred_at as date) as occurred_date,
        received_at,

        -- lineage
        _source_file as source_file,
        _source_row as source_row,
        _load_id as load_id

    from source

)

select * from renamed
