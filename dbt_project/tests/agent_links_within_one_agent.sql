{{ config(meta={'dagster': {'ref': {'name': 'int_filing_agent_clusters'}}}) }}

{#- Every link of int_filing_agent_links joins keys of one agent: fails when two linked keys got two
    agents (int_filing_agent_clusters ran too few propagation rounds for a long chain of links). -#}

select
    links.agent_key,
    links.linked_agent_key,
    left_agent.agent_id,
    right_agent.agent_id as linked_agent_id

from {{ ref('int_filing_agent_links') }} as links
inner join {{ ref('int_filing_agent_clusters') }} as left_agent on links.agent_key = left_agent.agent_key
inner join {{ ref('int_filing_agent_clusters') }} as right_agent on links.linked_agent_key = right_agent.agent_key
where left_agent.agent_id <> right_agent.agent_id
