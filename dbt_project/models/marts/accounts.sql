-- One row per product account created on or before the as-of date, with its members,
-- activity and commercial state as they stood at the end of that day.

with

as_of as (

    select as_of_date from {{ ref('int_as_of_date') }}

),

accounts as (

    select * from {{ ref('int_accounts_resolved') }}

),

memberships as (

    select * from {{ ref('stg_product__memberships') }}

),

events as (

    select * from {{ ref('int_events_classified') }}

),

subscriptions as (

    select * from {{ ref('stg_product__subscriptions') }}

),

plans as (

    select * from {{ ref('plans') }}

),

members_as_of as (

    select
        memberships.account_id,
        memberships.user_id
    from memberships
    cross join as_of
    where cast(memberships.joined_at as date) <= as_of.as_of_date

),

member_counts as (

    select
        account_id,
        count(*) as members
    from members_as_of
    group by account_id

),

-- A member is active when they have an event in this account (or one the product did not
-- attribute to any account) that occurred in the window and was known by the as-of date.
active_member_counts as (

    select
        members_as_of.account_id,
        count(distinct members_as_of.user_id) as active_members_28d
    from members_as_of
    inner join events
        on
            members_as_of.user_id = events.user_id
            and (
                members_as_of.account_id = events.account_id
                or events.account_id is null
            )
    cross join as_of
    where
        events.known_date <= as_of.as_of_date
        and {{ in_window('events.occurred_date', 'as_of.as_of_date', var('active_window_days')) }}
    group by members_as_of.account_id

),

-- The subscription in force at the end of the as-of date: started by then and not ended by
-- then; a paid one first, then the latest started.
current_subscriptions as (

    select
        subscriptions.account_id,
        subscriptions.plan,
        subscriptions.seats,
        subscriptions.mrr,
        coalesce(plans.is_paid, false) as is_paid,
        row_number() over (
            partition by subscriptions.account_id
            order by
                case when plans.is_paid then 0 else 1 end,
                subscriptions.started_at desc,
                subscriptions.subscription_id desc
        ) as precedence
    from subscriptions
    cross join as_of
    left join plans
        on subscriptions.plan = plans.plan
    where
        cast(subscriptions.started_at as date) <= as_of.as_of_date
        and (
            subscriptions.ended_at is null
            or cast(subscriptions.ended_at as date) > as_of.as_of_date
        )

),

accounts_as_of as (

    select
        accounts.account_id,
        accounts.created_at,
        accounts.created_by_user_id,
        current_subscriptions.seats,
        current_subscriptions.mrr,
        as_of.as_of_date,
        case
            when cast(accounts.company_domain_resolved_at as date) <= as_of.as_of_date
                then accounts.company_domain
        end as company_domain,
        coalesce(member_counts.members, 0) as members,
        coalesce(active_member_counts.active_members_28d, 0) as active_members_28d,
        -- Without a subscription in force, the account's own plan column (a snapshot of
        -- today) is trusted only for unpaid plans (free, trial): a paid plan needs one.
        case
            when current_subscriptions.plan is not null then current_subscriptions.plan
            when not account_plans.is_paid then accounts.plan
            else 'free'
        end as plan,
        coalesce(current_subscriptions.is_paid, false) as is_paying
    from accounts
    cross join as_of
    left join member_counts
        on accounts.account_id = member_counts.account_id
    left join active_member_counts
        on accounts.account_id = active_member_counts.account_id
    left join current_subscriptions
        on
            accounts.account_id = current_subscriptions.account_id
            and current_subscriptions.precedence = 1
    left join plans as account_plans
        on accounts.plan = account_plans.plan
    where cast(accounts.created_at as date) <= as_of.as_of_date

),

-- Column order and types follow the model contract in _marts__invites_accounts.yml.
final as (

    select
        account_id,
        company_domain,
        created_at,
        created_by_user_id,
        plan,
        is_paying,
        as_of_date,
        cast(members as bigint) as members,
        cast(active_members_28d as bigint) as active_members_28d,
        cast(seats as bigint) as seats,
        cast(mrr as decimal(18, 2)) as mrr
    from accounts_as_of

)

select * from final
