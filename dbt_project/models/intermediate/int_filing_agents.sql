{#- One row per filing that names an agent or attorney (agent_name_key not null): the filing, its
    fiscal year, the agent's name and law firm as published, the agent's comparison key and its
    stable id. H-2A takes the agent of the case's master row (int_h2a_case_rows), H-2B the agent of
    the case (int_h2b_cases). Another program's filings join by one more `union all` branch in
    `filings` with the same columns (source, its filing number, fiscal year, agent name, law firm). -#}

with

h2a_cases as (

    select * from {{ ref('int_h2a_cases') }}

),

h2a_master_rows as (

    select * from {{ ref('int_h2a_case_rows') }}
    where is_master_row

),

h2b_cases as (

    select * from {{ ref('int_h2b_cases') }}

),

filings as (

    select
        'h2a' as source,
        h2a_cases.case_number as filing_id,
        h2a_cases.fiscal_year,
        nullif(trim(h2a_master_rows.agent_attorney_name), '') as agent_name,
        nullif(trim(h2a_master_rows.lawfirm_name), '') as law_firm

    from h2a_cases
    inner join h2a_master_rows on h2a_cases.case_number = h2a_master_rows.case_number

    union all

    select
        'h2b' as source,
        case_number as filing_id,
        fiscal_year,
        nullif(trim(agent_attorney_name), '') as agent_name,
        nullif(trim(lawfirm_name), '') as law_firm

    from h2b_cases

),

keyed as (

    select
        *,
        {{ agent_name_key('agent_name') }} as agent_key

    from filings

),

final as (

    select
        source,
        filing_id,
        fiscal_year,
        agent_name,
        law_firm,
        agent_key,
        -- Stable across builds and engines: the same key always gives the same id.
        concat('A', upper(substr(md5(agent_key), 1, 12))) as agent_id

    from keyed
    where agent_key is not null

)

select * from final
