with

source as (

    select * from {{ source('product', 'memberships') }}

),

renamed as (

    select
        -- ids (account_id + user_id is the natural key)
        account_id,
        user_id,

        -- properties
        {{ clean_enum('role') }} as role,

        -- timestamps
        joined_at,

        -- lineage
        _source_file as source_file,
        _source_row as source_row,
        _load_id as load_id

    from source

)

select * from renamed
