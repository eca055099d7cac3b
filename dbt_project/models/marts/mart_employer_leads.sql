{#- One row per employer with at least one lead signal, ranked: what its H-2A certifications,
    WHD cases, debarments and farm-labor-contractor certificates say together, a transparent score
    (the sum of the weights in ref_lead_weights of the signals it shows) and the reasons in plain
    words. Signals:
    - certified during a debarment: an H-2A certification decided between the start and end of an
      H-2A debarment of the employer (or after a permanent one); the same for an H-2B certification
      during an H-2B debarment (fct_h2b_certification);
    - certified after a debarment: decided after an H-2A debarment ended
      (a debarment published ending before it starts, has_inconsistent_dates, covers no day and
      gives neither of these two signals: macros/debarment_period.sql);
    - a labor contractor without a current FLC certificate: an H-2A labor-contractor filing with no
      MSPA certificate valid on its decision date (judged only where the registry, a list of current
      certificates, can tell); or one whose certificate lacks the housing or
      transportation authorization (H-2A employers must house and transport their workers);
    - supplied by a contractor with violations: a grower named in an H-2A labor contractor's filing
      (member row or Addendum B) whose contractor has WHD cases with violations;
    - its agent files for violators: an agent or attorney of its filings also files for at least
      var('agent_network_min_employers') other employers with WHD violations or debarments, and they
      are at least var('agent_network_min_flagged_share') of its other employers (bridge_filing_agent; the reason names up to three such agents, most such employers first);
    - WHD H-2A violations; repeat violator (cases with violations in two or more fiscal years);
      back wages over $100,000; civil money penalties;
    - trafficking-adjacent WHD findings: child labor (minors employed in violation), H-2B
      violations, flagged by WHD as a repeat FLSA violator; and hidden-work findings: any of these
      three in a hidden-work industry (ref_hidden_work_industries).
    An employer's hidden-work industry is the one most of its WHD cases and H-2A certifications
    coded in a hidden-work industry are coded in (null when none is).
    Not a weighted signal but said with the reasons: the emerging cells (mart_emerging_patterns,
    flagged in the latest year of their source) the employer belongs to - its state x sector, its
    hidden-work industry, the agents of its filings (emerging_cells). -#}

{#- How many signals signal_rows can give one employer (one row per signal it shows): the number of
    places of the pivot that puts an employer's signals in order (scores). -#}
{%- set signal_count = var('lead_signal_places') %}

with

employers as (

    select * from {{ ref('dim_employer') }}

),

certifications as (

    select * from {{ ref('fct_h2a_certification') }}
    where is_certified and employer_id is not null

),

whd_cases as (

    select * from {{ ref('fct_whd_case') }}
    where employer_id is not null

),

debarments as (

    select * from {{ ref('fct_case_outcome') }}
    where program = 'H-2A' and employer_id is not null

),

h2b_certifications as (

    select * from {{ ref('fct_h2b_certification') }}
    where is_certified and employer_id is not null

),

h2b_debarments as (

    select * from {{ ref('fct_case_outcome') }}
    where program = 'H-2B' and employer_id is not null

),

bridge as (

    select * from {{ ref('bridge_employer_record') }}

),

certificates as (

    select
        bridge.employer_id,
        contractors.certificate_number,
        contractors.certificate_start_date,
        contractors.certificate_valid_until_date,
        contractors.has_housing_authorization,
        contractors.has_transportation_authorization

    from {{ ref('stg_mspa__farm_labor_contractors') }} as contractors
    inner join bridge on bridge.source = 'mspa' and contractors.certificate_number = bridge.record_id

),

weights as (

    select * from {{ ref('ref_lead_weights') }}

),

hidden_work_industries as (

    select * from {{ ref('ref_hidden_work_industries') }}

),

-- Records coded in a hidden-work industry (codes by prefix; the seed's codes never overlap).
hidden_work_records as (

    select
        whd_cases.employer_id,
        hidden_work_industries.naics_code,
        hidden_work_industries.industry_label,
        hidden_work_industries.source_name
    from whd_cases
    inner join hidden_work_industries on whd_cases.naics_code like concat(hidden_work_industries.naics_code, '%')

    union all

    select
        certifications.employer_id,
        hidden_work_industries.naics_code,
        hidden_work_industries.industry_label,
        hidden_work_industries.source_name
    from certifications
    inner join hidden_work_industries
        on certifications.naics_code like concat(hidden_work_industries.naics_code, '%')

),

hidden_work_counts as (

    select
        employer_id,
        naics_code,
        industry_label,
        source_name,
        count(*) as records

    from hidden_work_records
    group by employer_id, naics_code, industry_label, source_name

),

hidden_work as (

    select
        employer_id,
        naics_code as hidden_work_naics_code,
        industry_label as hidden_work_industry,
        source_name as hidden_work_source

    from hidden_work_counts
    qualify row_number() over (partition by employer_id order by records desc, naics_code asc) = 1

),

-- The cells rising away from their history in the latest year that an employer is in.
emerging as (

    select * from {{ ref('mart_emerging_patterns') }}
    where is_latest_year and is_emerging

),

employer_agents as (

    select distinct
        employer_id,
        agent_id
    from {{ ref('bridge_filing_agent') }}
    where employer_id is not null

),

-- The cells an employer is in: its state x sector, its hidden-work industry, each agent of its filings.
employer_cells as (

    select
        employer_id,
        'state_sector' as scope_kind,
        {{ emerging_scope_columns(state_code='state_code', naics_sector='naics_sector') }}
    from employers

    union all

    select
        employer_id,
        'hidden_work_industry' as scope_kind,
        {{ emerging_scope_columns(hidden_work_code='hidden_work_naics_code') }}
    from hidden_work

    union all

    select
        employer_id,
        'filing_agent' as scope_kind,
        {{ emerging_scope_columns(agent_id='agent_id') }}
    from employer_agents

),

-- Compared null-safe: the place columns a cell's kind lacks are null on both sides (those it has are never
-- null in the emerging mart, so an employer without a state or sector is in no state x sector cell); its
-- region is its state's, so it is not compared.
emerging_memberships as (

    select distinct
        employer_cells.employer_id,
        emerging.pattern,
        emerging.fiscal_year
    from employer_cells
    inner join emerging
        on
            employer_cells.scope_kind = emerging.scope_kind
            and employer_cells.state_code is not distinct from emerging.state_code
            and employer_cells.naics_sector is not distinct from emerging.naics_sector
            and employer_cells.hidden_work_code is not distinct from emerging.hidden_work_code
            and employer_cells.agent_id is not distinct from emerging.agent_id

),

-- 'Child-labor violations in Texas, Construction (FY2025); ...'
employer_emerging as (

    select
        employer_id,
        {{ ordered_string_agg(
            "pattern || ' (FY' || cast(fiscal_year as " ~ dbt.type_string() ~ ") || ')'",
            "'; '",
            [['pattern', 'asc']]
        ) }} as emerging_cells

    from emerging_memberships
    group by employer_id

),

h2a_totals as (

    select
        employer_id,
        count(*) as h2a_certified_cases,
        sum(workers_certified) as h2a_workers_certified,
        max(fiscal_year) as h2a_latest_fiscal_year

    from certifications
    group by employer_id

),

h2a_latest as (

    select
        certifications.employer_id,
        sum(certifications.workers_certified) as h2a_workers_certified_latest_fiscal_year

    from certifications
    inner join h2a_totals
        on
            certifications.employer_id = h2a_totals.employer_id
            and certifications.fiscal_year = h2a_totals.h2a_latest_fiscal_year
    group by certifications.employer_id

),

whd_totals as (

    select
        employer_id,
        count(*) as whd_cases,
        sum(violations) as whd_violations,
        sum(h2a_violations) as h2a_violations,
        sum(back_wages) as back_wages,
        sum(employees_owed) as employees_owed,
        sum(civil_money_penalties) as civil_money_penalties,
        count(distinct fiscal_year) filter (where violations > 0) as fiscal_years_with_violations,
        max(fiscal_year) filter (where h2a_violations > 0) as latest_h2a_violation_fiscal_year,
        sum(coalesce(flsa_cl_violations, 0)) as child_labor_violations,
        sum(coalesce(flsa_child_labor_minors, 0)) as child_labor_minors,
        max(fiscal_year) filter (where flsa_cl_violations > 0) as latest_child_labor_fiscal_year,
        sum(coalesce(h2b_violations, 0)) as h2b_violations,
        sum(coalesce(h2b_back_wages, 0)) as h2b_back_wages,
        max(fiscal_year) filter (where h2b_violations > 0) as latest_h2b_violation_fiscal_year,
        count_if(is_flsa_repeat_violator) as flsa_repeat_violator_cases,
        max(fiscal_year) filter (where is_flsa_repeat_violator) as latest_flsa_repeat_violator_fiscal_year

    from whd_cases
    group by employer_id

),

-- Per employer, every certification decided during a debarment (counted once each) and the debarment
-- the latest one fell in: the reason counts them all, not only the largest.
during_debarment_cases as (

    select distinct
        certifications.employer_id,
        certifications.case_number,
        certifications.fiscal_year,
        certifications.decision_date,
        certifications.workers_certified,
        debarments.debarment_end_date,
        debarments.is_permanent

    from certifications
    inner join debarments
        on
            certifications.employer_id = debarments.employer_id
            and {{ debarment_in_force_on('certifications.decision_date', 'debarments') }}

),

during_debarment as (

    select
        employer_id,
        fiscal_year,
        debarment_end_date,
        is_permanent,
        count(*) over (partition by employer_id) as cases,
        sum(workers_certified) over (partition by employer_id) as workers_during_debarment,
        min(fiscal_year) over (partition by employer_id) as first_fiscal_year

    from during_debarment_cases
    qualify row_number() over (
        partition by employer_id
        order by decision_date desc, workers_certified desc, case_number asc
    ) = 1

),

-- Per employer and H-2B case, a certification decided while the employer was debarred from H-2B.
h2b_during_debarment_cases as (

    select
        h2b_certifications.employer_id,
        h2b_certifications.case_number,
        max(h2b_certifications.fiscal_year) as fiscal_year,
        max(h2b_certifications.workers_certified) as workers_certified,
        max(case when h2b_debarments.is_permanent then 1 else 0 end) = 1 as is_permanent,
        max(h2b_debarments.debarment_end_date) as debarment_end_date

    from h2b_certifications
    inner join h2b_debarments
        on
            h2b_certifications.employer_id = h2b_debarments.employer_id
            and {{ debarment_in_force_on('h2b_certifications.decision_date', 'h2b_debarments') }}
    group by h2b_certifications.employer_id, h2b_certifications.case_number

),

h2b_during_debarment as (

    select
        employer_id,
        count(*) as cases,
        sum(coalesce(workers_certified, 0)) as workers_certified,
        min(fiscal_year) as first_fiscal_year,
        max(fiscal_year) as fiscal_year,
        max(case when is_permanent then 1 else 0 end) = 1 as is_permanent,
        max(debarment_end_date) as debarment_end_date

    from h2b_during_debarment_cases
    group by employer_id

),

-- Per employer, the latest certification decided after an H-2A debarment ended.
after_debarment as (

    select
        certifications.employer_id,
        certifications.fiscal_year,
        certifications.workers_certified,
        debarments.debarment_end_date

    from certifications
    inner join debarments
        on
            certifications.employer_id = debarments.employer_id
            and {{ debarment_ended_before('certifications.decision_date', 'debarments') }}
    qualify row_number() over (
        partition by certifications.employer_id order by certifications.decision_date desc
    ) = 1

),

-- The registry lists current certificates only (no history): a filing is judged only from the
-- contractor's earliest listed certificate on, or, for a contractor not listed at all, from the
-- earliest certificate the registry lists (before that, a certificate since replaced may have covered it).
registry as (

    select min(certificate_start_date) as coverage_start_date
    from {{ ref('stg_mspa__farm_labor_contractors') }}

),

contractor_filings as (

    select
        certifications.employer_id,
        certifications.case_number,
        certifications.fiscal_year,
        certifications.decision_date >= coalesce(min(certificates.certificate_start_date), registry.coverage_start_date)
            as is_judged,
        coalesce(bool_or(
            certificates.certificate_start_date <= certifications.decision_date
            and certificates.certificate_valid_until_date >= certifications.decision_date
        ), false) as has_current_certificate,
        coalesce(bool_or(
            certificates.certificate_start_date <= certifications.decision_date
            and certificates.certificate_valid_until_date >= certifications.decision_date
            and certificates.has_housing_authorization
            and certificates.has_transportation_authorization
        ), false) as has_needed_authorizations

    from certifications
    cross join registry
    left join certificates on certifications.employer_id = certificates.employer_id
    where certifications.is_labor_contractor
    group by
        certifications.employer_id,
        certifications.case_number,
        certifications.fiscal_year,
        certifications.decision_date,
        registry.coverage_start_date

),

contractor_totals as (

    select
        employer_id,
        count(*) filter (where is_judged and not has_current_certificate) as filings_without_certificate,
        max(fiscal_year) filter (where is_judged and not has_current_certificate)
            as latest_fiscal_year_without_certificate,
        count(*) filter (where has_current_certificate and not has_needed_authorizations)
            as filings_missing_authorization

    from contractor_filings
    group by employer_id

),

-- Growers named in a labor contractor's filing, with the contractor that has the most violations.
supplied_growers as (

    select
        bridge.employer_id,
        contractor_filings.employer_id as contractor_employer_id,
        contractors.employer_name as contractor_name,
        contractor_filings.fiscal_year,
        whd_totals.whd_cases as contractor_whd_cases

    from bridge
    inner join contractor_filings on bridge.filing_record_id = contractor_filings.case_number
    inner join whd_totals on contractor_filings.employer_id = whd_totals.employer_id
    inner join employers as contractors on contractor_filings.employer_id = contractors.employer_id
    where
        bridge.source = 'h2a'
        and bridge.role <> 'employer'
        and bridge.employer_id <> contractor_filings.employer_id
        and whd_totals.whd_violations > 0
    qualify row_number() over (
        partition by bridge.employer_id
        order by
            whd_totals.whd_violations desc,
            contractor_filings.fiscal_year desc,
            contractor_filings.employer_id asc
    ) = 1

),

-- Each agent's employers (bridge_filing_agent) and whether they have WHD violations or debarments.
agent_employers as (

    select distinct
        agent_id,
        employer_id,
        employer_has_whd_violations or employer_has_debarments as is_flagged

    from {{ ref('bridge_filing_agent') }}
    where employer_id is not null

),

-- Each agent's employers and how many of them are flagged: an employer's "other employers" of the
-- agent are these less itself (counted here once per agent, not by pairing every two of its employers).
agent_totals as (

    select
        agent_id,
        count(*) as employers,
        count(case when is_flagged then 1 end) as flagged_employers

    from agent_employers
    group by agent_id

),

-- Per employer, each agent of its filings that files for at least var('agent_network_min_employers')
-- other employers with WHD violations or debarments, most such employers first.
agent_peers as (

    select
        filer.employer_id,
        filer.agent_id,
        agent_totals.flagged_employers - case when filer.is_flagged then 1 else 0 end as flagged_employers,
        agent_totals.employers - 1 as other_employers

    from agent_employers as filer
    inner join agent_totals on filer.agent_id = agent_totals.agent_id

),

agent_networks as (

    select
        employer_id,
        agent_id,
        flagged_employers,
        other_employers,
        row_number() over (
            partition by employer_id order by flagged_employers desc, agent_id asc
        ) as agent_rank,
        count(*) over (partition by employer_id) as agent_count

    from agent_peers
    -- A large agent with an ordinary violation rate among its employers is no signal: the flagged ones
    -- must also be at least var('agent_network_min_flagged_share') of its other employers.
    where
        other_employers > 0
        and flagged_employers >= {{ var('agent_network_min_employers') }}
        and flagged_employers >= {{ var('agent_network_min_flagged_share') }} * other_employers

),

-- Each agent as the reason names it: 'Name (law firm, agent_id)'.
named_agents as (

    select
        agent_networks.*,
        printf('%s (%s)', agents.agent_name, concat_ws(', ', agents.law_firm, agents.agent_id)) as agent_label

    from agent_networks
    inner join {{ ref('dim_filing_agent') }} as agents on agent_networks.agent_id = agents.agent_id

),

-- The first such agent, and the first three as a list: 'Name (law firm, agent_id) for N, ...'.
agent_leads as (

    select
        employer_id,
        max(agent_count) as agent_count,
        max(case when agent_rank = 1 then agent_id end) as agent_id,
        max(case when agent_rank = 1 then agent_label end) as agent_label,
        max(case when agent_rank = 1 then flagged_employers end) as flagged_employers,
        {{ ordered_string_agg(
            "printf('%s for %d', agent_label, flagged_employers)", "', '", [['agent_rank', 'asc']]
        ) }} as agents_named

    from named_agents
    where agent_rank <= 3
    group by employer_id

),

signals as (

    select
        employers.employer_id,
        employers.employer_name,
        employers.state_code,
        coalesce(h2a_totals.h2a_certified_cases, 0) as h2a_certified_cases,
        coalesce(h2a_totals.h2a_workers_certified, 0) as h2a_workers_certified,
        h2a_totals.h2a_latest_fiscal_year,
        coalesce(h2a_latest.h2a_workers_certified_latest_fiscal_year, 0) as h2a_workers_certified_latest_fiscal_year,
        coalesce(whd_totals.whd_cases, 0) as whd_cases,
        coalesce(whd_totals.whd_violations, 0) as whd_violations,
        coalesce(whd_totals.h2a_violations, 0) as h2a_violations,
        coalesce(whd_totals.back_wages, 0) as back_wages,
        coalesce(whd_totals.employees_owed, 0) as employees_owed,
        coalesce(whd_totals.civil_money_penalties, 0) as civil_money_penalties,
        coalesce(whd_totals.fiscal_years_with_violations, 0) as fiscal_years_with_violations,
        whd_totals.latest_h2a_violation_fiscal_year,
        coalesce(whd_totals.child_labor_violations, 0) as child_labor_violations,
        coalesce(whd_totals.child_labor_minors, 0) as child_labor_minors,
        whd_totals.latest_child_labor_fiscal_year,
        coalesce(whd_totals.h2b_violations, 0) as h2b_violations,
        coalesce(whd_totals.h2b_back_wages, 0) as h2b_back_wages,
        whd_totals.latest_h2b_violation_fiscal_year,
        coalesce(whd_totals.flsa_repeat_violator_cases, 0) as flsa_repeat_violator_cases,
        whd_totals.latest_flsa_repeat_violator_fiscal_year,
        hidden_work.hidden_work_naics_code,
        hidden_work.hidden_work_industry,
        hidden_work.hidden_work_source,
        during_debarment.employer_id is not null as is_certified_during_debarment,
        during_debarment.cases as cases_certified_during_debarment,
        during_debarment.fiscal_year as during_debarment_fiscal_year,
        during_debarment.first_fiscal_year as during_debarment_first_fiscal_year,
        during_debarment.workers_during_debarment as during_debarment_workers,
        during_debarment.debarment_end_date as during_debarment_end_date,
        during_debarment.is_permanent as during_permanent_debarment,
        h2b_during_debarment.employer_id is not null as is_h2b_certified_during_debarment,
        h2b_during_debarment.cases as h2b_cases_during_debarment,
        h2b_during_debarment.workers_certified as h2b_workers_during_debarment,
        h2b_during_debarment.first_fiscal_year as h2b_during_debarment_first_fiscal_year,
        h2b_during_debarment.fiscal_year as h2b_during_debarment_fiscal_year,
        h2b_during_debarment.is_permanent as h2b_during_permanent_debarment,
        h2b_during_debarment.debarment_end_date as h2b_during_debarment_end_date,
        after_debarment.employer_id is not null as is_certified_after_debarment,
        after_debarment.fiscal_year as after_debarment_fiscal_year,
        after_debarment.workers_certified as after_debarment_workers,
        after_debarment.debarment_end_date as after_debarment_end_date,
        coalesce(contractor_totals.filings_without_certificate, 0) > 0 as is_contractor_without_certificate,
        contractor_totals.filings_without_certificate,
        contractor_totals.latest_fiscal_year_without_certificate,
        coalesce(contractor_totals.filings_missing_authorization, 0) > 0 as is_contractor_missing_authorization,
        contractor_totals.filings_missing_authorization,
        supplied_growers.employer_id is not null as is_supplied_by_contractor_with_violations,
        supplied_growers.contractor_employer_id,
        supplied_growers.contractor_name,
        supplied_growers.fiscal_year as supplied_fiscal_year,
        supplied_growers.contractor_whd_cases,
        agent_leads.employer_id is not null as is_agent_files_for_violators,
        agent_leads.agent_id as filing_agent_id,
        agent_leads.agent_count as filing_agent_count,
        agent_leads.agent_label as filing_agent_label,
        agent_leads.flagged_employers as filing_agent_flagged_employers,
        agent_leads.agents_named as filing_agents_named

    from employers
    left join h2a_totals on employers.employer_id = h2a_totals.employer_id
    left join h2a_latest on employers.employer_id = h2a_latest.employer_id
    left join whd_totals on employers.employer_id = whd_totals.employer_id
    left join during_debarment on employers.employer_id = during_debarment.employer_id
    left join h2b_during_debarment on employers.employer_id = h2b_during_debarment.employer_id
    left join after_debarment on employers.employer_id = after_debarment.employer_id
    left join contractor_totals on employers.employer_id = contractor_totals.employer_id
    left join supplied_growers on employers.employer_id = supplied_growers.employer_id
    left join agent_leads on employers.employer_id = agent_leads.employer_id
    left join hidden_work on employers.employer_id = hidden_work.employer_id

),

-- One row per (employer, signal it shows), so that weights and reasons come from one place.
signal_rows as (

    select
        employer_id,
        'certified_during_debarment' as signal,
        concat(
            case
                when cases_certified_during_debarment = 1
                    then printf(
                        'certified for %d H-2A workers in FY%d',
                        during_debarment_workers, during_debarment_fiscal_year
                    )
                when during_debarment_first_fiscal_year = during_debarment_fiscal_year
                    then printf(
                        'certified %d times for %d H-2A workers in all in FY%d',
                        cases_certified_during_debarment, during_debarment_workers, during_debarment_fiscal_year
                    )
                else printf(
                    'certified %d times for %d H-2A workers in all in FY%d-FY%d',
                    cases_certified_during_debarment,
                    during_debarment_workers,
                    during_debarment_first_fiscal_year,
                    during_debarment_fiscal_year
                )
            end,
            ' while ',
            case
                when during_permanent_debarment then 'permanently debarred'
                else concat('debarred until ', cast(during_debarment_end_date as {{ dbt.type_string() }}))
            end
        ) as reason
    from signals
    where is_certified_during_debarment

    union all

    select
        employer_id,
        'h2b_certified_during_debarment' as signal,
        concat(
            case
                when h2b_cases_during_debarment = 1
                    then printf(
                        'certified for %d H-2B workers in FY%d',
                        h2b_workers_during_debarment, h2b_during_debarment_fiscal_year
                    )
                when h2b_during_debarment_first_fiscal_year = h2b_during_debarment_fiscal_year
                    then printf(
                        'certified %d times for %d H-2B workers in all in FY%d',
                        h2b_cases_during_debarment, h2b_workers_during_debarment, h2b_during_debarment_fiscal_year
                    )
                else printf(
                    'certified %d times for %d H-2B workers in all in FY%d-FY%d',
                    h2b_cases_during_debarment,
                    h2b_workers_during_debarment,
                    h2b_during_debarment_first_fiscal_year,
                    h2b_during_debarment_fiscal_year
                )
            end,
            ' while ',
            case
                when h2b_during_permanent_debarment then 'permanently debarred from H-2B'
                else concat('debarred from H-2B until ', cast(h2b_during_debarment_end_date as {{ dbt.type_string() }}))
            end
        ) as reason
    from signals
    where is_h2b_certified_during_debarment

    union all

    select
        employer_id,
        'certified_after_debarment' as signal,
        printf(
            'certified for %d H-2A workers in FY%d after an H-2A debarment that ended %s',
            after_debarment_workers,
            after_debarment_fiscal_year,
            cast(after_debarment_end_date as {{ dbt.type_string() }})
        ) as reason
    from signals
    where is_certified_after_debarment

    union all

    select
        employer_id,
        'contractor_without_certificate' as signal,
        printf(
            'filed %d H-2A labor contractor application(s) (latest FY%d) with no current MSPA '
            || 'farm labor contractor certificate',
            filings_without_certificate, latest_fiscal_year_without_certificate
        ) as reason
    from signals
    where is_contractor_without_certificate

    union all

    select
        employer_id,
        'contractor_missing_authorization' as signal,
        printf(
            'H-2A labor contractor whose MSPA certificate lacks the housing or transportation '
            || 'authorization (%d filing(s))',
            filings_missing_authorization
        ) as reason
    from signals
    where is_contractor_missing_authorization

    union all

    select
        employer_id,
        'supplied_by_contractor_with_violations' as signal,
        printf(
            'supplied with H-2A workers in FY%d by labor contractor %s (%s), which has %d WHD case(s) with violations',
            supplied_fiscal_year, contractor_name, contractor_employer_id, contractor_whd_cases
        ) as reason
    from signals
    where is_supplied_by_contractor_with_violations

    union all

    select
        employer_id,
        'agent_files_for_violators' as signal,
        case
            when filing_agent_count = 1
                then printf(
                    'its agent %s also files for %d other employers with WHD violations or debarments',
                    filing_agent_label, filing_agent_flagged_employers
                )
            else concat(
                printf(
                    '%d of its agents also file for other employers with WHD violations or debarments: ',
                    filing_agent_count
                ),
                filing_agents_named,
                case when filing_agent_count > 3 then printf(' and %d more', filing_agent_count - 3) else '' end
            )
        end as reason
    from signals
    where is_agent_files_for_violators

    union all

    select
        employer_id,
        'h2a_violations' as signal,
        printf('WHD found %d H-2A violation(s) (latest FY%d)', h2a_violations, latest_h2a_violation_fiscal_year)
            as reason
    from signals
    where h2a_violations > 0

    union all

    select
        employer_id,
        'repeat_violator' as signal,
        printf('WHD cases with violations in %d fiscal years', fiscal_years_with_violations) as reason
    from signals
    where fiscal_years_with_violations >= 2

    union all

    select
        employer_id,
        'back_wages_over_100k' as signal,
        printf('$%s in back wages owed to %d employees', {{ format_thousands('back_wages') }}, employees_owed) as reason
    from signals
    where back_wages > 100000

    union all

    select
        employer_id,
        'civil_money_penalties' as signal,
        printf('$%s in civil money penalties', {{ format_thousands('civil_money_penalties') }}) as reason
    from signals
    where civil_money_penalties > 0

    union all

    select
        employer_id,
        'child_labor' as signal,
        printf(
            'WHD found %d child labor violation(s) involving %d minor(s) (latest FY%d)',
            child_labor_violations, child_labor_minors, latest_child_labor_fiscal_year
        ) as reason
    from signals
    where child_labor_violations > 0

    union all

    select
        employer_id,
        'h2b_violations' as signal,
        printf(
            'WHD found %d H-2B violation(s) with $%s in H-2B back wages (latest FY%d)',
            h2b_violations, {{ format_thousands('h2b_back_wages') }}, latest_h2b_violation_fiscal_year
        ) as reason
    from signals
    where h2b_violations > 0

    union all

    select
        employer_id,
        'flagged_repeat_flsa_violator' as signal,
        printf(
            'WHD flagged it a repeat FLSA violator in %d case(s) (latest FY%d)',
            flsa_repeat_violator_cases, latest_flsa_repeat_violator_fiscal_year
        ) as reason
    from signals
    where flsa_repeat_violator_cases > 0

    union all

    select
        employer_id,
        'hidden_work_findings' as signal,
        printf(
            'in a hidden-work industry: %s (source: %s)',
            hidden_work_industry, hidden_work_source
        ) as reason
    from signals
    where
        hidden_work_industry is not null
        and (child_labor_violations > 0 or h2b_violations > 0 or flsa_repeat_violator_cases > 0)

),

-- The order of an employer's signals (and their reasons): heaviest first, then by name; the same for all.
signal_places as (

    select
        signal,
        weight,
        row_number() over (order by weight desc, signal asc) as place

    from weights

),

-- Each employer's signals pivoted into their places, then joined in order. Not an aggregate with an ORDER
-- BY: DuckDB holds such a state per employer outside its memory limit (at scale 10, 558,000 employers with
-- leads took 1.3 GB more than the 2 GB limit and the build failed).
signal_pivot as (

    select
        signal_rows.employer_id,
        sum(signal_places.weight) as score,
        {{ pivot_places('signal_rows.reason', 'signal_places.place', signal_count, 'reason') }},
        {{ pivot_places('signal_rows.signal', 'signal_places.place', signal_count, 'signal') }}

    from signal_rows
    inner join signal_places on signal_rows.signal = signal_places.signal
    group by signal_rows.employer_id

),

scores as (

    select
        employer_id,
        score,
        concat_ws('; ', {{ place_columns('reason', signal_count) }}) as reasons,
        {{ present_values(place_columns('signal', signal_count)) }} as signals

    from signal_pivot

),

-- The rank over all leads on the three columns it reads only (a window without partitions holds every row it
-- carries in one place: not the wide rows of final). Back wages to the cent, as published: a sum of doubles
-- differs in its last bits with the order threads add it in, which must not swap two leads' ranks.
ranks as (

    select
        scores.employer_id,
        rank() over (
            order by scores.score desc, signals.h2a_workers_certified desc, round(signals.back_wages, 2) desc
        ) as lead_rank

    from scores
    inner join signals on scores.employer_id = signals.employer_id
    inner join employers on scores.employer_id = employers.employer_id

),

final as (

    select
        ranks.lead_rank,
        signals.employer_id,
        signals.employer_name,
        signals.state_code,
        employers.city,
        employers.naics_sector,
        scores.score,
        scores.reasons || coalesce('; in a rising pattern: ' || employer_emerging.emerging_cells, '') as reasons,
        scores.signals,
        employer_emerging.emerging_cells,
        signals.h2a_certified_cases,
        signals.h2a_workers_certified,
        signals.h2a_latest_fiscal_year,
        signals.h2a_workers_certified_latest_fiscal_year,
        signals.whd_cases,
        signals.whd_violations,
        signals.h2a_violations,
        round(signals.back_wages, 2) as back_wages,
        signals.employees_owed,
        round(signals.civil_money_penalties, 2) as civil_money_penalties,
        signals.fiscal_years_with_violations >= 2 as is_repeat_violator,
        signals.is_certified_during_debarment,
        coalesce(signals.cases_certified_during_debarment, 0) as cases_certified_during_debarment,
        signals.is_h2b_certified_during_debarment,
        coalesce(signals.h2b_cases_during_debarment, 0) as h2b_cases_certified_during_debarment,
        signals.is_certified_after_debarment,
        signals.is_contractor_without_certificate,
        signals.is_contractor_missing_authorization,
        signals.is_supplied_by_contractor_with_violations,
        signals.contractor_employer_id as supplying_contractor_employer_id,
        signals.is_agent_files_for_violators,
        signals.filing_agent_id,
        signals.hidden_work_naics_code,
        signals.hidden_work_industry,
        signals.child_labor_violations,
        signals.child_labor_minors,
        signals.h2b_violations,
        round(signals.h2b_back_wages, 2) as h2b_back_wages,
        signals.flsa_repeat_violator_cases > 0 as is_flagged_repeat_flsa_violator

    from scores
    inner join ranks on scores.employer_id = ranks.employer_id
    inner join signals on scores.employer_id = signals.employer_id
    inner join employers on scores.employer_id = employers.employer_id
    left join employer_emerging on scores.employer_id = employer_emerging.employer_id

)

select * from final
{{ stored_order(['state_code', 'lead_rank']) }}
