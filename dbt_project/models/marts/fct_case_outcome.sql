{#- One row per case outcome published outside WHD's case file: OFLC program debarments (current
    list, PERM / H-2A / H-2B) and expired H-2A debarments. WHD's own per-case outcomes (back wages
    agreed, civil money penalties) are in fct_whd_case. No public machine-readable list of federal
    forced-labor prosecutions (18 U.S.C. 1589/1590) exists; see docs/data-sources.md. -#}

with

program_debarments as (

    select * from {{ ref('stg_debarment__program_debarments') }}

),

expired_debarments as (

    select * from {{ ref('stg_debarment__expired_h2a_debarments') }}

),

employers as (

    select * from {{ ref('bridge_employer_record') }}
    where source in ('debarment', 'expired_debarment')

),

outcomes as (

    select
        'debarment' as record_source,
        program || '|' || entity_name || '|' || cast(debarment_start_date as varchar) as outcome_id,
        'program debarment' as outcome_type,
        program,
        entity_name,
        entity_type,
        is_marked_asterisk,
        city,
        state_code,
        violation,
        cfr_citation,
        null as duration_months,
        debarment_start_date,
        debarment_end_date,
        is_permanent

    from program_debarments

    union all

    select
        'expired_debarment' as record_source,
        entity_name || '|' || cast(debarment_start_date as varchar) || '|' || violation || '|' || duration_text
            as outcome_id,
        'expired debarment' as outcome_type,
        program,
        entity_name,
        null as entity_type,
        is_marked_asterisk,
        city,
        state_code,
        violation,
        null as cfr_citation,
        duration_months,
        debarment_start_date,
        debarment_end_date,
        false as is_permanent

    from expired_debarments

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
        outcomes.violation ilike '%WHD%' or outcomes.is_marked_asterisk as is_whd_debarment,
        outcomes.cfr_citation,
        outcomes.duration_months,
        outcomes.debarment_start_date,
        outcomes.debarment_end_date,
        outcomes.is_permanent,
        {{ fiscal_year('outcomes.debarment_start_date') }} as fiscal_year

    from outcomes
    left join employers
        on outcomes.record_source = employers.source and outcomes.outcome_id = employers.record_id

)

select * from final
