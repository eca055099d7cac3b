{#- One row per filing that names an agent or attorney (int_filing_agents): the filing, its
    employer (employer linkage: the filing employer's record in bridge_employer_record), the agent
    (dim_filing_agent) and whether that employer has WHD cases with violations or debarments - said
    here once for dim_filing_agent and the leads. -#}

with

filings as (

    select * from {{ ref('int_filing_agents') }}

),

employer_records as (

    select * from {{ ref('bridge_employer_record') }}

),

violators as (

    select distinct employer_id
    from {{ ref('fct_whd_case') }}
    where violations > 0 and employer_id is not null

),

debarred as (

    select distinct employer_id
    from {{ ref('fct_case_outcome') }}
    where employer_id is not null

),

final as (

    select
        filings.source,
        filings.filing_id,
        filings.fiscal_year,
        employer_records.employer_id,
        filings.agent_id,
        filings.agent_name as agent_name_as_published,
        filings.law_firm as law_firm_as_published,
        violators.employer_id is not null as employer_has_whd_violations,
        debarred.employer_id is not null as employer_has_debarments

    from filings
    left join employer_records
        on filings.source = employer_records.source and filings.filing_id = employer_records.record_id
    left join violators on employer_records.employer_id = violators.employer_id
    left join debarred on employer_records.employer_id = debarred.employer_id

)

select * from final
