{#- One row per case outcome published outside WHD's case file: OFLC program debarments (current
    list, PERM / H-2A / H-2B) and expired H-2A debarments. WHD's own per-case outcomes (back wages
    agreed, civil money penalties) are in fct_whd_case. No public machine-readable list of federal
    forced-labor prosecutions (18 U.S.C. 1589/1590) exists; see docs/data-sources.md. -#}

with

outcomes as (

    select * from {{ ref('int_case_outcomes') }}

),

employers as (

    select * from {{ ref('bridge_employer_record') }}
    where source in ('debarment', 'expired_debarment')

),

final as (

    select
        outcomes.outcome_id,
        employers.employer_id,
        outcomes.outcome_type,
        outcomes.program,
        outcomes.entity_name,
        outcomes.entity_type,
        outcomes.is_marked_asterisk,
        outcomes.city,
        outcomes.state_code,
        outcomes.violation,
        outcomes.is_whd_debarment,
        outcomes.cfr_citation,
        outcomes.duration_months,
        outcomes.debarment_start_date,
        outcomes.debarment_end_date,
        outcomes.is_permanent,
        outcomes.has_inconsistent_dates,
        outcomes.fiscal_year

    from outcomes
    left join employers
        on outcomes.record_source = employers.source and outcomes.outcome_id = employers.record_id

)

select * from final
