-- Each company's product accounts and commercial state, per scoring date: how many
-- workspaces people opened on their own, how many have a team in them, and what is paid.
-- A table of the run's scoring days, built in the history's partitioned step (see
-- int_company_signals_daily).
{{ config(materialized='table', tags=['scoring_run_days']) }}
with

calendar as (

    select scoring_date from {{ ref('int_scoring_calendar') }}

),

accounts as (

    select
        account_id,
        company_domain,
        created_at
    from {{ ref('int_accounts_resolved') }}
    where company_domain is not null

),

memberships as (

    select
        account_id,
        user_id,
        joined_at
    from {{ ref('stg_product__memberships') }}

),

subscriptions as (

    select
        subscriptions.account_id,
        subscriptions.plan,
        subscriptions.seats,
        subscriptions.mrr,
        cast(subscriptions.started_at as date) as started_date,
        cast(subscriptions.ended_at as date) as ended_date,
        plans.plan_rank,
        plans.is_paid
    from {{ ref('stg_product__subscriptions') }} as subscriptions
    left join {{ ref('plans') }} as plans
        on subscriptions.plan = plans.plan

),

accounts_as_of as (

    select
        calendar.scoring_date,
        accounts.account_id,
        accounts.company_domain,
        count(memberships.user_id) as members
    from calendar
    inner join accounts
        on cast(accounts.created_at as date) <= calendar.scoring_date
    left join memberships
        on
            accounts.account_id = memberships.account_id
            and cast(memberships.joined_at as date) <= calendar.scoring_date
    group by calendar.scoring_date, accounts.account_id, accounts.company_domain

),

account_counts as (

    select
        company_domain,
        scoring_date,
        count(*) as accounts_count,
        {{ count_where('members >= 2') }} as multi_member_accounts,
        max(members) as largest_account_members
    from accounts_as_of
    group by company_domain, scoring_date

),

paid_as_of as (

    -- Subscriptions running on the scoring date: started by then and not yet ended.
    select
        accounts_as_of.company_domain,
        accounts_as_of.scoring_date,
        subscriptions.plan,
        subscriptions.plan_rank,
        subscriptions.seats,
        subscriptions.mrr
    from accounts_as_of
    inner join subscriptions
        on
            accounts_as_of.account_id = subscriptions.account_id
            and accounts_as_of.scoring_date >= subscriptions.started_date
            and (
                subscriptions.ended_date is null
                or accounts_as_of.scoring_date < subscriptions.ended_date
            )
    where subscriptions.is_paid

),

commercial as (

    select
        company_domain,
        scoring_date,
        cast(sum(coalesce(seats, 0)) as bigint) as paid_seats,
        cast(sum(coalesce(mrr, 0)) as decimal(18, 2)) as mrr,
        max(plan_rank) as best_plan_rank
    from paid_as_of
    group by company_domain, scoring_date

)

select
    account_counts.*,
    coalesce(plans.plan, 'free') as current_plan,
    coalesce(commercial.paid_seats, 0) as paid_seats,
    coalesce(commercial.mrr, cast(0 as decimal(18, 2))) as mrr,
    commercial.company_domain is not null as is_paying_customer,
    coalesce(plans.plan = 'enterprise', false) as is_enterprise_customer
from account_counts
left join commercial
    on
        account_counts.company_domain = commercial.company_domain
        and account_counts.scoring_date = commercial.scoring_date
left join {{ ref('plans') }} as plans
    on commercial.best_plan_rank = plans.plan_rank
