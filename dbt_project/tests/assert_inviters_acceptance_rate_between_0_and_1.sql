-- Every inviter's acceptance rate is a share: accepted invites never exceed sent ones.
select
    inviter_user_id,
    invites_sent,
    invites_accepted,
    acceptance_rate
from {{ ref('inviters') }}
where
    invites_sent < 1
    or invites_accepted < 0
    or invites_accepted > invites_sent
    or acceptance_rate < 0
    or acceptance_rate > 1
    or median_hours_to_accept < 0
    or (invites_accepted = 0 and median_hours_to_accept is not null)
    or last_invite_at < first_invite_at
