{#- One row per agent or attorney who files for employers (bridge_filing_agent): the name and law
    firm its filings use most, how many filings and employers, the years it filed in, and how many
    of its employers have WHD cases with violations or debarments. -#}

with

filings as (

    select * from {{ ref('bridge_filing_agent') }}

),

-- The spelling its filings use most, then most recently, then alphabetically.
ranked_names as (

    select
        agent_id,
        agent_name_as_published as agent_name,
        row_number() over (
            partition by agent_id
            order by count(*) desc, max(fiscal_year) desc, agent_name_as_published asc
        ) as name_rank

    from filings
    group by agent_id, agent_name_as_published

),

ranked_firms as (

    select
        agent_id,
        law_firm_as_published as law_firm,
        row_number() over (
            partition by agent_id
            order by count(*) desc, max(fiscal_year) desc, law_firm_as_published asc
        ) as firm_rank

    from filings
    where law_firm_as_published is not null
    group by agent_id, law_firm_as_published

),

counts as (

    select
        agent_id,
        count(*) as filings,
        count(distinct employer_id) as employers,
        count(distinct employer_id) filter (where employer_has_whd_violations) as employers_with_whd_violations,
        count(distinct employer_id) filter (where employer_has_debarments) as employers_with_debarments,
        count(distinct employer_id) filter (
            where employer_has_whd_violations or employer_has_debarments
        ) as employers_with_violations_or_debarments,
        {{ sorted_distinct_list('agent_name_as_published') }} as name_variants,
        count(distinct law_firm_as_published) as law_firm_variant_count,
        {{ sorted_distinct_list('source') }} as sources,
        min(fiscal_year) as first_fiscal_year,
        max(fiscal_year) as last_fiscal_year

    from filings
    group by agent_id

),

final as (

    select
        counts.agent_id,
        ranked_names.agent_name,
        ranked_firms.law_firm,
        counts.name_variants,
        counts.law_firm_variant_count,
        counts.sources,
        counts.filings,
        counts.employers,
        counts.first_fiscal_year,
        counts.last_fiscal_year,
        counts.employers_with_whd_violations,
        counts.employers_with_debarments,
        counts.employers_with_violations_or_debarments

    from counts
    inner join ranked_names on counts.agent_id = ranked_names.agent_id and ranked_names.name_rank = 1
    left join ranked_firms on counts.agent_id = ranked_firms.agent_id and ranked_firms.firm_rank = 1

)

select * from final
