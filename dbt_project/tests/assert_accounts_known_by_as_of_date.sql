-- An account in marts.accounts existed by the as-of date; active members are members; an
-- account is paying exactly when its plan as of the date is a paid one (seed `plans`).
select
    account_rows.account_id,
    account_rows.created_at,
    account_rows.members,
    account_rows.active_members_28d,
    account_rows.plan,
    account_rows.mrr,
    account_rows.is_paying,
    account_rows.as_of_date
from {{ ref('accounts') }} as account_rows
left join {{ ref('plans') }} as plan_catalog
    on account_rows.plan = plan_catalog.plan
where
    cast(account_rows.created_at as date) > account_rows.as_of_date
    or account_rows.active_members_28d < 0
    or account_rows.active_members_28d > account_rows.members
    or account_rows.is_paying != coalesce(plan_catalog.is_paid, false)
    or account_rows.mrr < 0
