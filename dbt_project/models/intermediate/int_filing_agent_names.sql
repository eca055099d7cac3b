{#- One row per filing that names an agent or attorney (agent_name_key not null): the filing, its
    fiscal year, the agent's name, law firm, city, state and e-mail as published, and the keys the
    agent linkage compares (int_filing_agent_links): the name key, its words sorted, the e-mail
    case-folded, the state code and the firm's key. H-2A takes the agent of the case's master row
    (int_h2a_case_rows), H-2B the agent of the case (int_h2b_cases). Another program's filings join by
    one more `union all` branch in `filings` with the same columns. -#}

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
        nullif(trim(h2a_master_rows.lawfirm_name), '') as law_firm,
        nullif(trim(h2a_master_rows.agent_city), '') as agent_city,
        nullif(trim(h2a_master_rows.agent_state), '') as agent_state,
        nullif(trim(h2a_master_rows.agent_email), '') as agent_email

    from h2a_cases
    inner join h2a_master_rows on h2a_cases.case_number = h2a_master_rows.case_number

    union all

    select
        'h2b' as source,
        case_number as filing_id,
        fiscal_year,
        nullif(trim(agent_attorney_name), '') as agent_name,
        nullif(trim(lawfirm_name), '') as law_firm,
        nullif(trim(agent_city), '') as agent_city,
        nullif(trim(agent_state), '') as agent_state,
        nullif(trim(agent_email), '') as agent_email

    from h2b_cases

),

keyed as (

    select
        *,
        {{ agent_name_key('agent_name') }} as agent_key,
        {{ agent_name_key('law_firm') }} as law_firm_key,
        -- An address only when it looks like one ('N/A' and blanks are no evidence).
        case
            when {{ matches_regex('agent_email', '^[^@ ]+@[^@ ]+[.][^@ ]+$') }} then lower(agent_email)
        end as agent_email_key,
        case when {{ matches_regex('upper(agent_state)', '^[A-Z]{2}$') }} then upper(agent_state) end
            as agent_state_code

    from filings

),

final as (

    select
        source,
        filing_id,
        fiscal_year,
        agent_name,
        law_firm,
        agent_city,
        agent_state,
        agent_email,
        agent_key,
        {{ sorted_words('agent_key') }} as agent_word_key,
        agent_email_key,
        agent_state_code,
        law_firm_key

    from keyed
    where agent_key is not null

)

select * from final
