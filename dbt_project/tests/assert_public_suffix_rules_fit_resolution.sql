-- Fails for every Public Suffix List rule longer than the suffixes that
-- int_email_domains_resolved looks up (macro psl_max_labels): after a list update, raise the
-- `psl_max_labels` var rather than silently missing the rule.
select
    suffix,
    label_count
from {{ ref('public_suffixes') }}
where label_count > {{ psl_max_labels() }}
