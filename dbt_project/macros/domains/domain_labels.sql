{#-
    Portable building blocks for resolving email domains with the Public Suffix List
    (models/intermediate/int_email_domains_resolved.sql). Everything goes through dbt's
    cross-database macros so the same SQL runs on DuckDB and Spark.
-#}

{#-
    The longest Public Suffix List rule, in labels, that the resolution looks for. The ICANN
    section's longest rule has 4 labels today (seed test assert_public_suffix_rules_fit_resolution
    fails when a list update goes beyond this); override with `--vars '{psl_max_labels: 8}'`.
-#}
{% macro psl_max_labels() -%}
    {{ return(var('psl_max_labels', 6) | int) }}
{%- endmacro %}

{#-
    A domain in canonical form: trimmed, lower-cased, null when blank
    (` ACME.COM ` -> `acme.com`).
-#}
{% macro normalize_domain(column_name) -%}
    nullif(lower(trim({{ column_name }})), '')
{%- endmacro %}

{#- The number of dot-separated labels of a domain (`eng.acme.co.uk` -> 4). -#}
{% macro label_count(column_name) -%}
    ({{ dbt.length(column_name) }} - {{ dbt.length(dbt.replace(column_name, "'.'", "''")) }} + 1)
{%- endmacro %}

{#-
    True when a domain has no empty label: not blank, no leading or trailing dot, no `..`.
    Such domains have no registrable part (the Public Suffix List algorithm rejects them).
-#}
{% macro is_valid_domain(column_name) -%}
    (
        {{ column_name }} <> ''
        and {{ column_name }} not like '.%'
        and {{ column_name }} not like '%.'
        and {{ dbt.position("'..'", column_name) }} = 0
    )
{%- endmacro %}

{#-
    The last `n` dot-separated labels of a domain, or null when it has fewer than `n`
    (`last_labels('d', 2)` on `london.bigcorp.co.uk` -> `co.uk`). `n` is a constant: the
    label positions are spelled out with dbt.split_part, which takes literal part numbers.
-#}
{% macro last_labels(column_name, n) -%}
    {%- set parts = [] -%}
    {%- for position in range(n | int, 0, -1) -%}
        {%- if not loop.first -%}{%- do parts.append("'.'") -%}{%- endif -%}
        {%- do parts.append(dbt.split_part(column_name, "'.'", -position) | trim) -%}
    {%- endfor -%}
    case
        when {{ label_count(column_name) }} >= {{ n }}
            then {{ parts[0] if parts | length == 1 else dbt.concat(parts) }}
    end
{%- endmacro %}

{#-
    A domain without its first label (`eng.acme.com` -> `acme.com`); empty for a single
    label. Assumes a valid domain (see is_valid_domain).
-#}
{% macro parent_domain(column_name) -%}
    {{ dbt.right(column_name, dbt.length(column_name) ~ ' - ' ~ dbt.position("'.'", column_name)) }}
{%- endmacro %}

{#-
    The key a Public Suffix List rule is looked up by, from the seed's `suffix` and
    `rule_type`: the rule without its `*.` or `!` marker (`*.ck` -> `ck`, `!www.ck` -> `www.ck`).
-#}
{% macro psl_rule_match_key(suffix_column, rule_type_column) -%}
    case
        when {{ rule_type_column }} = 'wildcard' then {{ dbt.replace(suffix_column, "'*.'", "''") }}
        when {{ rule_type_column }} = 'exception' then {{ dbt.replace(suffix_column, "'!'", "''") }}
        else {{ suffix_column }}
    end
{%- endmacro %}
