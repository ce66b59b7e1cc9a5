-- Every invitation sent, keyed by its de-duplicated invite: the account plus the invitee's
-- email compared case-insensitively. A re-sent invite is a later send of the same key.
-- The email itself stays here: downstream sees only the key and the email's domain.
with

invites as (

    select * from {{ ref('stg_product__invites') }}

),

normalized as (

    select
        invite_id,
        account_id,
        inviter_user_id,
        accepted_user_id,
        -- Staging already normalizes; repeated here because this is the de-duplication key.
        {{ normalize_email('invitee_email') }} as invitee_email,
        sent_at,
        accepted_at
    from invites

),

keyed as (

    select
        {{ surrogate_key(['account_id', 'invitee_email']) }} as invite_key,
        invite_id,
        account_id,
        inviter_user_id,
        {{ email_domain('invitee_email') }} as invitee_email_domain,
        sent_at,
        accepted_at,
        accepted_user_id,
        row_number() over (
            partition by account_id, invitee_email
            order by sent_at, invite_id
        ) as send_number,
        row_number() over (
            partition by account_id, invitee_email
            order by
                case when accepted_at is null then 1 else 0 end,
                accepted_at,
                invite_id
        ) as acceptance_rank
    from normalized

)

select * from keyed
