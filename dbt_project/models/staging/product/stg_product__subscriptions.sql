with

source as (

    select * from {{ source('product', 'subscriptions') }}

),

renamed as (

    select
        -- ids
        subscription_id,
        account_id,

        -- commercial terms
        {{ clean_enum('plan') }} as plan,
        seats,
        mrr,

        -- timestamps
        started_at,
        ended_at,

        -- lineage
        _source_file as source_file,
        _source_row as source_row,
        _load_id as load_id

    from source

)

select * from renamed
