-- A score is between 0 and 100, its tier agrees with the thresholds, and routing follows
-- the rules: only PQLs are routed, paying customers never (they are expansion instead).
{%- set tiers = var('pql_tier_thresholds') %}
select
    company_domain,
    as_of_date,
    score,
    tier,
    is_pql,
    route_to_sales,
    is_expansion_candidate
from {{ ref('pql_score_history') }}
where
    score < 0
    or score > 100
    or (tier = 'hot') != (score >= {{ tiers.hot }})
    or (tier = 'cold') != (score < {{ tiers.warm }})
    or (route_to_sales and not is_pql)
    or (route_to_sales and is_paying_customer)
    or (is_expansion_candidate and not is_paying_customer)
