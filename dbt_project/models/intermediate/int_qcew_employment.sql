{#- Annual average covered employment (QCEW) per geography x NAICS sector x calendar year, the
    denominator of every rate. Sector employment sums the ownership rows; if any of them is
    suppressed (disclosure N) the total is unknown: NULL, never zero. `naics_sector` = 'all' is
    all industries. -#}

with

qcew as (

    select * from {{ ref('stg_qcew__annual_employment') }}

),

states as (

    select * from {{ ref('ref_states') }}

),

levels as (

    select
        case when qcew.area_fips = 'US000' then 'nation' else 'state' end as geo_level,
        states.state_code,
        case when qcew.industry_code = '10' then 'all' else qcew.industry_code end as naics_sector,
        qcew.calendar_year,
        qcew.ownership_code,
        qcew.employment,
        qcew.establishments,
        qcew.is_suppressed

    from qcew
    left join states on qcew.area_fips = states.state_fips || '000'
    -- 10/50: all industries, all owners; 14/54: NAICS sector by ownership.
    where qcew.aggregation_level_code in ('10', '14', '50', '54')

),

final as (

    select
        geo_level,
        state_code,
        naics_sector,
        calendar_year,
        case when bool_or(is_suppressed) then null else sum(employment) end as employment,
        sum(establishments) as establishments,
        bool_or(is_suppressed) as is_suppressed,
        count(*) as ownership_rows

    from levels
    where geo_level = 'nation' or state_code is not null
    group by geo_level, state_code, naics_sector, calendar_year

)

select * from final
