-- The benchmark floor: marts.pql_scores as of one day, computed in ONE DuckDB query straight
-- from the raw files and the reference seed CSVs, with no warehouse in between.
--
-- It reproduces the dbt models (staging -> int_* -> pql_score_history -> pql_scores) for a
-- single scoring date, written for speed: the events are scanned once and aggregated per
-- user and event name before anything is joined; the small tables (users, accounts,
-- memberships, invites, subscriptions, seeds) are joined afterwards.
--
-- ASSUMPTION: the raw data is CLEAN (as written by `orchestration.synthetic --dirt-rate 0`):
-- no row breaks the contract and nothing is delivered twice, so the loader's reject and
-- de-duplication rules are not replicated. Every column read below is present in the files,
-- and column names are lower-case.
--
-- Values are parsed the way the loader parses them (orchestration/raw/loader.py): every
-- value is read as text and trimmed, blank is null; a timestamp is cast to TIMESTAMPTZ and
-- stored as its UTC wall time, which is why bench/floor.py runs this with TimeZone = 'UTC'
-- (a timestamp without an offset is then UTC).
--
-- Bound parameters (bench/floor.py binds them from dbt_project.yml `vars`):
--   $users_files ... $subscriptions_files   lists of Parquet paths / globs per entity
--   $public_suffixes_csv, $free_email_domains_csv, $domain_overrides_csv,
--   $event_catalog_csv, $plans_csv           the reference seeds
--   $as_of                                    the scoring date (YYYY-MM-DD)
--   $*_window_days, $psl_max_labels           windows and the longest suffix rule looked up
--   $signals                                  list of {signal, weight, target, format, label}
--   $tier_hot, $tier_warm, $pql_threshold, $pql_min_company_users, $pql_reasons_top_n
with

-- ---------------------------------------------------------------------------------------
-- The scoring day and its windows. A window of N days ends on and includes the scoring
-- date: day d is in it when d > as_of - N and d <= as_of.
-- ---------------------------------------------------------------------------------------
scoring_day as (

    select
        cast($as_of as date) as as_of_date,
        cast($as_of as date) - cast($weekly_window_days as integer) as week_start_excl,
        cast($as_of as date) - cast($active_window_days as integer) as active_start_excl,
        cast($as_of as date) - 2 * cast($active_window_days as integer) as previous_start_excl,
        cast($as_of as date) - cast($signup_window_days as integer) as signup_start_excl,
        cast($as_of as date) - cast($invite_window_days as integer) as invite_start_excl,
        -- Users who signed up on or before this day have had their full activation window.
        cast($as_of as date) - cast($activation_window_days as integer) as activation_decided_by

),

-- ---------------------------------------------------------------------------------------
-- Reference seeds (dbt_project/seeds), typed as _seeds.yml types them.
-- ---------------------------------------------------------------------------------------
public_suffix_rules as (

    -- The key a rule is looked up by: `*.ck` and `!www.ck` by `ck` and `www.ck`.
    select
        rule_type,
        case rule_type
            when 'wildcard' then replace(suffix, '*.', '')
            when 'exception' then replace(suffix, '!', '')
            else suffix
        end as match_key,
        case rule_type when 'exception' then 1 when 'wildcard' then 2 else 3 end
            as rule_precedence
    from read_csv($public_suffixes_csv, header = true, all_varchar = true)

),

free_mail_domains as (

    select nullif(lower(trim(domain)), '') as free_mail_domain
    from read_csv($free_email_domains_csv, header = true, all_varchar = true)

),

domain_overrides as (

    select
        nullif(lower(trim(domain)), '') as override_domain,
        nullif(lower(trim(domain_type)), '') as override_type
    from read_csv($domain_overrides_csv, header = true, all_varchar = true)

),

event_catalog as (

    select
        event_name,
        coalesce(cast(is_activation as boolean), false) as is_activation,
        coalesce(cast(is_key_action as boolean), false) as is_key_action,
        coalesce(cast(is_buying_intent as boolean), false) as is_buying_intent
    from read_csv($event_catalog_csv, header = true, all_varchar = true)

),

plans as (

    select
        plan,
        cast(plan_rank as integer) as plan_rank,
        cast(is_paid as boolean) as is_paid
    from read_csv($plans_csv, header = true, all_varchar = true)

),

-- ---------------------------------------------------------------------------------------
-- Raw entities, parsed like the loader + staging: ids and text trimmed (blank -> null),
-- emails and enums lower-cased, timestamps as UTC wall time.
-- ---------------------------------------------------------------------------------------
users as (

    select
        nullif(trim(cast(user_id as varchar)), '') as user_id,
        lower(trim(cast(email as varchar))) as email,
        cast(cast(nullif(trim(cast(created_at as varchar)), '') as timestamptz) as timestamp)
            as created_at,
        nullif(lower(trim(cast(signup_channel as varchar))), '') as signup_channel
    from read_parquet($users_files, union_by_name = true)

),

accounts as (

    select
        nullif(trim(cast(account_id as varchar)), '') as account_id,
        nullif(trim(cast(created_by_user_id as varchar)), '') as created_by_user_id,
        cast(cast(nullif(trim(cast(created_at as varchar)), '') as timestamptz) as timestamp)
            as created_at
    from read_parquet($accounts_files, union_by_name = true)

),

memberships as (

    select
        nullif(trim(cast(account_id as varchar)), '') as account_id,
        nullif(trim(cast(user_id as varchar)), '') as user_id,
        cast(cast(nullif(trim(cast(joined_at as varchar)), '') as timestamptz) as timestamp)
            as joined_at
    from read_parquet($memberships_files, union_by_name = true)

),

invites as (

    select
        nullif(trim(cast(invite_id as varchar)), '') as invite_id,
        nullif(trim(cast(account_id as varchar)), '') as account_id,
        nullif(trim(cast(inviter_user_id as varchar)), '') as inviter_user_id,
        nullif(trim(cast(accepted_user_id as varchar)), '') as accepted_user_id,
        lower(trim(cast(invitee_email as varchar))) as invitee_email,
        cast(cast(nullif(trim(cast(sent_at as varchar)), '') as timestamptz) as timestamp)
            as sent_at,
        cast(cast(nullif(trim(cast(accepted_at as varchar)), '') as timestamptz) as timestamp)
            as accepted_at
    from read_parquet($invites_files, union_by_name = true)

),

subscriptions as (

    select
        nullif(trim(cast(account_id as varchar)), '') as account_id,
        nullif(lower(trim(cast(plan as varchar))), '') as plan,
        cast(cast(nullif(trim(cast(started_at as varchar)), '') as timestamptz) as date)
            as started_date,
        cast(cast(nullif(trim(cast(ended_at as varchar)), '') as timestamptz) as date)
            as ended_date
    from read_parquet($subscriptions_files, union_by_name = true)

),

-- ---------------------------------------------------------------------------------------
-- Company resolution: every email domain (users' and invitees') -> its registrable domain
-- by the Public Suffix List, then classified (overrides > free-mail list > suffix rules).
-- ---------------------------------------------------------------------------------------
seen_domains as (

    select nullif(lower(trim(string_split(email, '@')[-1])), '') as email_domain from users
    union
    select nullif(lower(trim(string_split(invitee_email, '@')[-1])), '') from invites

),

valid_domains as (

    -- A domain with an empty label (leading / trailing dot, `..`) has no registrable part:
    -- it resolves to no company, so it is simply left out here.
    select
        email_domain,
        string_split(email_domain, '.') as labels,
        len(string_split(email_domain, '.')) as label_count
    from seen_domains
    where
        email_domain is not null
        and email_domain not like '.%'
        and email_domain not like '%.'
        and position('..' in email_domain) = 0

),

suffix_candidates as (

    -- The last 1, 2, ... labels of each domain, up to the longest rule looked up.
    select
        email_domain,
        label_count,
        suffix_labels,
        array_to_string(labels[-suffix_labels:], '.') as candidate
    from (
        select
            *,
            unnest(range(1, least(label_count, cast($psl_max_labels as integer)) + 1))
                as suffix_labels
        from valid_domains
    )

),

best_rule as (

    -- The longest matching rule wins; at one length exception > wildcard > normal.
    select
        suffix_candidates.email_domain,
        case
            -- `!www.ck` on www.ck: the rule minus its first label is the suffix.
            when public_suffix_rules.rule_type = 'exception' then suffix_candidates.suffix_labels - 1
            -- `*.ck` on foo.ck: any one label before ck is part of the suffix.
            when
                public_suffix_rules.rule_type = 'wildcard'
                and suffix_candidates.label_count > suffix_candidates.suffix_labels
                then suffix_candidates.suffix_labels + 1
            else suffix_candidates.suffix_labels
        end as public_suffix_labels
    from suffix_candidates
    inner join public_suffix_rules
        on suffix_candidates.candidate = public_suffix_rules.match_key
    qualify row_number() over (
        partition by suffix_candidates.email_domain
        order by suffix_candidates.suffix_labels desc, public_suffix_rules.rule_precedence asc
    ) = 1

),

split_domains as (

    select
        valid_domains.email_domain,
        array_to_string(valid_domains.labels[-suffix.public_suffix_labels:], '.')
            as public_suffix,
        -- The registrable domain is one label more than the suffix (none for a bare suffix;
        -- like the model, only up to psl_max_labels + 1 labels are ever looked at).
        case
            when
                valid_domains.label_count > suffix.public_suffix_labels
                and suffix.public_suffix_labels <= cast($psl_max_labels as integer)
                then array_to_string(
                    valid_domains.labels[-(suffix.public_suffix_labels + 1):], '.'
                )
        end as registrable_domain
    from valid_domains
    -- No matching rule means the default rule `*`: the last label is the suffix.
    cross join lateral (
        select coalesce(
            (select best_rule.public_suffix_labels
                from best_rule
                where best_rule.email_domain = valid_domains.email_domain),
            1
        ) as public_suffix_labels
    ) as suffix

),

classified_domains as (

    -- An override on the full domain beats one on the registrable domain; an override
    -- decides the type, the free-mail list and the suffix heuristics only apply otherwise.
    select
        split_domains.email_domain,
        split_domains.registrable_domain,
        coalesce(full_override.override_type, registrable_override.override_type)
            as override_type,
        split_domains.email_domain in (select free_mail_domain from free_mail_domains)
        or coalesce(
            split_domains.registrable_domain in (select free_mail_domain from free_mail_domains),
            false
        ) as is_free_mail_domain,
        split_part(split_domains.public_suffix, '.', 1) as suffix_first_label,
        split_domains.public_suffix like '%.%' as is_multi_label_suffix
    from split_domains
    left join domain_overrides as full_override
        on split_domains.email_domain = full_override.override_domain
    left join domain_overrides as registrable_override
        on split_domains.registrable_domain = registrable_override.override_domain

),

email_domains as (

    select
        email_domain,
        case
            when registrable_domain is null then null                      -- a bare suffix
            when override_type = 'internal' then null                      -- our own staff
            when coalesce(override_type = 'personal', is_free_mail_domain) then null
            else registrable_domain
        end as company_domain,
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
    from classified_domains

),

company_domains as (

    -- A company is an education domain when any of its email domains is.
    select
        company_domain,
        bool_or(is_education_domain) as is_education_domain
    from email_domains
    where company_domain is not null
    group by company_domain

),

-- ---------------------------------------------------------------------------------------
-- People and workspaces with their company.
-- ---------------------------------------------------------------------------------------
invited_users as (

    -- Joined through an invite: named as the accepting user of any invite, or signed up
    -- with the address an accepted invite was sent to (not point-in-time, like the model).
    select accepted_user_id as user_id from invites where accepted_user_id is not null
    union
    select users.user_id
    from users
    inner join invites
        on users.email = invites.invitee_email
    where invites.accepted_at is not null

),

users_resolved as (

    select
        users.user_id,
        cast(users.created_at as date) as created_date,
        email_domains.company_domain,
        coalesce(users.signup_channel = 'invite', false)
        or invited_users.user_id is not null as is_invited_signup
    from users
    left join email_domains
        on nullif(lower(trim(string_split(users.email, '@')[-1])), '') = email_domains.email_domain
    left join invited_users
        on users.user_id = invited_users.user_id

),

company_users as (

    select * from users_resolved where company_domain is not null

),

first_company_members as (

    -- The earliest-joined member of each account who has a company.
    select
        memberships.account_id,
        company_users.company_domain
    from memberships
    inner join company_users
        on memberships.user_id = company_users.user_id
    qualify row_number() over (
        partition by memberships.account_id
        order by memberships.joined_at, memberships.user_id
    ) = 1

),

accounts_resolved as (

    -- The creator's company when the creator is a company user, else the first member's.
    select
        accounts.account_id,
        cast(accounts.created_at as date) as created_date,
        coalesce(creators.company_domain, first_company_members.company_domain)
            as company_domain
    from accounts
    left join users_resolved as creators
        on accounts.created_by_user_id = creators.user_id
    left join first_company_members
        on accounts.account_id = first_company_members.account_id

),

-- ---------------------------------------------------------------------------------------
-- Product usage: ONE pass over the events, aggregated per user and event name.
-- Point in time: an event is known from when it was received (never before it occurred);
-- the scoring date only sees events known by the end of that day.
-- ---------------------------------------------------------------------------------------
events as (

    select
        nullif(trim(cast(user_id as varchar)), '') as user_id,
        nullif(trim(cast(event_name as varchar)), '') as event_name,
        cast(cast(nullif(trim(cast(occurred_at as varchar)), '') as timestamptz) as timestamp)
            as occurred_at,
        cast(cast(nullif(trim(cast(received_at as varchar)), '') as timestamptz) as timestamp)
            as received_at
    from read_parquet($events_files, union_by_name = true)

),

events_dated as (

    select
        user_id,
        event_name,
        cast(occurred_at as date) as occurred_date,
        cast(
            case when received_at > occurred_at then received_at else occurred_at end as date
        ) as known_date
    from events

),

user_event_counts as (

    select
        events_dated.user_id,
        events_dated.event_name,
        -- Over every event, known or not: days before the first event are never scored.
        min(events_dated.occurred_date) as first_occurred_date,
        min(events_dated.occurred_date) filter (
            where events_dated.known_date <= scoring_day.as_of_date
        ) as first_known_occurred_date,
        count(*) filter (
            where
                events_dated.known_date <= scoring_day.as_of_date
                and events_dated.occurred_date > scoring_day.week_start_excl
                and events_dated.occurred_date <= scoring_day.as_of_date
        ) as events_7d,
        count(*) filter (
            where
                events_dated.known_date <= scoring_day.as_of_date
                and events_dated.occurred_date > scoring_day.active_start_excl
                and events_dated.occurred_date <= scoring_day.as_of_date
        ) as events_28d,
        count(*) filter (
            where
                events_dated.known_date <= scoring_day.as_of_date
                and events_dated.occurred_date > scoring_day.previous_start_excl
                and events_dated.occurred_date <= scoring_day.active_start_excl
        ) as events_prev_28d
    from events_dated
    cross join scoring_day
    group by events_dated.user_id, events_dated.event_name

),

user_activity as (

    -- Uncatalogued events count as activity only.
    select
        user_event_counts.user_id,
        min(user_event_counts.first_occurred_date) as first_occurred_date,
        sum(user_event_counts.events_7d) > 0 as is_active_7d,
        sum(user_event_counts.events_28d) > 0 as is_active_28d,
        sum(user_event_counts.events_prev_28d) > 0 as is_active_prev_28d,
        coalesce(sum(user_event_counts.events_28d) filter (where event_catalog.is_key_action), 0)
            as key_actions_28d,
        coalesce(
            sum(user_event_counts.events_28d) filter (where event_catalog.is_buying_intent), 0
        ) as buying_intent_events_28d,
        min(user_event_counts.first_known_occurred_date) filter (
            where event_catalog.is_activation
        ) as first_activation_date
    from user_event_counts
    left join event_catalog
        on user_event_counts.event_name = event_catalog.event_name
    group by user_event_counts.user_id

),

first_event as (

    select min(first_occurred_date) as first_event_date from user_activity

),

-- ---------------------------------------------------------------------------------------
-- Signals per company as of the scoring date.
-- ---------------------------------------------------------------------------------------
company_activity as (

    -- A company user's activity counts whether or not they had signed up by the date.
    select
        company_users.company_domain,
        count(*) filter (where user_activity.is_active_7d) as active_users_7d,
        count(*) filter (where user_activity.is_active_28d) as active_users_28d,
        count(*) filter (where user_activity.is_active_prev_28d) as active_users_prev_28d,
        cast(sum(user_activity.key_actions_28d) as bigint) as key_actions_28d,
        cast(sum(user_activity.buying_intent_events_28d) as bigint) as buying_intent_events_28d
    from user_activity
    inner join company_users
        on user_activity.user_id = company_users.user_id
    group by company_users.company_domain

),

company_adoption as (

    -- A company exists on the date once one of its users signed up. A user is activated when
    -- their first known activation event falls within the activation window of signup; the
    -- rate counts only users who are decided (window closed, or already activated).
    select
        company_users.company_domain,
        count(*) as users_total,
        count(*) filter (
            where
                company_users.created_date > scoring_day.signup_start_excl
                and not company_users.is_invited_signup
        ) as signups_60d,
        count(*) filter (
            where
                user_activity.first_activation_date
                <= company_users.created_date + cast($activation_window_days as integer)
        ) as users_activated,
        count(*) filter (
            where
                company_users.created_date <= scoring_day.activation_decided_by
                or user_activity.first_activation_date is not null
        ) as users_activation_decided
    from company_users
    cross join scoring_day
    left join user_activity
        on company_users.user_id = user_activity.user_id
    where company_users.created_date <= scoring_day.as_of_date
    group by company_users.company_domain

),

account_members as (

    select
        memberships.account_id,
        count(*) as members
    from memberships
    cross join scoring_day
    where cast(memberships.joined_at as date) <= scoring_day.as_of_date
    group by memberships.account_id

),

company_accounts_as_of as (

    select
        accounts_resolved.account_id,
        accounts_resolved.company_domain,
        coalesce(account_members.members, 0) as members
    from accounts_resolved
    cross join scoring_day
    left join account_members
        on accounts_resolved.account_id = account_members.account_id
    where
        accounts_resolved.company_domain is not null
        and accounts_resolved.created_date <= scoring_day.as_of_date

),

company_account_counts as (

    select
        company_domain,
        count(*) as accounts_count,
        count(*) filter (where members >= 2) as multi_member_accounts
    from company_accounts_as_of
    group by company_domain

),

company_paid_plans as (

    -- Paid subscriptions running on the date (started by then, not yet ended) on the
    -- company's accounts; the best plan among them is the company's current plan.
    select
        company_accounts_as_of.company_domain,
        max(plans.plan_rank) as best_plan_rank
    from company_accounts_as_of
    cross join scoring_day
    inner join subscriptions
        on company_accounts_as_of.account_id = subscriptions.account_id
    inner join plans
        on subscriptions.plan = plans.plan
    where
        plans.is_paid
        and subscriptions.started_date <= scoring_day.as_of_date
        and (subscriptions.ended_date is null or scoring_day.as_of_date < subscriptions.ended_date)
    group by company_accounts_as_of.company_domain

),

company_commercial as (

    select
        company_paid_plans.company_domain,
        coalesce(plans.plan, 'free') as current_plan,
        coalesce(plans.plan = 'enterprise', false) as is_enterprise_customer
    from company_paid_plans
    left join plans
        on company_paid_plans.best_plan_rank = plans.plan_rank

),

deduplicated_invites as (

    -- One invite per account and invitee email: re-sends collapse into the first send, and
    -- the earliest acceptance of any send counts.
    select
        account_id,
        arg_min(inviter_user_id, {'sent_at': sent_at, 'invite_id': invite_id}) as inviter_user_id,
        cast(min(sent_at) as date) as sent_date,
        cast(min(accepted_at) as date) as accepted_date
    from invites
    group by account_id, invitee_email

),

company_invites as (

    -- An invite belongs to the company of the account it invites into, else the inviter's.
    -- Only what is known on the date: sent by then; an acceptance after it is not known yet.
    select
        coalesce(accounts_resolved.company_domain, inviters.company_domain) as company_domain,
        count(*) filter (
            where deduplicated_invites.sent_date > scoring_day.invite_start_excl
        ) as invites_sent_90d,
        count(*) filter (
            where
                deduplicated_invites.sent_date > scoring_day.invite_start_excl
                and deduplicated_invites.accepted_date <= scoring_day.as_of_date
        ) as invites_sent_90d_accepted,
        count(*) filter (
            where
                deduplicated_invites.accepted_date > scoring_day.invite_start_excl
                and deduplicated_invites.accepted_date <= scoring_day.as_of_date
        ) as invites_accepted_90d
    from deduplicated_invites
    cross join scoring_day
    left join accounts_resolved
        on deduplicated_invites.account_id = accounts_resolved.account_id
    left join users_resolved as inviters
        on deduplicated_invites.inviter_user_id = inviters.user_id
    where
        deduplicated_invites.sent_date <= scoring_day.as_of_date
        and coalesce(accounts_resolved.company_domain, inviters.company_domain) is not null
    group by 1

),

company_signals as (

    select
        company_adoption.company_domain,
        coalesce(company_domains.is_education_domain, false) as is_education_domain,
        company_adoption.users_total,
        coalesce(company_activity.active_users_7d, 0) as active_users_7d,
        coalesce(company_activity.active_users_28d, 0) as active_users_28d,
        coalesce(company_activity.active_users_prev_28d, 0) as active_users_prev_28d,
        company_adoption.signups_60d,
        coalesce(company_account_counts.accounts_count, 0) as accounts_count,
        coalesce(company_account_counts.multi_member_accounts, 0) as multi_member_accounts,
        coalesce(company_invites.invites_sent_90d, 0) as invites_sent_90d,
        coalesce(company_invites.invites_accepted_90d, 0) as invites_accepted_90d,
        cast(company_invites.invites_sent_90d_accepted as double)
        / nullif(company_invites.invites_sent_90d, 0) as acceptance_rate_90d,
        cast(company_adoption.users_activated as double)
        / nullif(company_adoption.users_activation_decided, 0) as activation_rate,
        coalesce(company_activity.key_actions_28d, 0) as key_actions_28d,
        coalesce(company_activity.buying_intent_events_28d, 0) as buying_intent_events_28d,
        coalesce(company_commercial.current_plan, 'free') as current_plan,
        company_commercial.company_domain is not null as is_paying_customer,
        coalesce(company_commercial.is_enterprise_customer, false) as is_enterprise_customer
    from company_adoption
    left join company_activity
        on company_adoption.company_domain = company_activity.company_domain
    left join company_account_counts
        on company_adoption.company_domain = company_account_counts.company_domain
    left join company_invites
        on company_adoption.company_domain = company_invites.company_domain
    left join company_commercial
        on company_adoption.company_domain = company_commercial.company_domain
    left join company_domains
        on company_adoption.company_domain = company_domains.company_domain
    -- Days before the first event are never scored.
    where (select as_of_date from scoring_day) >= (select first_event_date from first_event)

),

company_signals_derived as (

    select
        *,
        -- Viral coefficient K: invites sent per company user times the acceptance rate.
        coalesce(
            cast(invites_sent_90d as double) / nullif(users_total, 0) * acceptance_rate_90d, 0
        ) as viral_coefficient,
        cast(key_actions_28d as double) / nullif(active_users_28d, 0)
            as key_actions_per_active_user_28d,
        -- Growth over the previous 28 days (from zero: the new count itself).
        cast(active_users_28d - active_users_prev_28d as double)
        / nullif(greatest(active_users_prev_28d, 1), 0) as active_users_growth_28d
    from company_signals

),

-- ---------------------------------------------------------------------------------------
-- Points, score, reasons.
-- ---------------------------------------------------------------------------------------
signal_config as (

    select unnest($signals, recursive := true)

),

signal_values as (

    -- Every signal the floor computes, in long form; signal_config picks the scored ones.
    select
        company_domain,
        unnest([
            {'signal': 'active_users_28d', 'value': cast(active_users_28d as double)},
            {'signal': 'signups_60d', 'value': cast(signups_60d as double)},
            {'signal': 'multi_member_accounts', 'value': cast(multi_member_accounts as double)},
            {'signal': 'invites_accepted_90d', 'value': cast(invites_accepted_90d as double)},
            {'signal': 'viral_coefficient', 'value': cast(viral_coefficient as double)},
            {'signal': 'activation_rate', 'value': cast(activation_rate as double)},
            {
                'signal': 'key_actions_per_active_user_28d',
                'value': cast(key_actions_per_active_user_28d as double)
            },
            {'signal': 'active_users_growth_28d', 'value': cast(active_users_growth_28d as double)},
            {
                'signal': 'buying_intent_events_28d',
                'value': cast(buying_intent_events_28d as double)
            },
            {'signal': 'accounts_count', 'value': cast(accounts_count as double)},
            {'signal': 'users_total', 'value': cast(users_total as double)},
            {'signal': 'active_users_7d', 'value': cast(active_users_7d as double)},
            {'signal': 'invites_sent_90d', 'value': cast(invites_sent_90d as double)},
            {'signal': 'acceptance_rate_90d', 'value': cast(acceptance_rate_90d as double)}
        ], recursive := true)
    from company_signals_derived

),

signal_points as (

    -- Linear up to the target, then capped; exact decimals so sums never depend on order.
    select
        signal_values.company_domain,
        signal_values.signal,
        signal_values.value,
        signal_config.format,
        signal_config.label,
        cast(
            round(
                signal_config.weight
                * least(greatest(coalesce(signal_values.value, 0), 0) / signal_config.target, 1.0),
                1
            ) as decimal(6, 1)
        ) as points
    from signal_values
    inner join signal_config
        on signal_values.signal = signal_config.signal

),

company_scores as (

    select
        company_domain,
        cast(round(sum(points), 0) as integer) as score
    from signal_points
    group by company_domain

),

ranked_reasons as (

    -- The value as JSON (count: whole number, else 3 decimals, percent as a fraction) and
    -- in words (count: whole number, percent: whole %, ratio: label first, 2 decimals).
    select
        company_domain,
        points,
        row_number() over (partition by company_domain order by points desc, signal asc)
            as reason_rank,
        '{"signal": "' || signal || '", "value": '
        || case
            when format = 'count' then cast(cast(round(value, 0) as bigint) as varchar)
            else cast(round(value, 3) as varchar)
        end
        || ', "points": ' || cast(points as varchar) || '}' as reason_json,
        case
            when format = 'ratio' then label || ': ' || cast(round(value, 2) as varchar)
            when format = 'count'
                then cast(cast(round(value, 0) as bigint) as varchar) || ' ' || label
            when format = 'percent'
                then cast(cast(round(value * 100, 0) as bigint) as varchar) || '%' || ' ' || label
            else cast(round(value, 2) as varchar) || ' ' || label
        end as reason_text
    from signal_points
    where points > 0

),

company_reasons as (

    select
        company_domain,
        '[' || string_agg(reason_json, ', ' order by reason_rank) || ']' as reasons,
        string_agg(
            reason_text || ' (+' || cast(points as varchar) || ' pts)', '; '
            order by reason_rank
        ) as reason_details
    from ranked_reasons
    where reason_rank <= cast($pql_reasons_top_n as integer)
    group by company_domain

),

scored as (

    select
        company_signals_derived.*,
        company_scores.score,
        case
            when company_scores.score >= cast($tier_hot as double) then 'hot'
            when company_scores.score >= cast($tier_warm as double) then 'warm'
            else 'cold'
        end as tier,
        company_scores.score >= cast($pql_threshold as double)
        and company_signals_derived.users_total >= cast($pql_min_company_users as double)
            as is_pql,
        coalesce(company_reasons.reasons, '[]') as reasons,
        coalesce(company_reasons.reason_details, 'No product-qualified signals yet')
            as reason_details
    from company_signals_derived
    inner join company_scores
        on company_signals_derived.company_domain = company_scores.company_domain
    left join company_reasons
        on company_signals_derived.company_domain = company_reasons.company_domain

)

-- The columns of marts.pql_scores, in its order.
select
    scored.company_domain,
    scoring_day.as_of_date,
    scored.score,
    row_number() over (order by scored.score desc, scored.company_domain asc) as score_rank,
    scored.tier,
    scored.is_pql,
    -- New leads go to sales; paying customers who look like PQLs are expansion instead.
    scored.is_pql and not scored.is_paying_customer as route_to_sales,
    scored.is_pql and scored.is_paying_customer as is_expansion_candidate,
    scored.reasons,
    case
        when scored.is_pql and scored.is_paying_customer
            then 'Expansion (already paying, ' || scored.current_plan || '): '
            || scored.reason_details
        when scored.is_pql then 'PQL: ' || scored.reason_details
        else scored.reason_details
    end as reason_summary,
    scored.users_total,
    scored.active_users_7d,
    scored.active_users_28d,
    scored.signups_60d,
    scored.accounts_count,
    scored.multi_member_accounts,
    scored.invites_sent_90d,
    scored.invites_accepted_90d,
    scored.acceptance_rate_90d,
    scored.viral_coefficient,
    scored.activation_rate,
    scored.buying_intent_events_28d,
    scored.current_plan,
    scored.is_paying_customer,
    scored.is_enterprise_customer,
    scored.is_education_domain
from scored
cross join scoring_day
