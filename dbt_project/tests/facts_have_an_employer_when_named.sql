{{ config(meta={'dagster': {'ref': {'name': 'fct_h2a_certification'}}}) }}

-- A fact without an employer_id is one that names no employer (int_employer_records leaves such
-- records out): every record with a name has its employer.
select
    'h2a' as source,
    case_number as record_id
from {{ ref('fct_h2a_certification') }}
where employer_id is null and {{ text_key('employer_name') }} is not null

union all

select
    'h2b' as source,
    case_number as record_id
from {{ ref('fct_h2b_certification') }}
where employer_id is null and {{ text_key('employer_name') }} is not null

union all

select
    'whd' as source,
    cast(case_id as {{ dbt.type_string() }}) as record_id
from {{ ref('fct_whd_case') }}
where employer_id is null and {{ text_key('coalesce(employer_legal_name, employer_trade_name)') }} is not null

union all

select
    'outcome' as source,
    outcome_id as record_id
from {{ ref('fct_case_outcome') }}
where employer_id is null and {{ text_key('entity_name') }} is not null
