-- One row per product account with the company it belongs to: the creator's company when the
-- creator is a company user, else the company of the earliest-joined member who has one.
with

accounts as (

    select * from {{ ref('stg_product__accounts') }}

),

memberships as (

    select * from {{ ref('stg_product__memberships') }}

),

users as (

    select * from {{ ref('int_users_resolved') }}

),

company_members as (

    select
        memberships.account_id,
        memberships.user_id,
        memberships.joined_at,
        users.company_domain,
        row_number() over (
            partition by memberships.account_id
            order by memberships.joined_at, memberships.user_id
        ) as company_member_rank
    from memberships
    inner join users
        on memberships.user_id = users.user_id
    where users.company_domain is not null

),

first_company_members as (

    select
        account_id,
        user_id,
        joined_at,
        company_domain
    from company_members
    where company_member_rank = 1

),

resolved as (

    select
        accounts.account_id,
        accounts.account_name,
        accounts.created_at,
        accounts.created_by_user_id,
        accounts.plan,
        coalesce(creators.company_domain, first_company_members.company_domain)
            as company_domain,
        case
            when creators.company_domain is not null then 'creator'
            when first_company_members.company_domain is not null then 'earliest_member'
        end as company_domain_source,
        -- When the company became knowable: the account's creation (or the creator's signup,
        -- if later) for a company creator, else the earliest company member's joining.
        case
            when creators.company_domain is not null
                then
                    case
                        when creators.created_at > accounts.created_at then creators.created_at
                        else accounts.created_at
                    end
            else first_company_members.joined_at
        end as company_domain_resolved_at
    from accounts
    left join users as creators
        on accounts.created_by_user_id = creators.user_id
    left join first_company_members
        on accounts.account_id = first_company_members.account_id

)

select * from resolved
