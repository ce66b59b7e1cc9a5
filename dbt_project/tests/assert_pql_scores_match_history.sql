-- The ranked list is the history's row of the as-of date: one source of truth per score.
select scores.company_domain
from {{ ref('pql_scores') }} as scores
left join {{ ref('pql_score_history') }} as history
    on
        scores.company_domain = history.company_domain
        and scores.as_of_date = history.as_of_date
where
    history.company_domain is null
    or scores.score != history.score
    or scores.tier != history.tier
    or scores.reasons != history.reasons
