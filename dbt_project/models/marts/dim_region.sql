{#- One row per US state, DC or territory, with its DOL and WHD regions. -#}

with

states as (

    select * from {{ ref('ref_states') }}

),

final as (

    select
        state_code,
        state_name,
        state_fips,
        state_fips || '000' as qcew_area_fips,
        dol_region_number,
        dol_region,
        whd_region,
        is_state

    from states

)

select * from final
