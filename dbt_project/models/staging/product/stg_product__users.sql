with

source as (

    select * from {{ source('product', 'users') }}

),

renamed as (

    select
        -- ids
        user_id,

        -- contact
        {{ normalize_email('email') }} as email,
        {{ email_domain('email') }} as email_domain,
        full_name,

        -- categories
        {{ clean_enum('signup_channel') }} as signup_channel,

        -- timestamps
        created_at,

        -- lineage
        _source_file as source_file,
        _source_row as source_row,
        _load_id as load_id

    from source

)

select * from renamed
