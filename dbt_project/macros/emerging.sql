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

{#- The ratio P(k + 1) / P(k) of that model at `k`: where the tail's terms shrink geometrically. -#}
{% macro count_probability_ratio(k, mu, phi) -%}
    case
        when {{ phi }} < 1.0001 then {{ mu }} / ({{ k }} + 1)
        else (1 - 1 / {{ phi }}) * ({{ k }} + {{ mu }} / ({{ phi }} - 1)) / ({{ k }} + 1)
    end
{%- endmacro %}

{#- How many terms of the upper tail P(Y >= y) to sum: until the geometric bound of the rest is below
    1e-12 of the last term, at most 4,000 (the rest is then added as a geometric series). -#}
{% macro count_tail_terms(y, mu, phi) -%}
    {%- set ratio = 'greatest(' ~ count_probability_ratio(y, mu, phi) ~ ', case when ' ~ phi ~ ' >= 1.0001 then 1 - 1 / ' ~ phi ~ ' else 0 end)' %}
    cast(least(4000, greatest(1, ceil(ln(1e-12) / ln(least({{ ratio }}, 0.999999))))) as integer)
{%- endmacro %}

{#- A double kept to single precision (about 7 significant digits; written `{% call emerging_stable_double() %}expression{% endcall %}`), so that two builds of the same
    inputs publish the same value: sums of doubles (the pooled dispersion, the tail of a count) differ in
    their last bits with the order the engine adds them in (threads, DuckDB or Spark). -#}
{% macro emerging_stable_double() -%}
    cast(cast({{ caller() }} as float) as double)
{%- endmacro %}
