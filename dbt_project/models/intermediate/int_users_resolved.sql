-- One row per user with the company their email resolves to (int_email_domains_resolved)
-- and whether they joined through an invite. Emails stay in staging: only the domain is kept.
with

users as (

    select * from {{ ref('stg_product__users') }}

),

invites as (

    select * from {{ ref('stg_product__invites') }}

),

domains as (

    select * from {{ ref('int_email_domains_resolved') }}

),

-- Users who joined through an invite: named as the accepting user, or signed up with the
-- address an accepted invite was sent to.
invited_users as (

    select invites.accepted_user_id as user_id
    from invites
    where invites.accepted_user_id is not null

    union

    select users.user_id
    from users
    inner join invites
        on users.email = invites.invitee_email
    where invites.is_accepted

),

resolved as (

    select
        users.user_id,
        users.created_at,
        cast(users.created_at as date) as created_date,
        users.signup_channel,
        {{ normalize_domain('users.email_domain') }} as email_domain,
        domains.company_domain,
        coalesce(domains.is_personal_domain, false) as is_personal_email,
        coalesce(domains.is_internal_domain, false) as is_internal_user,
        coalesce(domains.is_education_domain, false) as is_education_domain,
        coalesce(domains.domain_type, 'invalid') as domain_type,
        (
            coalesce(users.signup_channel = 'invite', false)
            or invited_users.user_id is not null
        ) as is_invited_signup
    from users
    left join domains
        on {{ normalize_domain('users.email_domain') }} = domains.email_domain
    left join invited_users
        on users.user_id = invited_users.user_id

)

select * from resolved
