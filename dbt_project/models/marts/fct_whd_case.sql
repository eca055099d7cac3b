{#- One row per concluded WHD case: keys to industry, region and fiscal year, the employer as
    published and its employer_id (from linkage), totals, and every per-act measure (violations, back wages,
    employees owed, civil money penalties for FLSA, H-2A, MSPA, ... as WHD publishes them). -#}

with

cases as (

    select * from {{ ref('int_whd_cases') }}

),

published as (

    select * from {{ ref('stg_whd__compliance_actions') }}

),

employers as (

    select * from {{ ref('bridge_employer_record') }}
    where source = 'whd'

),

final as (

    select
        cases.case_id,
        employers.employer_id,
        cases.fiscal_year,
        cases.naics_code,
        cases.naics_sector,
        cases.naics_sector is not null as has_naics_sector,
        cases.state_code,
        cases.dol_region,
        cases.whd_region,
        cases.employer_trade_name,
        cases.employer_legal_name,
        cases.employer_street_address,
        cases.employer_city,
        cases.employer_zip_code,
        cases.findings_start_date,
        cases.findings_end_date,
        cases.violations,
        cases.back_wages,
        cases.employees_owed,
        cases.employees_in_violation,
        cases.civil_money_penalties,
        cases.has_h2a_violations,
        cases.has_mspa_violations,
        cases.is_flagged_repeat_or_willful,
        cases.is_flsa_repeat_violator,
        -- The per-act columns, as staged; the names excluded are already listed above.
        -- noqa: disable=RF02
        {{ star_without('published', [
            'case_id',
            'employer_trade_name',
            'employer_legal_name',
            'employer_street_address',
            'employer_city',
            'employer_state_code',
            'employer_zip_code',
            'naics_code',
            'findings_start_date',
            'findings_end_date',
            'violations',
            'back_wages',
            'employees_owed',
            'employees_in_violation',
            'civil_money_penalties',
        ]) }}  -- noqa: enable=RF02

    from cases
    inner join published on cases.case_id = published.case_id
    left join employers on cast(cases.case_id as {{ dbt.type_string() }}) = employers.record_id

)

select * from final
