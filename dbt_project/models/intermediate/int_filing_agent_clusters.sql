{#- One row per agent key (int_filing_agent_names): the agent it belongs to - the keys joined by
    the links of int_filing_agent_links, transitively (connected components) - and the agent's id.
    The anchor of an agent is its key first seen (earliest fiscal year, then alphabetically); the id
    is md5 of the anchor, so an agent whose names never link to another keeps the id of its one key
    in every build, and a newly seen spelling of a known agent takes the known agent's id.
    Components by label propagation: each round every key takes the least anchor among itself and
    its linked keys, so `rounds` rounds join keys up to `rounds` links apart; the data test
    agent_links_within_one_agent (tests/) fails if a link still joins two agents. -#}

{%- set rounds = 8 -%}

with

names as (

    select * from {{ ref('int_filing_agent_names') }}

),

links as (

    select * from {{ ref('int_filing_agent_links') }}

),

-- Both directions of every link.
neighbours as (

    select
        agent_key,
        linked_agent_key
    from links
    union all
    select
        linked_agent_key as agent_key,
        agent_key as linked_agent_key
    from links

),

-- A key's own anchor order: its first fiscal year (4 digits, 9999 when unknown), then the key.
round_0 as (

    select
        agent_key,
        concat(coalesce(lpad(cast(min(fiscal_year) as {{ dbt.type_string() }}), 4, '0'), '9999'), ' ', agent_key)
            as anchor

    from names
    group by agent_key

),

{% for round in range(1, rounds + 1) %}
    round_{{ round }} as (

        select
            own.agent_key,
            least(min(own.anchor), coalesce(min(linked.anchor), min(own.anchor))) as anchor

        from round_{{ round - 1 }} as own
        left join neighbours on own.agent_key = neighbours.agent_key
        left join round_{{ round - 1 }} as linked on neighbours.linked_agent_key = linked.agent_key
        group by own.agent_key

    ),

{% endfor %}

final as (

    select
        agent_key,
        substr(anchor, 6) as anchor_agent_key,
        -- Stable across builds and engines: the same anchor always gives the same id.
        concat('A', upper(substr(md5(substr(anchor, 6)), 1, 12))) as agent_id

    from round_{{ rounds }}

)

select * from final
