-- An invite in marts.invites was sent, and (if accepted) accepted, by the end of the as-of
-- date; acceptance is never before the first send; its flags agree with its timestamps.
select
    invite_key,
    sent_at,
    accepted_at,
    is_accepted,
    hours_to_accept,
    times_sent,
    as_of_date
from {{ ref('invites') }}
where
    cast(sent_at as date) > as_of_date
    or cast(accepted_at as date) > as_of_date
    or accepted_at < sent_at
    or is_accepted != (accepted_at is not null)
    or is_accepted != (hours_to_accept is not null)
    or hours_to_accept < 0
    or times_sent < 1
