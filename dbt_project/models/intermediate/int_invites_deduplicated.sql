-- One row per invitee per account: re-sent invites collapse into the first send, and the
-- earliest acceptance of any send counts. All times are kept; as-of filtering is downstream.
with

sends as (

    select * from {{ ref('int_invite_sends') }}

),

users as (

    select * from {{ ref('int_users_resolved') }}

),

accounts as (

    select * from {{ ref('int_accounts_resolved') }}

),

first_sends as (

    select
        invite_key,
        invite_id as first_invite_id,
        account_id,
        inviter_user_id,
        invitee_email_domain,
        sent_at
    from sends
    where send_number = 1

),

send_counts as (

    select
        invite_key,
        count(*) as times_sent,
        max(sent_at) as last_sent_at
    from sends
    group by invite_key

),

first_acceptances as (

    select
        invite_key,
        accepted_at,
        accepted_user_id
    from sends
    where acceptance_rank = 1 and accepted_at is not null

),

deduplicated as (

    select
        first_sends.invite_key,
        first_sends.first_invite_id,
        first_sends.account_id,
        first_sends.inviter_user_id,
        inviters.company_domain as inviter_company_domain,
        accounts.company_domain as account_company_domain,
        accounts.company_domain_resolved_at as account_company_domain_resolved_at,
        first_sends.invitee_email_domain,
        first_sends.sent_at,
        send_counts.last_sent_at,
        send_counts.times_sent,
        first_acceptances.accepted_at,
        first_acceptances.accepted_user_id,
        first_acceptances.accepted_at is not null as is_accepted,
        -- Latency from the FIRST send, so a resend does not hide how long the invitee waited.
        round(
            cast(
                {{ dbt.datediff('first_sends.sent_at', 'first_acceptances.accepted_at', 'second') }}
                as double
            ) / 3600,
            2
        ) as hours_to_accept
    from first_sends
    inner join send_counts
        on first_sends.invite_key = send_counts.invite_key
    left join first_acceptances
        on first_sends.invite_key = first_acceptances.invite_key
    left join users as inviters
        on first_sends.inviter_user_id = inviters.user_id
    left join accounts
        on first_sends.account_id = accounts.account_id

)

select * from deduplicated
