{#- The enforcement measures, declared once. int_enforcement_cells aggregates each from its source's
    records (state x NAICS sector x fiscal year); every mart sums them with the same names.
    `source` is the publisher whose coverage decides whether a year has the measure at all (a year
    the source has not published is null, never 0); `aggregate` is over that source's records
    (int_enforcement_cells: source_cells(), macros/source_cells.sql).
    `published_if` (optional): an aggregate over the source's records of a fiscal year, true when
    the year's files publish the measure at all (the FY2000-2005 H-2B files have no certified
    count): where false the measure is null, not 0 (source_cells.sql published_years()).
    Dollar sums are rounded to the cent (sums of binary floats drift in the last digits). -#}

{% macro enforcement_measures() -%}
    {{ return([
        {'name': 'whd_cases', 'source': 'whd', 'aggregate': 'count(*)'},
        {'name': 'violations', 'source': 'whd', 'aggregate': 'sum(violations)'},
        {'name': 'back_wages', 'source': 'whd', 'aggregate': 'sum(back_wages)', 'dollars': true},
        {'name': 'employees_owed', 'source': 'whd', 'aggregate': 'sum(employees_owed)'},
        {'name': 'civil_money_penalties', 'source': 'whd', 'aggregate': 'sum(civil_money_penalties)', 'dollars': true},
        {'name': 'whd_h2a_violation_cases', 'source': 'whd', 'aggregate': 'count_if(has_h2a_violations)'},
        {'name': 'h2a_back_wages', 'source': 'whd', 'aggregate': 'sum(h2a_back_wages)', 'dollars': true},
        {'name': 'child_labor_violations', 'source': 'whd', 'aggregate': 'sum(child_labor_violations)'},
        {'name': 'child_labor_minors', 'source': 'whd', 'aggregate': 'sum(child_labor_minors)'},
        {'name': 'h2b_violations', 'source': 'whd', 'aggregate': 'sum(h2b_violations)'},
        {'name': 'h2b_back_wages', 'source': 'whd', 'aggregate': 'sum(h2b_back_wages)', 'dollars': true},
        {'name': 'mspa_violations', 'source': 'whd', 'aggregate': 'sum(mspa_violations)'},
        {'name': 'flsa_repeat_violator_cases', 'source': 'whd', 'aggregate': 'count_if(is_flsa_repeat_violator)'},
        {'name': 'h2a_cases', 'source': 'h2a', 'aggregate': 'count(*)'},
        {'name': 'h2a_certified_cases', 'source': 'h2a', 'aggregate': 'count_if(is_certified)'},
        {'name': 'h2a_workers_certified', 'source': 'h2a', 'aggregate': 'sum(workers_certified)'},
        {'name': 'h2b_cases', 'source': 'h2b', 'aggregate': 'count(*)'},
        {'name': 'h2b_certified_cases', 'source': 'h2b', 'aggregate': 'count_if(is_certified)'},
        {'name': 'h2b_workers_certified', 'source': 'h2b', 'aggregate': 'sum(workers_certified)',
         'published_if': 'bool_or(has_published_workers_certified)'},
        {'name': 'debarments_started', 'source': 'debarment', 'aggregate': 'count(*)'},
    ]) }}
{%- endmacro %}

{#- The sources the measures come from, in a fixed order. -#}
{% macro measure_sources() -%}
    {{ return(['whd', 'h2a', 'h2b', 'debarment']) }}
{%- endmacro %}

{#- Dollars rounded to the cent, counts as BIGINT (DuckDB sums integers into HUGEINT, which
    Parquet and many clients do not take). -#}
{% macro measure_type(measure, expression) -%}
    {% if measure.dollars %}round({{ expression }}, 2){% else %}cast({{ expression }} as bigint){% endif %}
{%- endmacro %}

{#- `aggregate as name` for one source's measures, over that source's records. -#}
{% macro aggregate_measures(source) -%}
    {%- for m in enforcement_measures() if m.source == source %}
    {{ measure_type(m, m.aggregate) }} as {{ m.name }}
    {%- if not loop.last %},{% endif %}
    {%- endfor %}
{%- endmacro %}

{#- `sum(prefix.name) as name` for every measure (or those named in `names`): rolling cells up to any
    coarser grain. -#}
{% macro sum_measures(relation=none, names=none) -%}
    {%- set prefix = relation ~ '.' if relation else '' %}
    {%- for m in enforcement_measures() if names is none or m.name in names %}
    {{ measure_type(m, 'sum(' ~ prefix ~ m.name ~ ')') }} as {{ m.name }}
    {%- if not loop.last %},{% endif %}
    {%- endfor %}
{%- endmacro %}

{#- The measure names, comma separated (selects and unpivots). -#}
{% macro measure_names(relation=none) -%}
    {%- set prefix = relation ~ '.' if relation else '' %}
    {%- for m in enforcement_measures() %}
    {{ prefix }}{{ m.name }}{% if not loop.last %},{% endif %}
    {%- endfor %}
{%- endmacro %}

{#- In int_enforcement_cells: each measure from its source's cell, null where the source has not
    published the year (`<source>_years` has no row), else 0 when the cell has no record. The CTE
    names are source_cells.sql's (cells_cte, years_cte). `sources` limits it to those sources' measures
    (a model that counts only some sources, e.g. mart_hidden_work_year). -#}
{% macro measures_where_published(sources=none) -%}
    {%- for m in enforcement_measures() if sources is none or m.source in sources %}
    case
        when {{ years_cte(m.source) }}.fiscal_year is not null
            {%- if m.published_if %} and {{ years_cte(m.source) }}.is_{{ m.name }}_published{% endif %}
            then coalesce({{ cells_cte(m.source) }}.{{ m.name }}, 0)
    end
        as {{ m.name }}{% if not loop.last %},{% endif %}
    {%- endfor %}
{%- endmacro %}

{#- In int_enforcement_cells: per source whether it published the year (in part / whole), and
    is_complete_year when every source did completely (every source of `sources` when given). -#}
{% macro source_year_flags(sources=none) -%}
    {%- set sources = sources or measure_sources() %}
    {%- for source in sources %}
    {{ years_cte(source) }}.fiscal_year is not null as is_{{ source }}_published,
    coalesce({{ years_cte(source) }}.is_complete, false) as is_{{ source }}_complete,
    {%- endfor %}
    {% for source in sources -%}
    coalesce({{ years_cte(source) }}.is_complete, false){% if not loop.last %} and {% endif %}
    {%- endfor %} as is_complete_year
{%- endmacro %}

{#- (measure, source) rows for a VALUES list. -#}
{% macro measure_source_rows() -%}
    {%- for m in enforcement_measures() %}
    ('{{ m.name }}', '{{ m.source }}'){% if not loop.last %},{% endif %}
    {%- endfor %}
{%- endmacro %}

{#- In marts that roll cells up: whether each source published the whole year over every cell
    summed (`bool_and(is_<source>_complete)`). A measure is complete in a year when its own
    source's flag is true (enforcement_measures() names each measure's source). -#}
{% macro source_completeness(relation=none) -%}
    {%- set prefix = relation ~ '.' if relation else '' %}
    {%- for source in measure_sources() %}
    bool_and({{ prefix }}is_{{ source }}_complete) as is_{{ source }}_complete{% if not loop.last %},{% endif %}
    {%- endfor %}
{%- endmacro %}

{#- The per-source completeness columns, comma separated (selects). -#}
{% macro source_completeness_names(relation=none) -%}
    {%- set prefix = relation ~ '.' if relation else '' %}
    {%- for source in measure_sources() %}
    {{ prefix }}is_{{ source }}_complete{% if not loop.last %},{% endif %}
    {%- endfor %}
{%- endmacro %}
