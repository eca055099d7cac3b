{#- The per-source cell CTEs, their shape and their names in one place. A source's records (one row
    per case or debarment, with state_code, naics_sector and fiscal_year) are counted per
    state x NAICS sector x fiscal year in `<source>_cells`: a record without a known state (ref_states)
    counts in the 'unknown' state, one without a sector in the 'unknown' sector. The calling model
    has a `states` CTE (state_code from ref_states) and the records CTE. int_enforcement_cells counts
    every measure source this way (and joins `<source>_cells` and `<source>_years` to its spine,
    where measures_where_published() and source_year_flags() read them); mart_enforcement_gap counts
    its distinct H-2A employers per cell with the same shape. Portable SQL (DuckDB and Spark). -#}

{#- The CTE names, used by every macro that reads them. -#}
{% macro cells_cte(source) -%}
    {{ source }}_cells
{%- endmacro %}

{% macro years_cte(source) -%}
    {{ source }}_years
{%- endmacro %}

{#- `<source>_cells as (...)`: the records CTE `records` counted per cell. The aggregates are the
    source's measures from enforcement_measures() or, called as a block
    (`{% call source_cells(...) %} count(...) as name {% endcall %}`), the block's select
    list. has_sector=false: the source carries no industry, every record is in the 'unknown' sector.
    industry_key: count per that column of the records instead of per sector (mart_hidden_work_year). -#}
{% macro source_cells(source, records, has_sector=true, industry_key=none) -%}
{{ cells_cte(source) }} as (

    select
        coalesce(states.state_code, 'unknown') as state_code,
        {% if industry_key -%}
        {{ records }}.{{ industry_key }},
        {%- elif has_sector -%}
        coalesce({{ records }}.naics_sector, 'unknown') as naics_sector,
        {%- else -%}
        'unknown' as naics_sector,
        {%- endif %}
        {{ records }}.fiscal_year,
        {%- if caller is defined %}
        {{ caller() | trim }}
        {%- else %}
        {{ aggregate_measures(source) }}
        {%- endif %}

    from {{ records }}
    left join states on {{ records }}.state_code = states.state_code
    group by all

)
{%- endmacro %}

{#- `<source>_years as (...)`: the fiscal years a measure source has published (from the calling
    model's `source_years` CTE, int_source_fiscal_years), with is_complete, and for each of its
    measures with a `published_if` (enforcement_measures()) whether the year's records publish it
    (is_<measure>_published), computed over the calling model's records CTE `records`. -#}
{% macro published_years(source, records=none) -%}
{%- set gated = [] %}
{%- for m in enforcement_measures() if m.source == source and m.published_if %}{% do gated.append(m) %}{% endfor %}
{{ years_cte(source) }} as (

    select
        source_years.*
        {%- for m in gated %},
        coalesce(measure_years.is_{{ m.name }}_published, false) as is_{{ m.name }}_published
        {%- endfor %}

    from source_years
    {%- if gated %}
    left join (
        select
            fiscal_year
            {%- for m in gated %},
            {{ m.published_if }} as is_{{ m.name }}_published
            {%- endfor %}
        from {{ records }}
        group by fiscal_year
    ) as measure_years on source_years.fiscal_year = measure_years.fiscal_year
    {%- endif %}
    where source_years.source = '{{ source }}'

)
{%- endmacro %}

{#- Every measure source's published years and cells, left joined to the `spine` relation's
    state_code x naics_sector x fiscal_year (at most one row each). `sources` and `industry_key`
    serve models whose cells are some sources by another industry column (mart_hidden_work_year). -#}
{% macro join_source_cells(spine, sources=none, industry_key='naics_sector') -%}
    {%- set sources = sources or measure_sources() %}
    {%- for source in sources %}
    left join {{ years_cte(source) }} on {{ spine }}.fiscal_year = {{ years_cte(source) }}.fiscal_year
    {%- endfor %}
    {%- for source in sources %}
    left join {{ cells_cte(source) }}
        on
            {{ spine }}.state_code = {{ cells_cte(source) }}.state_code
            and {{ spine }}.{{ industry_key }} = {{ cells_cte(source) }}.{{ industry_key }}
            and {{ spine }}.fiscal_year = {{ cells_cte(source) }}.fiscal_year
    {%- endfor %}
{%- endmacro %}
