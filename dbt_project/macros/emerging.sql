{#- The emerging-pattern detector's vocabulary and arithmetic, in one place (mart_emerging_patterns;
    method and literature: docs/emerging.md). Portable SQL: the same on DuckDB and Spark. -#}

{#- The measures the detector tests: every count of enforcement_measures() (dollar sums are not
    counts, so a Poisson-type test does not apply to them: they are left out, docs/emerging.md),
    optionally only those of `sources`. -#}
{% macro emerging_count_measures(sources=none) -%}
    {%- set names = [] %}
    {%- for m in enforcement_measures() if not m.dollars and (sources is none or m.source in sources) %}
        {%- do names.append(m.name) %}
    {%- endfor %}
    {{ return(names) }}
{%- endmacro %}

{#- The columns that say where a cell is, in their order. -#}
{% macro emerging_scope_column_names() -%}
    {{ return(['state_code', 'region', 'naics_sector', 'hidden_work_code', 'agent_id']) }}
{%- endmacro %}

{#- Those columns: each given one (an expression or a column name), null where the cell's kind has
    none (a state's cell has no sector, an agent's no place). -#}
{% macro emerging_scope_columns(state_code=none, region=none, naics_sector=none, hidden_work_code=none, agent_id=none) -%}
    {%- set given = {'state_code': state_code, 'region': region, 'naics_sector': naics_sector,
                     'hidden_work_code': hidden_work_code, 'agent_id': agent_id} %}
    {%- for column in emerging_scope_column_names() %}
    {%- if given[column] is none %}
    cast(null as {{ dbt.type_string() }}) as {{ column }}
    {%- elif given[column] == column %}
    {{ column }}
    {%- else %}
    {{ given[column] }} as {{ column }}
    {%- endif %}{% if not loop.last %},{% endif %}
    {%- endfor %}
{%- endmacro %}

{#- A select of the cells' values one row per measure, from `wide`: a relation with scope_kind, the
    scope columns (emerging_scope_columns()), scope_label, fiscal_year and one column per measure of
    `measures` (null where the source has not published the year: kept, for the baseline to skip). -#}
{% macro emerging_unpivot(wide, measures) -%}
    select
        scope_kind,
        {{ emerging_scope_column_names() | join(', ') }},
        scope_label,
        fiscal_year,
        measure,
        cast(value as double) as value
    from {{ wide }}
    unpivot include nulls (value for measure in ({{ measures | join(', ') }}))
{%- endmacro %}

{#- The filing-agent measures (bridge_filing_agent, per agent x source x fiscal year): filings naming
    the agent and distinct employers it filed for. One name per source, so a row's measure says it. -#}
{% macro emerging_agent_measures() -%}
    {{ return([
        {'name': 'h2a_agent_filings', 'source': 'h2a', 'aggregate': 'count(*)'},
        {'name': 'h2a_agent_employers', 'source': 'h2a', 'aggregate': 'count(distinct employer_id)'},
        {'name': 'h2b_agent_filings', 'source': 'h2b', 'aggregate': 'count(*)'},
        {'name': 'h2b_agent_employers', 'source': 'h2b', 'aggregate': 'count(distinct employer_id)'},
    ]) }}
{%- endmacro %}

{#- How the sentence names each tested measure, and the related measure of the same source and scope
    it is contrasted with ("..., while <related> stayed flat"; none: no contrast). Every measure of
    emerging_count_measures() and emerging_agent_measures() needs a row (emerging_wording_rows()
    stops the build otherwise). -#}
{% macro emerging_wording() -%}
    {{ return({
        'whd_cases': ['WHD cases', 'violations'],
        'violations': ['Violations found by WHD', 'whd_cases'],
        'employees_owed': ['Employees owed back wages', 'whd_cases'],
        'whd_h2a_violation_cases': ['WHD cases with H-2A violations', 'whd_cases'],
        'child_labor_violations': ['Child-labor violations', 'whd_cases'],
        'child_labor_minors': ['Minors employed in violation of child-labor law', 'whd_cases'],
        'h2b_violations': ['H-2B violations found by WHD', 'whd_cases'],
        'mspa_violations': ['MSPA violations', 'whd_cases'],
        'flsa_repeat_violator_cases': ['WHD cases of repeat or willful FLSA violators', 'whd_cases'],
        'h2a_cases': ['H-2A applications', 'h2a_workers_certified'],
        'h2a_certified_cases': ['Certified H-2A applications', 'h2a_cases'],
        'h2a_workers_certified': ['H-2A workers certified', 'h2a_cases'],
        'h2b_cases': ['H-2B applications', 'h2b_workers_certified'],
        'h2b_certified_cases': ['Certified H-2B applications', 'h2b_cases'],
        'h2b_workers_certified': ['H-2B workers certified', 'h2b_cases'],
        'debarments_started': ['Debarments', none],
        'h2a_agent_filings': ['H-2A applications', 'h2a_agent_employers'],
        'h2a_agent_employers': ['Employers filed for in H-2A', 'h2a_agent_filings'],
        'h2b_agent_filings': ['H-2B applications', 'h2b_agent_employers'],
        'h2b_agent_employers': ['Employers filed for in H-2B', 'h2b_agent_filings'],
    }) }}
{%- endmacro %}

{#- (measure, source, label, related measure, related label in a sentence's middle) rows for a VALUES
    list: the tested measures. -#}
{% macro emerging_wording_rows() -%}
    {%- set wording = emerging_wording() %}
    {%- set measures = [] %}
    {%- for m in enforcement_measures() if m.name in emerging_count_measures() %}{% do measures.append(m) %}{% endfor %}
    {%- for m in emerging_agent_measures() %}{% do measures.append(m) %}{% endfor %}
    {%- for m in measures %}
        {%- if m.name not in wording %}
            {{ exceptions.raise_compiler_error('emerging_wording() (macros/emerging.sql) has no wording for measure ' ~ m.name) }}
        {%- endif %}
        {%- set label, related = wording[m.name] %}
        {%- set related_label = wording[related][0] if related else none %}
        {%- if related_label and related_label[1:2].islower() %}{% set related_label = related_label[0] | lower ~ related_label[1:] %}{% endif %}
    ('{{ m.name }}', '{{ m.source }}', '{{ label }}',
    {%- if related %} '{{ related }}', '{{ related_label }}'{% else %} null, null{% endif %}){% if not loop.last %},{% endif %}
    {%- endfor %}
{%- endmacro %}

{#- Farrington et al. (1996)'s exceedance score: the observed count on the 2/3-power scale (about
    normal for Poisson-type counts) against the baseline mean, over the standard deviation of a
    quasi-Poisson prediction: var(y^(2/3)) ~ (4/9) phi mu^(1/3), times (1 + 1/n) for the mean being
    estimated from n baseline years. The mean in the variance is at least 1, so an all-zero history
    does not make any count infinitely surprising. -#}
{% macro farrington_z(observed, expected, dispersion, baseline_years) -%}
    (power({{ observed }}, cast(2 as double) / 3) - power({{ expected }}, cast(2 as double) / 3))
    / sqrt(
        cast(4 as double) / 9 * {{ dispersion }}
        * power(greatest({{ expected }}, cast(1 as double)), cast(1 as double) / 3)
        * (1 + cast(1 as double) / {{ baseline_years }})
    )
{%- endmacro %}

{#- The upper tail of the standard normal, P(Z > z) = erfc(z / sqrt 2) / 2, with the Chebyshev
    approximation of erfc in Press et al., Numerical Recipes (erfcc; relative error below 1.2e-7):
    plain arithmetic and exp(), so both engines give the same p-value to the last digits. -#}
{% macro normal_upper_tail(z) -%}
    {%- set x = '(abs(' ~ z ~ ') / sqrt(cast(2 as double)))' %}
    {%- set t = '(1 / (1 + 0.5 * ' ~ x ~ '))' %}
    {%- set coefficients = [
        -1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806,
        0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277] %}
    {%- set ns = namespace(poly=coefficients[-1] | string) %}
    {%- for c in coefficients[:-1] | reverse %}
        {%- set ns.poly = '(' ~ c ~ ' + ' ~ t ~ ' * ' ~ ns.poly ~ ')' %}
    {%- endfor %}
    {%- set erfc_abs = t ~ ' * exp(-' ~ x ~ ' * ' ~ x ~ ' + ' ~ ns.poly ~ ')' %}
    (case when {{ z }} >= 0 then {{ erfc_abs }} / 2 else 1 - {{ erfc_abs }} / 2 end)
{%- endmacro %}

{#- A count as words: '1,234' (rounded to whole units first, so both engines agree on halves). -#}
{% macro emerging_number(expression) -%}
    {{ format_thousands('round(' ~ expression ~ ')') }}
{%- endmacro %}

{#- ln Gamma(x) for x >= 0.5: Lanczos' approximation (g = 7, nine coefficients; relative error about
    1e-15), plain arithmetic and ln() so both engines agree. For 0 < x < 0.5 use
    log_gamma(x + 1) - ln(x). -#}
{% macro log_gamma(x) -%}
    {%- set coefficients = [
        '676.5203681218851', '-1259.1392167224028', '771.32342877765313', '-176.61502916214059',
        '12.507343278686905', '-0.13857109526572012', '9.9843695780195716e-6', '1.5056327351493116e-7'] %}
    (
        0.5 * ln(2 * pi())
        + ({{ x }} - 0.5) * ln({{ x }} + 6.5)
        - ({{ x }} + 6.5)
        + ln(
            cast(0.99999999999980993 as double)
            {%- for c in coefficients %}
            + cast({{ c }} as double) / ({{ x }} - 1 + {{ loop.index }})
            {%- endfor %}
        )
    )
{%- endmacro %}

{#- ln of the probability of exactly `k` under the count model of mean `mu` and overdispersion `phi`:
    Poisson when phi is 1 (to 1e-4), else the negative binomial with that mean and variance phi mu
    (size r = mu / (phi - 1), success probability 1 / phi), as in Noufaily et al. (2013).
    cell_columns=true: the parts that do not depend on k are the columns count_cell_columns() made
    (evaluated once per cell, not once per term of a tail: the same value to the last bit). -#}
{% macro count_log_probability(k, mu, phi, cell_columns=false) -%}
    {%- set parts = count_cell_parts(mu, phi) %}
    {%- if cell_columns %}{% for name in parts %}{% do parts.update({name: name}) %}{% endfor %}{% endif %}
    case
        when {{ phi }} < 1.0001
            then -{{ mu }} + {{ k }} * {{ parts.count_log_mean }} - {{ log_gamma(k ~ ' + 1') }}
        else
            {{ log_gamma(k ~ ' + ' ~ mu ~ ' / (' ~ phi ~ ' - 1)') }}
            - ({{ parts.count_log_size_gamma }})
            - {{ log_gamma(k ~ ' + 1') }}
            + {{ parts.count_size_log_success }}
            + {{ k }} * {{ parts.count_log_failure }}
    end
{%- endmacro %}

{#- The terms of count_log_probability() that do not depend on k, by column name. -#}
{% macro count_cell_parts(mu, phi) -%}
    {%- set size = mu ~ ' / (' ~ phi ~ ' - 1)' %}
    {{ return({
        'count_log_mean': 'ln(' ~ mu ~ ')',
        'count_log_size_gamma': log_gamma('1 + ' ~ size) ~ ' - ln(' ~ size ~ ')',
        'count_size_log_success': size ~ ' * ln(1 / ' ~ phi ~ ')',
        'count_log_failure': 'ln(1 - 1 / ' ~ phi ~ ')',
    }) }}
{%- endmacro %}

{#- Those terms as a select list, each where its branch of the model applies (null elsewhere). -#}
{% macro count_cell_columns(mu, phi) -%}
    {%- for name, expression in count_cell_parts(mu, phi).items() %}
    case when {{ phi }} {{ '<' if name == 'count_log_mean' else '>=' }} 1.0001 then {{ expression }} end as {{ name }}
    {%- if not loop.last %},{% endif %}
    {%- endfor %}
{%- endmacro %}

{#- The upper tail P(Y >= y) of that count model for every row of `cells` (a relation with the columns
    `keys` and y, mu, phi as `value`, `expected`, `dispersion`): a select of the keys and `upper_tail`.
    The first count_tail_terms() counts from y up are summed term by term; the rest, from m = y + that
    many, by Euler-Maclaurin: the integral of the probability (count_log_probability() at real counts,
    smooth) from m on, plus P(m) / 2, minus P'(m) / 12 (from the slope of ln P across m +- 1/2). The
    integral is Gauss-Legendre (8 nodes) on count_tail_panels() panels growing geometrically from m to
    m + 40 (phi + sd): 40 times the scales the tail decays on (the far tail's 1 / (1 - q) = phi, the
    sd near the mean), so narrow tails and tails of a million counts cost the same 227 terms. Checked
    against scipy's negative binomial and Poisson (relative error below 1e-7: tests/integration/
    test_emerging_tail.py). -#}
{% macro count_upper_tail(cells, keys) -%}
    {%- set panels = count_tail_panels() %}
    select
        {{ keys | join(', ') }},
        sum(weight * exp(log_probability))
        - max(case when node_kind = 'edge' then exp(log_probability) end) / 12
        * (
            max(case when node_kind = 'slope_up' then log_probability end)
            - max(case when node_kind = 'slope_down' then log_probability end)
        ) as upper_tail
    from (
        -- ln P once per node: written out in each of its four uses above, it was compiled and linted four times
        select
            {{ keys | join(', ') }},
            node_kind,
            weight,
            {{ count_log_probability('x', 'expected', 'dispersion', cell_columns=true) }} as log_probability
        from (
            select
                cell_panels.*,
                nodes.node_kind,
                -- x without a case: ln P repeats it some thirty times (panel 0 starts at 0: the terms' and m's nodes
                -- are placed there by their offsets alone).
                cell_panels.value + nodes.node_offset + cell_panels.panel_start
                + (cell_panels.panel_end - cell_panels.panel_start) * nodes.node_place as x,
                case
                    when nodes.node_kind = 'panel' then (cell_panels.panel_end - cell_panels.panel_start) * nodes.node_weight
                    else nodes.node_weight
                end as weight
            from (
                select
                    {{ keys | join(', ') }},
                    panel,
                    cast(value as double) as value,
                    expected,
                    dispersion,
                    {{ count_cell_columns('expected', 'dispersion') }},
                    power(1 + reach, cast(panel as double) / {{ panels }}) - 1 as panel_start,
                    power(1 + reach, cast(panel + 1 as double) / {{ panels }}) - 1 as panel_end
                from (
                    select
                        *,
                        40 * (
                            case when dispersion >= 1.0001 then dispersion else cast(1 as double) end
                            + sqrt(dispersion * expected)
                        ) as reach
                    from {{ cells }}
                ) as reached
                cross join (select {{ series(0, panels - 1) }} as panel) as panel_numbers
            ) as cell_panels
            inner join (values {{ count_tail_nodes() }}) as nodes (node_kind, panel, node_offset, node_place, node_weight)
                on cell_panels.panel = nodes.panel
        ) as evaluated
    ) as with_log_probability
    group by {{ keys | join(', ') }}
{%- endmacro %}

{#- How many counts of a tail are summed term by term, and how many panels the rest is integrated on. -#}
{% macro count_tail_terms() %}{{ return(32) }}{% endmacro %}
{% macro count_tail_panels() %}{{ return(24) }}{% endmacro %}

{#- The nodes of count_upper_tail() as VALUES rows (kind, panel, offset from y, place in the panel from 0 to 1,
    weight): the terms, 8 Gauss-Legendre nodes per panel, and m itself (weight 1/2) and m +- 1/2 (the slope).
    The numbers are double literals: decimal ones make every use in ln P a cast (ten times slower on DuckDB). -#}
{% macro count_tail_nodes() -%}
    {%- set legendre = [
        [0.1834346424956498, 0.3626837833783620], [0.5255324099163290, 0.3137066458778873],
        [0.7966664774136267, 0.2223810344533745], [0.9602898564975363, 0.1012285362903763]] %}
    {%- set m = count_tail_terms() %}
    {%- set rows = [] %}
    {%- for k in range(m) %}{% do rows.append(['term', 0, k, 0, 1]) %}{% endfor %}
    {%- for panel in range(count_tail_panels()) %}
        {%- for node, weight in legendre %}
            {%- for place in [(1 - node) / 2, (1 + node) / 2] %}{% do rows.append(['panel', panel, m, place, weight / 2]) %}{% endfor %}
        {%- endfor %}
    {%- endfor %}
    {%- do rows.extend([['edge', 0, m, 0, 0.5], ['slope_up', 0, m + 0.5, 0, 0], ['slope_down', 0, m - 0.5, 0, 0]]) %}
    {%- for kind, panel, offset, place, weight in rows %}
    ('{{ kind }}', {{ panel }}, {{ "%.17ge0" | format(offset) }}, {{ "%.17ge0" | format(place) }}, {{ "%.17ge0" | format(weight) }})
    {%- if not loop.last %},{% endif %}
    {%- endfor %}
{%- endmacro %}

{#- A double kept to single precision (about 7 significant digits; written `{% call emerging_stable_double() %}expression{% endcall %}`), so that two builds of the same
    inputs publish the same value: sums of doubles (the pooled dispersion, the tail of a count) differ in
    their last bits with the order the engine adds them in (threads, DuckDB or Spark). -#}
{% macro emerging_stable_double() -%}
    cast(cast({{ caller() }} as float) as double)
{%- endmacro %}
