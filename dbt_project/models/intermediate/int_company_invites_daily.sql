-- Virality per company and scoring date: invites sent and accepted in the invite window,
-- acceptance rate and latency. An invite belongs to the company of the account it invites
-- into, or else to the inviter's company.
{%- set invite_days = var('invite_window_days') %}
-- A table of the run's scoring days, built in the history's partitioned step (see
-- int_company_signals_daily).
{{ config(materialized='table', tags=['scoring_run_days']) }}
with

calendar as (

    select scoring_date from {{ ref('int_scoring_calendar') }}

),

invites as (

    select
        cast(sent_at as date) as sent_date,
        cast(accepted_at as date) as accepted_date,
        hours_to_accept,
        coalesce(account_company_domain, inviter_company_domain) as company_domain
    from {{ ref('int_invites_deduplicated') }}
    where coalesce(account_company_domain, inviter_company_domain) is not null

),

invites_as_of as (

    -- Invites sent or accepted within the window; an acceptance after the scoring date
    -- is not known yet.
    select
        calendar.scoring_date,
        invites.company_domain,
        invites.hours_to_accept,
        {{ in_window('invites.sent_date', 'calendar.scoring_date', invite_days) }}
            as is_sent_in_window,
        coalesce(invites.accepted_date <= calendar.scoring_date, false) as is_accepted_by_date,
        coalesce(
            {{ in_window('invites.accepted_date', 'calendar.scoring_date', invite_days) }}, false
        ) as is_accepted_in_window
    from calendar
    inner join invites
        on
            calendar.scoring_date >= invites.sent_date
            and (
                {{ in_window('invites.sent_date', 'calendar.scoring_date', invite_days) }}
                or {{ in_window('invites.accepted_date', 'calendar.scoring_date', invite_days) }}
            )

),

aggregated as (

    select
        company_domain,
        scoring_date,
        {{ count_where('is_sent_in_window') }} as invites_sent_90d,
        {{ count_where('is_sent_in_window and is_accepted_by_date') }}
            as invites_sent_90d_accepted,
        {{ count_where('is_accepted_in_window') }} as invites_accepted_90d,
        {{ median('case when is_accepted_in_window then hours_to_accept end') }}
            as median_hours_to_accept_90d
    from invites_as_of
    group by company_domain, scoring_date

)

select
    *,
    {{ safe_divide('invites_sent_90d_accepted', 'invites_sent_90d') }} as acceptance_rate_90d
from aggregated
