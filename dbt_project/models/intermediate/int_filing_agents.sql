{#- One row per filing that names an agent or attorney: the filing (int_filing_agent_names) and its
    agent's stable id (int_filing_agent_clusters: the agent's names linked on e-mail, word order and
    similar names within one state or firm). -#}

with

names as (

    select * from {{ ref('int_filing_agent_names') }}

),

clusters as (

    select * from {{ ref('int_filing_agent_clusters') }}

),

final as (

    select
        names.source,
        names.filing_id,
        names.fiscal_year,
        names.agent_name,
        names.law_firm,
        names.agent_city,
        names.agent_state,
        names.agent_email,
        names.agent_key,
        clusters.agent_id

    from names
    inner join clusters on names.agent_key = clusters.agent_key

)

select * from final
