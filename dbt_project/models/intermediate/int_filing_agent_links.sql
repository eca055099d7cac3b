{#- One row per pair of agent keys (int_filing_agent_names) the linkage says are one agent, and the
    first rule that says so:
    - same_email: filings under the two names give one e-mail address (case-folded; FY2020+ files);
    - same_words: the two names have the same words in another order ('SMITH JOHN', 'JOHN SMITH');
    - similar_name: the names with their words sorted are alike (agent_name_similarity at least the
      dbt var agent_name_min_similarity) and the two names share a state or a law firm (its key) on
      some of their filings: a typo, a missing letter.
    int_filing_agent_clusters joins the pairs transitively into agents. -#}

with

names as (

    select * from {{ ref('int_filing_agent_names') }}

),

-- Each rule and the evidence it links two keys by when they share a value of it.
rules as (

    select
        rules.evidence_kind,
        rules.linked_by,
        rules.rule_order
    from (
        values
        ('email', 'same_email', 1),
        ('words', 'same_words', 2),
        ('state_code', 'similar_name', 3),
        ('law_firm', 'similar_name', 3)
    ) as rules (evidence_kind, linked_by, rule_order)

),

name_evidence as (

    select
        agent_key,
        agent_word_key,
        agent_email_key as email,
        agent_word_key as words,
        agent_state_code as state_code,
        law_firm_key as law_firm
    from names

),

-- The evidence each key was seen with: one row per key, kind and value (a null is none).
evidence as (

    select distinct
        agent_key,
        agent_word_key,
        evidence_kind,
        shared_value
    from name_evidence
    unpivot (shared_value for evidence_kind in (email, words, state_code, law_firm))

),

-- Pairs of keys that share a value of one kind, by that kind's rule (similar_name: the names are alike).
candidates as (

    select
        left_evidence.agent_key,
        right_evidence.agent_key as linked_agent_key,
        rules.linked_by,
        rules.rule_order

    from evidence as left_evidence
    inner join evidence as right_evidence
        on
            left_evidence.evidence_kind = right_evidence.evidence_kind
            and left_evidence.shared_value = right_evidence.shared_value
            and left_evidence.agent_key < right_evidence.agent_key
    inner join rules on left_evidence.evidence_kind = rules.evidence_kind
    where
        rules.linked_by != 'similar_name'
        or {{ agent_name_similarity('left_evidence.agent_word_key', 'right_evidence.agent_word_key') }}
        >= {{ var('agent_name_min_similarity') }}

),

ranked as (

    select
        *,
        row_number() over (partition by agent_key, linked_agent_key order by rule_order) as rule_rank

    from candidates

),

final as (

    select
        agent_key,
        linked_agent_key,
        linked_by

    from ranked
    where rule_rank = 1

)

select * from final
