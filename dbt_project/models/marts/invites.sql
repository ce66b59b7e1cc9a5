-- One row per de-duplicated invite sent on or before the as-of date, as it stood at the end
-- of that day: an acceptance, an account's company or a re-send after the date is not known.
with

as_of as (

    select as_of_date from {{ ref('int_as_of_date') }}

),

invites as (

    select * from {{ ref('int_invites_deduplicated') }}

),

sends as (

    select * from {{ ref('int_invite_sends') }}

),

sends_as_of as (

    select
        sends.invite_key,
        count(*) as times_sent
    from sends
    cross join as_of
    where cast(sends.sent_at as date) <= as_of.as_of_date
    group by sends.invite_key

),

invites_as_of as (

    select
        invites.invite_key,
        invites.account_id,
        invites.inviter_user_id,
        invites.inviter_company_domain,
        invites.invitee_email_domain,
        invites.sent_at,
        sends_as_of.times_sent,
        as_of.as_of_date,
        case
            when cast(invites.account_company_domain_resolved_at as date) <= as_of.as_of_date
                then invites.account_company_domain
        end as account_company_domain,
        case
            when cast(invites.accepted_at as date) <= as_of.as_of_date
                then invites.accepted_at
        end as accepted_at,
        case
            when cast(invites.accepted_at as date) <= as_of.as_of_date
                then invites.hours_to_accept
        end as hours_to_accept,
        case
            when cast(invites.accepted_at as date) <= as_of.as_of_date
                then invites.accepted_user_id
        end as accepted_user_id
    from invites
    inner join sends_as_of
        on invites.invite_key = sends_as_of.invite_key
    cross join as_of

),

-- Column order and types follow the model contract in _marts__invites_accounts.yml.
final as (

    select
        invite_key,
        account_id,
        inviter_user_id,
        inviter_company_domain,
        account_company_domain,
        invitee_email_domain,
        sent_at,
        accepted_at,
        hours_to_accept,
        accepted_user_id,
        as_of_date,
        cast(times_sent as bigint) as times_sent,
        accepted_at is not null as is_accepted
    from invites_as_of

)

select * from final
