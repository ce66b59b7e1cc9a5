-- Per-inviter acceptance as of the as-of date, from the de-duplicated invites the inviter
-- sent first (a re-send by someone else does not move the invite to them).
with

invites as (

    select * from {{ ref('invites') }}

),

per_inviter as (

    select
        inviter_user_id,
        inviter_company_domain as company_domain,
        as_of_date,
        count(*) as invites_sent,
        {{ count_where('is_accepted') }} as invites_accepted,
        {{ median('hours_to_accept') }} as median_hours_to_accept,
        min(sent_at) as first_invite_at,
        max(sent_at) as last_invite_at
    from invites
    group by inviter_user_id, inviter_company_domain, as_of_date

),

final as (

    select
        inviter_user_id,
        company_domain,
        cast(invites_sent as bigint) as invites_sent,
        cast(invites_accepted as bigint) as invites_accepted,
        {{ safe_divide('invites_accepted', 'invites_sent') }} as acceptance_rate,
        cast(median_hours_to_accept as double) as median_hours_to_accept,
        first_invite_at,
        last_invite_at,
        as_of_date
    from per_inviter

)

select * from final
