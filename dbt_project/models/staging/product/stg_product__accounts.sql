with

source as (

    select * from {{ source('product', 'accounts') }}

),

renamed as (

    select
        -- ids
        account_id,
        created_by_user_id,

        -- properties
        account_name,
        {{ clean_enum('plan') }} as plan,

        -- timestamps
        created_at,

        -- lineage
        _source_file as source_file,
        _source_row as source_row,
        _load_id as load_id

    from source

)

select * from renamed
