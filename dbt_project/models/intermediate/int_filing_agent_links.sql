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

keys as (

    select distinct
        agent_key,
        agent_word_key
    from names

),

-- The evidence each key was seen with (one row per key and value).
emails as (

    select distinct
        agent_key,
        agent_email_key
    from names
    where agent_email_key is not null

),

places as (

    select distinct
        agent_key,
        agent_state_code as place
    from names
    where agent_state_code is not null
    union
    select distinct
        agent_key,
        concat('firm:', law_firm_key) as place
    from names
    where law_firm_key is not null

),

same_email as (

    select
        left_emails.agent_key,
        right_emails.agent_key as linked_agent_key,
        'same_email' as linked_by,
        1 as rule_order

    from emails as left_emails
    inner join emails as right_emails
        on
            left_emails.agent_email_key = right_emails.agent_email_key
            and left_emails.agent_key < right_emails.agent_key

),

same_words as (

    select
        left_keys.agent_key,
        right_keys.agent_key as linked_agent_key,
        'same_words' as linked_by,
        2 as rule_order

    from keys as left_keys
    inner join keys as right_keys
        on
            left_keys.agent_word_key = right_keys.agent_word_key
            and left_keys.agent_key < right_keys.agent_key

),

similar_name as (

    select distinct
        left_places.agent_key,
        right_places.agent_key as linked_agent_key,
        'similar_name' as linked_by,
        3 as rule_order

    from places as left_places
    inner join places as right_places
        on
            left_places.place = right_places.place
            and left_places.agent_key < right_places.agent_key
    inner join keys as left_keys on left_places.agent_key = left_keys.agent_key
    inner join keys as right_keys on right_places.agent_key = right_keys.agent_key
    where
        {{ agent_name_similarity('left_keys.agent_word_key', 'right_keys.agent_word_key') }}
        >= {{ var('agent_name_min_similarity') }}

),

candidates as (

    select * from same_email
    union all
    select * from same_words
    union all
    select * from similar_name

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
