with

whd_cases as (

    select * from {{ ref('int_whd_cases') }}

),

sectors as (

    select * from {{ ref('ref_naics_sectors') }}

),

whd_by_sector_year as (

    select
        naics_sector,
        fiscal_year,
        count(*) as whd_cases,
        sum(violations) as violations,
        sum(back_wages) as back_wages,
        sum(employees_owed) as employees_owed,
        sum(civil_money_penalties) as civil_money_penalties,
        count_if(has_h2a_violations) as whd_h2a_violation_cases

    from whd_cases
    where fiscal_year is not null and naics_sector is not null
    group by naics_sector, fiscal_year

),

final as (

    select
        whd_by_sector_year.naics_sector,
        sectors.sector_title,
        whd_by_sector_year.fiscal_year,
        whd_by_sector_year.whd_cases,
        whd_by_sector_year.violations,
        whd_by_sector_year.back_wages,
        whd_by_sector_year.employees_owed,
        whd_by_sector_year.civil_money_penalties,
        whd_by_sector_year.whd_h2a_violation_cases

    from whd_by_sector_year
    left join sectors on whd_by_sector_year.naics_sector = sectors.naics_sector

)

select * from final
