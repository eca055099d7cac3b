with

cases as (

    select * from {{ ref('stg_whd__compliance_actions') }}

),

states as (

    select * from {{ ref('ref_states') }}

),

dated as (

    select
        *,
        -- Findings dates outside [1980, today] are data-entry errors (e.g. 3021-05-01).
        case
            when findings_end_date between cast('{{ var("earliest_valid_date") }}' as date) and current_date
                then findings_end_date
        end as valid_findings_end_date

    from cases

),

final as (

    select
        dated.case_id,
        dated.employer_trade_name,
        dated.employer_legal_name,
        dated.employer_street_address,
        dated.employer_city,
        dated.employer_state_code as state_code,
        states.state_code is not null as is_known_state,
        states.dol_region,
        states.whd_region,
        dated.employer_zip_code,
        dated.naics_code,
        {{ naics_sector('dated.naics_code') }} as naics_sector,
        dated.findings_start_date,
        dated.findings_end_date,
        {{ fiscal_year('dated.valid_findings_end_date') }} as fiscal_year,
        coalesce(dated.violations, 0) as violations,
        coalesce(dated.back_wages, 0) as back_wages,
        coalesce(dated.employees_owed, 0) as employees_owed,
        coalesce(dated.employees_in_violation, 0) as employees_in_violation,
        coalesce(dated.civil_money_penalties, 0) as civil_money_penalties,
        coalesce(dated.flsa_violations, 0) as flsa_violations,
        coalesce(dated.flsa_back_wages, 0) as flsa_back_wages,
        coalesce(dated.h2a_violations, 0) as h2a_violations,
        coalesce(dated.h2a_back_wages, 0) as h2a_back_wages,
        coalesce(dated.h2a_employees_owed, 0) as h2a_employees_owed,
        coalesce(dated.h2a_civil_money_penalties, 0) as h2a_civil_money_penalties,
        coalesce(dated.mspa_violations, 0) as mspa_violations,
        coalesce(dated.mspa_back_wages, 0) as mspa_back_wages,
        coalesce(dated.mspa_civil_money_penalties, 0) as mspa_civil_money_penalties,
        coalesce(dated.flsa_cl_violations, 0) as child_labor_violations,
        coalesce(dated.flsa_child_labor_minors, 0) as child_labor_minors,
        coalesce(dated.h2b_violations, 0) as h2b_violations,
        coalesce(dated.h2b_back_wages, 0) as h2b_back_wages,
        coalesce(dated.h2a_violations, 0) > 0 as has_h2a_violations,
        coalesce(dated.mspa_violations, 0) > 0 as has_mspa_violations,
        dated.flsa_repeat_violator_code is not null as is_flagged_repeat_or_willful,
        coalesce(dated.flsa_repeat_violator_code in ('R', 'RW'), false) as is_flsa_repeat_violator,
        dated.source_file,
        dated.source_sha256

    from dated
    left join states on dated.employer_state_code = states.state_code

)

select * from final
