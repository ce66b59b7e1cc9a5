with

source as (

    select * from {{ source('product', 'invites') }}

),

renamed as (

    select
        -- ids
        invite_id,
        account_id,
        inviter_user_id,
        accepted_user_id,

        -- invitee
        {{ normalize_email('invitee_email') }} as invitee_email,
        {{ email_domain('invitee_email') }} as invitee_email_domain,

        -- status
        accepted_at is not null as is_accepted,

        -- timestamps
        sent_at,
        accepted_at,

        -- lineage
        _source_file as source_file,
        _source_row as source_row,
        _load_id as load_id

    from source

)

select * from renamed
