-- One row per distinct email domain seen in users' and invitees' emails, resolved with the
-- Public Suffix List (ICANN section, seed public_suffixes) into its public suffix and
-- registrable domain, then classified with the free-mail list and the local overrides.
-- The rule matching follows the publicsuffixlist package, which the Python tests use as the
-- oracle: candidates from the longest suffix down; at one length an exception rule beats a
-- wildcard rule beats a normal rule; no match means the default rule `*` (the last label).
{%- set max_labels = psl_max_labels() %}

with

user_domains as (

    select {{ normalize_domain('email_domain') }} as email_domain
    from {{ ref('stg_product__users') }}

),

invitee_domains as (

    select {{ normalize_domain('invitee_email_domain') }} as email_domain
    from {{ ref('stg_product__invites') }}

),

seen_domains as (

    select email_domain from user_domains
    union
    select email_domain from invitee_domains

),

domains as (

    select
        email_domain,
        {{ label_count('email_domain') }} as label_count,
        {{ is_valid_domain('email_domain') }} as is_valid
    from seen_domains
    where email_domain is not null

),

-- The last 1, 2, ... labels of every valid domain: the suffixes looked up in the list, and
-- one more length for the registrable domain (rules are at most max_labels long).
candidates as (

    {% for labels in range(1, max_labels + 2) %}
    select
        email_domain,
        label_count,
        {{ labels }} as suffix_labels,
        {{ last_labels('email_domain', labels) }} as candidate
    from domains
    where is_valid and label_count >= {{ labels }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

-- Each rule with the suffix it is looked up by: `*.ck` and `!www.ck` by `ck` and `www.ck`.
rules as (

    select
        suffix as rule_text,
        rule_type,
        {{ psl_rule_match_key('suffix', 'rule_type') }} as match_key
    from {{ ref('public_suffixes') }}

),

matches as (

    select
        candidates.email_domain,
        candidates.suffix_labels,
        rules.rule_text,
        case rules.rule_type
            when 'exception' then 1
            when 'wildcard' then 2
            else 3
        end as rule_precedence,
        case
            -- `!www.ck` on www.ck: the rule minus its first label (ck) is the suffix.
            when rules.rule_type = 'exception' then candidates.suffix_labels - 1
            -- `*.ck` on foo.ck: any one label before ck is part of the suffix.
            when
                rules.rule_type = 'wildcard'
                and candidates.label_count > candidates.suffix_labels
                then candidates.suffix_labels + 1
            -- A normal rule; or `*.ck` on ck itself, the wildcard's implicit root.
            else candidates.suffix_labels
        end as public_suffix_labels
    from candidates
    inner join rules
        on candidates.candidate = rules.match_key
    where candidates.suffix_labels <= {{ max_labels }}

),

ranked_matches as (

    select
        email_domain,
        rule_text,
        public_suffix_labels,
        row_number() over (
            partition by email_domain
            order by suffix_labels desc, rule_precedence asc
        ) as match_rank
    from matches

),

suffix_lengths as (

    select
        domains.email_domain,
        domains.is_valid,
        ranked_matches.rule_text as matched_rule,
        case
            when domains.is_valid then coalesce(ranked_matches.public_suffix_labels, 1)
        end as public_suffix_labels
    from domains
    left join ranked_matches
        on
            domains.email_domain = ranked_matches.email_domain
            and ranked_matches.match_rank = 1

),

split_domains as (

    select
        suffix_lengths.email_domain,
        suffix_lengths.is_valid,
        suffix_lengths.matched_rule,
        public_suffixes.candidate as public_suffix,
        registrable_domains.candidate as registrable_domain
    from suffix_lengths
    left join candidates as public_suffixes
        on
            suffix_lengths.email_domain = public_suffixes.email_domain
            and suffix_lengths.public_suffix_labels = public_suffixes.suffix_labels
    left join candidates as registrable_domains
        on
            suffix_lengths.email_domain = registrable_domains.email_domain
            and suffix_lengths.public_suffix_labels + 1 = registrable_domains.suffix_labels

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

-- An override on the full domain beats one on the registrable domain; an override decides
-- the type, the free-mail list and the suffix heuristics only apply to the other domains.
looked_up as (

    select
        split_domains.*,
        coalesce(full_overrides.domain_type, registrable_overrides.domain_type)
            as override_type,
        (
            full_free_mail.free_mail_domain is not null
            or registrable_free_mail.free_mail_domain is not null
        ) as is_free_mail_domain,
        {{ dbt.split_part('split_domains.public_suffix', "'.'", 1) }} as suffix_first_label,
        split_domains.public_suffix like '%.%' as is_multi_label_suffix
    from split_domains
    left join overrides as full_overrides
        on split_domains.email_domain = full_overrides.override_domain
    left join overrides as registrable_overrides
        on split_domains.registrable_domain = registrable_overrides.override_domain
    left join free_mail_domains as full_free_mail
        on split_domains.email_domain = full_free_mail.free_mail_domain
    left join free_mail_domains as registrable_free_mail
        on split_domains.registrable_domain = registrable_free_mail.free_mail_domain

),

flagged as (

    select
        email_domain,
        is_valid,
        matched_rule,
        public_suffix,
        registrable_domain,
        coalesce(is_valid and registrable_domain is null, false) as is_bare_public_suffix,
        coalesce(
            case
                when override_type is not null then override_type = 'personal'
                else is_free_mail_domain
            end,
            false
        ) as is_personal_domain,
        coalesce(override_type = 'internal', false) as is_internal_domain,
        coalesce(
            registrable_domain is not null
            and case
                when override_type is not null then override_type = 'education'
                else
                    suffix_first_label = 'edu'
                    or (suffix_first_label = 'ac' and is_multi_label_suffix)
                    or registrable_domain like '%.edu'
            end,
            false
        ) as is_education_domain
    from looked_up

),

classified as (

    select
        *,
        case
            when not is_valid then 'invalid'
            when is_bare_public_suffix then 'public_suffix'
            when is_internal_domain then 'internal'
            when is_personal_domain then 'personal'
            else 'company'
        end as domain_type
    from flagged

),

final as (

    select
        *,
        case when domain_type = 'company' then registrable_domain end as company_domain
    from classified

)

select
    email_domain,
    public_suffix,
    registrable_domain,
    is_bare_public_suffix,
    is_personal_domain,
    is_internal_domain,
    is_education_domain,
    company_domain,
    domain_type,
    matched_rule
from final
