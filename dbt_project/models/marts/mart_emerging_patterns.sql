{#- What is rising away from its own history (issue 29; method and literature: docs/emerging.md). One
    row per fiscal year x cell x measure evaluated: every count measure (emerging_count_measures()) of
    the nation, each DOL region, state, NAICS sector, state x sector and hidden-work industry, and the
    filing agents' filings and employers (emerging_agent_measures()), in each complete year of the
    measure's source that has a trailing baseline of at least emerging_min_baseline_years complete
    years among the emerging_baseline_years before it (a year its source has not published, or
    published in part, is skipped: never a 0). The baseline mean is the expectation; its variance over
    the mean is the quasi-Poisson overdispersion (at least 1); the p-value is Farrington's one-sided
    exceedance on the 2/3-power scale (macros/emerging.sql). A cell is tested when it has at least
    emerging_min_count in the year; the q-values are Benjamini-Hochberg's over the cells tested in that
    fiscal year; a tested cell is flagged when q <= emerging_fdr and it is above every baseline year.
    The 'unknown' state and sector members are not cells (a rise there is about the data's coding);
    cells with nothing in the year and in the baseline are left out. Cells come from the marts that
    already count them (national and sector: mart_trends; region and state: mart_region_year;
    state x sector: int_enforcement_cells; hidden-work industries: mart_hidden_work_year summed over
    states; agents: bridge_filing_agent), never recounted. -#}

{%- set counts = emerging_count_measures() %}
{%- set hidden_work_counts = emerging_count_measures(['whd', 'h2a', 'h2b']) %}
{%- set agent_measures = "'" ~ (emerging_agent_measures() | map(attribute='name') | join("', '")) ~ "'" %}
{%- set baseline_span = var('emerging_baseline_years') %}

with

cells as (

    select * from {{ ref('int_enforcement_cells') }}
    where state_code != 'unknown' and naics_sector != 'unknown'

),

trends as (

    select * from {{ ref('mart_trends') }}
    where scope != 'unknown'

),

region_years as (

    select * from {{ ref('mart_region_year') }}
    where geo_code != 'unknown'

),

hidden_work_years as (

    select * from {{ ref('mart_hidden_work_year') }}

),

agent_filings as (

    select * from {{ ref('bridge_filing_agent') }}

),

agents as (

    select * from {{ ref('dim_filing_agent') }}

),

source_years as (

    select * from {{ ref('int_source_fiscal_years') }}

),

states as (

    select * from {{ ref('ref_states') }}

),

sectors as (

    select * from {{ ref('ref_naics_sectors') }}

),

wording as (

    select
        wording.measure,
        wording.source,
        wording.measure_label,
        wording.related_measure,
        wording.related_label
    from (values {{ emerging_wording_rows() }}) as wording (
        measure, source, measure_label, related_measure, related_label
    )

),

-- The cells' values, one row per scope x fiscal year x measure (a year the source has not published: null).
national_and_sector_values as (

    select
        case when trends.scope = 'national' then 'national' else 'sector' end as scope_kind,
        {{ emerging_scope_columns(naics_sector="case when trends.scope != 'national' then trends.scope end") }},
        case when trends.scope = 'national' then 'the nation' else sectors.sector_title end as scope_label,
        trends.fiscal_year,
        trends.measure,
        trends.value

    from trends
    left join sectors on trends.scope = sectors.naics_sector
    where trends.measure in ('{{ counts | join("', '") }}')

),

-- Regions, states, state x sector and hidden-work industries: one column per measure (all_values unpivots them).
region_and_state_wide as (

    select
        case when geo_level = 'state' then 'state' else 'region' end as scope_kind,
        {{ emerging_scope_columns(state_code='state_code', region='dol_region') }},
        geo_name as scope_label,
        fiscal_year,
        {{ counts | join(', ') }}

    from region_years

),

state_sector_wide as (

    select
        'state_sector' as scope_kind,
        {{ emerging_scope_columns(
            state_code='cells.state_code', region='states.dol_region', naics_sector='cells.naics_sector'
        ) }},
        states.state_name || ', ' || coalesce(sectors.sector_title, cells.naics_sector) as scope_label,
        cells.fiscal_year,
        {{ counts | join(', ') }}

    from cells
    inner join states on cells.state_code = states.state_code
    left join sectors on cells.naics_sector = sectors.naics_sector

),

hidden_work_wide as (

    select
        'hidden_work_industry' as scope_kind,
        {{ emerging_scope_columns(hidden_work_code='hidden_work_years.hidden_work_naics_code') }},
        any_value(hidden_work_years.industry_label) as scope_label,
        hidden_work_years.fiscal_year,
        {{ sum_measures(names=hidden_work_counts) }}

    from hidden_work_years
    group by hidden_work_years.hidden_work_naics_code, hidden_work_years.fiscal_year

),

-- An agent's measures in each year its source's files name agents at all (a year without any agent
-- named is not published, not 0); 0 in such a year when the agent filed nothing.
agent_years as (

    select distinct
        source,
        fiscal_year
    from agent_filings
    where fiscal_year is not null

),

agent_sources as (

    select distinct
        agent_id,
        source
    from agent_filings

),

agent_counts as (

    {% for m in emerging_agent_measures() %}
    select
        agent_id,
        fiscal_year,
        '{{ m.name }}' as measure,
        {{ m.aggregate }} as value
    from agent_filings
    where source = '{{ m.source }}'
    group by agent_id, fiscal_year
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

agent_values as (

    select
        'filing_agent' as scope_kind,
        {{ emerging_scope_columns(agent_id='agent_sources.agent_id') }},
        'filing agent ' || agents.agent_name as scope_label,
        agent_years.fiscal_year,
        wording.measure,
        cast(coalesce(agent_counts.value, 0) as double) as value

    from agent_sources
    inner join agents on agent_sources.agent_id = agents.agent_id
    inner join agent_years on agent_sources.source = agent_years.source
    inner join wording
        on
            agent_sources.source = wording.source
            and wording.measure in ({{ agent_measures }})
    left join agent_counts
        on
            agent_sources.agent_id = agent_counts.agent_id
            and agent_years.fiscal_year = agent_counts.fiscal_year
            and wording.measure = agent_counts.measure

),

all_values as (

    select * from national_and_sector_values
    union all
    {{ emerging_unpivot('region_and_state_wide', counts) }}
    union all
    {{ emerging_unpivot('state_sector_wide', counts) }}
    union all
    {{ emerging_unpivot('hidden_work_wide', hidden_work_counts) }}
    union all
    select * from agent_values

),

-- Only complete years of the measure's source, with a value: the baseline skips the others.
complete_values as (

    select
        all_values.*,
        wording.source,
        all_values.scope_kind
        || '|' || coalesce(all_values.state_code, '')
        || '|' || coalesce(all_values.naics_sector, '')
        || '|' || coalesce(all_values.region, '')
        || '|' || coalesce(all_values.hidden_work_code, '')
        || '|' || coalesce(all_values.agent_id, '') as cell_key

    from all_values
    inner join wording on all_values.measure = wording.measure
    inner join source_years
        on wording.source = source_years.source and all_values.fiscal_year = source_years.fiscal_year
    where source_years.is_complete and all_values.value is not null

),

baselines as (

    select
        *,
        count(value) over baseline as baseline_years,
        avg(value) over baseline as expected,
        var_samp(value) over baseline as baseline_variance,
        min(fiscal_year) over baseline as baseline_first_year,
        max(fiscal_year) over baseline as baseline_last_year,
        min(value) over baseline as baseline_min,
        max(value) over baseline as baseline_max

    from complete_values
    window baseline as (
        partition by cell_key, measure order by fiscal_year
        range between {{ baseline_span }} preceding and 1 preceding
    )

),

with_history as (

    select
        *,
        case when expected > 0 then baseline_variance / expected end as cell_dispersion

    from baselines
    where
        baseline_years >= {{ var('emerging_min_baseline_years') }}
        and (value > 0 or baseline_max > 0)

),

-- The overdispersion of a cell is at least that of its measure over all cells of its scope kind with a
-- history (the pooled quasi-Poisson estimate, sum of (n - 1) phi over sum of n - 1): five baseline years
-- say little about a cell's own variance, and a measure like violations comes in lumps of a case's
-- findings whatever the cell. A cell is tested when it has a history (some count in its baseline: a rise
-- from nothing is a first appearance, not a departure from a history) and the minimum count in the year.
evaluated as (

    select
        *,
        {% call emerging_stable_double() %}greatest(
            cast(1 as double),
            coalesce(cell_dispersion, cast(1 as double)),
            coalesce(
                sum((baseline_years - 1) * cell_dispersion) over measure_cells
                / sum(case when cell_dispersion is not null then baseline_years - 1 end) over measure_cells,
                cast(1 as double)
            )
        ){% endcall %} as dispersion,
        expected > 0 and value >= {{ var('emerging_min_count') }} as is_tested

    from with_history
    window measure_cells as (partition by scope_kind, measure, fiscal_year)

),

scored as (

    select
        *,
        {{ farrington_z('value', 'expected', 'dispersion', 'baseline_years') }} as z_score

    from evaluated

),

-- The p-value of a tested cell above its expectation: the upper tail P(Y >= observed) of the count
-- model (count_upper_tail() in macros/emerging.sql: its first terms, then an integral with end corrections).
tail_cells as (

    select
        cell_key,
        measure,
        fiscal_year,
        value,
        expected,
        dispersion

    from scored
    where is_tested and value > expected

),

tails as (

    {{ count_upper_tail('tail_cells', ['cell_key', 'measure', 'fiscal_year']) }}

),

-- Where the count is not above its expectation it is no rise: the p-value is Farrington's normal one
-- (about one half or more, never near a flag).
with_p as (

    select
        scored.*,
        {% call emerging_stable_double() %}case
            when tails.upper_tail is not null then least(tails.upper_tail, cast(1 as double))
            else {{ normal_upper_tail('scored.z_score') }}
        end{% endcall %} as p_value

    from scored
    left join tails
        on
            scored.cell_key = tails.cell_key
            and scored.measure = tails.measure
            and scored.fiscal_year = tails.fiscal_year

),

-- Benjamini-Hochberg over the cells tested in each fiscal year: q(i) = min over j >= i of p(j) m / j.
p_ranks as (

    select
        cell_key,
        measure,
        fiscal_year,
        p_value,
        row_number() over (partition by fiscal_year order by p_value asc, cell_key asc, measure asc) as p_rank,
        count(*) over (partition by fiscal_year) as tests

    from with_p
    where is_tested

),

q_values as (

    select
        cell_key,
        measure,
        fiscal_year,
        least(
            cast(1 as double),
            min(p_value * tests / p_rank) over (
                partition by fiscal_year order by p_rank desc rows between unbounded preceding and current row
            )
        ) as q_value

    from p_ranks

),

latest_years as (

    select
        source,
        max(fiscal_year) as latest_fiscal_year
    from source_years
    where is_complete
    group by source

),

flagged as (

    select
        with_p.*,
        q_values.q_value,
        coalesce(
            with_p.is_tested
            and q_values.q_value <= {{ var('emerging_fdr') }}
            and with_p.value > with_p.baseline_max,
            false
        ) as is_emerging,
        with_p.fiscal_year = latest_years.latest_fiscal_year as is_latest_year

    from with_p
    left join q_values
        on
            with_p.cell_key = q_values.cell_key
            and with_p.measure = q_values.measure
            and with_p.fiscal_year = q_values.fiscal_year
    inner join latest_years on with_p.source = latest_years.source

),

-- Ranked by p-value in single precision: two engines' p-values of equal counts differ in the last bits
-- of a double, never so as to change their single-precision value (almost never), so ties break alike.
ranked as (

    select
        *,
        case
            when is_emerging
                then row_number() over (
                    partition by fiscal_year, is_emerging
                    order by cast(p_value as float) asc, value - expected desc, cell_key asc, measure asc
                )
        end as emerging_rank

    from flagged

),

-- The related measure of the same cell and year: did it stay within its baseline range?
with_related as (

    select
        ranked.*,
        wording.measure_label,
        wording.related_measure,
        wording.related_label,
        case
            when related.value > related.baseline_max then 'also rose'
            when related.value < related.baseline_min then 'fell'
            when related.value is not null then 'stayed flat'
        end as related_movement

    from ranked
    inner join wording on ranked.measure = wording.measure
    left join ranked as related
        on
            ranked.cell_key = related.cell_key
            and ranked.fiscal_year = related.fiscal_year
            and wording.related_measure = related.measure

),

final as (

    select
        fiscal_year,
        is_latest_year,
        scope_kind,
        state_code,
        region,
        naics_sector,
        hidden_work_code,
        agent_id,
        scope_label,
        measure,
        source,
        value as observed,
        expected,
        cast(baseline_years as integer) as baseline_years,
        baseline_first_year,
        baseline_last_year,
        baseline_min,
        baseline_max,
        value - expected as change,  -- noqa: RF04
        case when expected > 0 then value / expected end as change_ratio,
        dispersion,
        z_score,
        p_value,
        q_value,
        is_emerging,
        cast(emerging_rank as integer) as emerging_rank,
        case when related_movement is not null then related_measure end as related_measure,
        case
            when is_emerging
                then measure_label || case when scope_kind = 'filing_agent' then ' by ' else ' in ' end || scope_label
        end as pattern,
        case
            when is_emerging
                then
                    measure_label
                    || case when scope_kind = 'filing_agent' then ' by ' else ' in ' end || scope_label
                    || ' rose from about ' || {{ emerging_number('expected') }} || ' a year to '
                    || {{ emerging_number('value') }} || ' in FY' || cast(fiscal_year as {{ dbt.type_string() }})
                    || ', above its FY' || cast(baseline_first_year as {{ dbt.type_string() }})
                    || '–FY' || cast(baseline_last_year as {{ dbt.type_string() }})
                    || ' range ('
                    || case
                        when baseline_min = baseline_max then {{ emerging_number('baseline_max') }} || ' every year'
                        else {{ emerging_number('baseline_min') }} || '–' || {{ emerging_number('baseline_max') }}
                    end
                    || ')'
                    || coalesce(', while ' || related_label || ' ' || related_movement, '')
                    || '.'
        end as sentence

    from with_related

)

select * from final
