-- Fails for every company_domain of int_email_domains_resolved that can never be a company,
-- checked against the seeds directly rather than the model's own flags: a public suffix, a
-- free-mail domain (unless overridden as a company), an internal or personal override, a
-- value with upper-case letters, or a subdomain of another company_domain.
with

company_domains as (

    select distinct company_domain
    from {{ ref('int_email_domains_resolved') }}
    where company_domain is not null

),

rules as (

    select
        rule_type,
        {{ psl_rule_match_key('suffix', 'rule_type') }} as match_key
    from {{ ref('public_suffixes') }}

),

overrides as (

    select
        {{ normalize_domain('domain') }} as override_domain,
        {{ clean_enum('domain_type') }} as domain_type
    from {{ ref('domain_overrides') }}

),

free_mail_domains as (

    select {{ normalize_domain('domain') }} as free_mail_domain
    from {{ ref('free_email_domains') }}

),

exception_domains as (

    select match_key as exception_domain
    from rules
    where rule_type = 'exception'

),

-- A normal rule, or the implicit root `ck` of a wildcard rule `*.ck`.
listed_suffixes as (

    select
        company_domains.company_domain,
        'is a public suffix' as problem
    from company_domains
    inner join rules
        on company_domains.company_domain = rules.match_key
    where rules.rule_type in ('normal', 'wildcard')

),

-- `foo.ck` under `*.ck` is itself a public suffix, unless an exception (`!www.ck`) frees it.
wildcard_suffixes as (

    select
        company_domains.company_domain,
        'is a public suffix by a wildcard rule' as problem
    from company_domains
    inner join rules
        on {{ parent_domain('company_domains.company_domain') }} = rules.match_key
    left join exception_domains
        on company_domains.company_domain = exception_domains.exception_domain
    where
        rules.rule_type = 'wildcard'
        and exception_domains.exception_domain is null

),

free_mail as (

    select
        company_domains.company_domain,
        'is a free-mail domain' as problem
    from company_domains
    inner join free_mail_domains
        on company_domains.company_domain = free_mail_domains.free_mail_domain
    left join overrides
        on
            company_domains.company_domain = overrides.override_domain
            and overrides.domain_type = 'company'
    where overrides.override_domain is null

),

overridden as (

    select
        company_domains.company_domain,
        {{ dbt.concat(["'is overridden as '", 'overrides.domain_type']) }} as problem
    from company_domains
    inner join overrides
        on company_domains.company_domain = overrides.override_domain
    where overrides.domain_type in ('internal', 'personal')

),

upper_case as (

    select
        company_domain,
        'contains upper-case letters' as problem
    from company_domains
    where company_domain <> lower(company_domain)

),

-- `a.example.com` under `example.com`: each domain's ending of every company_domain's length
-- plus its dot, matched by equality (a LIKE join compared every pair: 33 s at 100M events).
parent_lengths as (

    select distinct {{ dbt.length('company_domain') }} as parent_length
    from company_domains

),

dotted_endings as (

    select
        company_domains.company_domain,
        {{ dbt.right('company_domains.company_domain', 'parent_lengths.parent_length + 1') }}
            as dotted_ending
    from company_domains
    cross join parent_lengths
    where {{ dbt.length('company_domains.company_domain') }} >= parent_lengths.parent_length + 2

),

subdomains as (

    select
        dotted_endings.company_domain,
        {{ dbt.concat(["'is a subdomain of '", 'parents.company_domain']) }} as problem
    from dotted_endings
    inner join company_domains as parents
        on dotted_endings.dotted_ending = {{ dbt.concat(["'.'", 'parents.company_domain']) }}

)

select * from listed_suffixes
union all
select * from wildcard_suffixes
union all
select * from free_mail
union all
select * from overridden
union all
select * from upper_case
union all
select * from subdomains
