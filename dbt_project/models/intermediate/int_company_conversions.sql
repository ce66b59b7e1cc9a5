-- When each company started paying: the start of every paid subscription of the company's
-- accounts, known by the as-of date. The outcome the backtest checks scores against.
with

accounts as (

    select
        account_id,
        company_domain
    from {{ ref('int_accounts_resolved') }}
    where company_domain is not null

),

subscriptions as (

    select * from {{ ref('stg_product__subscriptions') }}

),

plans as (

    select * from {{ ref('plans') }}

),

as_of as (

    select as_of_date from {{ ref('int_as_of_date') }}

)

select distinct
    accounts.company_domain,
    cast(subscriptions.started_at as date) as paid_started_date,
    subscriptions.plan
from subscriptions
inner join plans
    on subscriptions.plan = plans.plan
inner join accounts
    on subscriptions.account_id = accounts.account_id
inner join as_of
    on cast(subscriptions.started_at as date) <= as_of.as_of_date
where plans.is_paid
