{#- SQL that DuckDB and Spark spell differently, one small dispatched macro each, so every model is
    written once for both engines (`dbt build` and `dbt build --target spark`). `default__` is the
    DuckDB spelling (the default engine), `spark__` the Spark SQL one. Where one portable spelling
    exists (cast(x as {{ dbt.type_string() }}), cast(... as double), explicit `nulls last`), the models
    use it instead and need no macro. -#}

{#- Does `text` match the regular expression `pattern` (`flags` 'i': ignore case)? -#}
{% macro matches_regex(text, pattern, flags='') -%}
    {{ return(adapter.dispatch('matches_regex')(text, pattern, flags)) }}
{%- endmacro %}

{% macro default__matches_regex(text, pattern, flags) -%}
    regexp_matches({{ text }}, '{{ pattern }}'{% if flags %}, '{{ flags }}'{% endif %})
{%- endmacro %}

{% macro spark__matches_regex(text, pattern, flags) -%}
    ({{ text }} rlike '{% if 'i' in flags %}(?i){% endif %}{{ pattern }}')
{%- endmacro %}

{#- Every match of `pattern` in `text` replaced (DuckDB replaces the first one only without 'g'). -#}
{% macro replace_regex(text, pattern, replacement) -%}
    {{ return(adapter.dispatch('replace_regex')(text, pattern, replacement)) }}
{%- endmacro %}

{% macro default__replace_regex(text, pattern, replacement) -%}
    regexp_replace({{ text }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}

{% macro spark__replace_regex(text, pattern, replacement) -%}
    regexp_replace({{ text }}, '{{ pattern }}', '{{ replacement }}')
{%- endmacro %}

{#- One row per value from `start` to `stop` (inclusive; `step` e.g. `interval 1 day` for dates), as a
    set-returning expression in a select list. -#}
{% macro series(start, stop, step=none) -%}
    {{ return(adapter.dispatch('series')(start, stop, step)) }}
{%- endmacro %}

{% macro default__series(start, stop, step) -%}
    unnest(generate_series({{ start }}, {{ stop }}{% if step %}, {{ step }}{% endif %}))
{%- endmacro %}

{% macro spark__series(start, stop, step) -%}
    explode(sequence({{ start }}, {{ stop }}{% if step %}, {{ step }}{% endif %}))
{%- endmacro %}

{#- The distinct non-null values of `expression` as a sorted list (null when there is none). -#}
{% macro sorted_distinct_list(expression) -%}
    {{ return(adapter.dispatch('sorted_distinct_list')(expression)) }}
{%- endmacro %}

{% macro default__sorted_distinct_list(expression) -%}
    list(distinct {{ expression }} order by {{ expression }}) filter (where {{ expression }} is not null)
{%- endmacro %}

{% macro spark__sorted_distinct_list(expression) -%}
    case when count({{ expression }}) > 0 then array_sort(collect_set({{ expression }})) end
{%- endmacro %}

{#- The number of elements of a list (null for a null list). -#}
{% macro list_length(list_expression) -%}
    {{ return(adapter.dispatch('list_length')(list_expression)) }}
{%- endmacro %}

{% macro default__list_length(list_expression) -%}
    len({{ list_expression }})
{%- endmacro %}

{% macro spark__list_length(list_expression) -%}
    array_size({{ list_expression }})
{%- endmacro %}

{#- The values of `expressions` (columns of one row, comma-separated) that are not null, in order, as a list. -#}
{% macro present_values(expressions) -%}
    {{ return(adapter.dispatch('present_values')(expressions)) }}
{%- endmacro %}

{% macro default__present_values(expressions) -%}
    list_filter([{{ expressions }}], lambda value: value is not null)
{%- endmacro %}

{% macro spark__present_values(expressions) -%}
    filter(array({{ expressions }}), value -> value is not null)
{%- endmacro %}

{#- A string aggregate in a given order. `order_by` is a list of [expression, 'asc' | 'desc'] pairs (the
    expressions never null). DuckDB keeps such a state per group outside its memory limit: for few groups. -#}
{% macro ordered_string_agg(expression, separator, order_by) -%}
    {{ return(adapter.dispatch('ordered_string_agg')(expression, separator, order_by)) }}
{%- endmacro %}

{% macro default__ordered_string_agg(expression, separator, order_by) -%}
    string_agg({{ expression }}, {{ separator }} order by {{ order_by_clause(order_by) }})
{%- endmacro %}

{% macro spark__ordered_string_agg(expression, separator, order_by) -%}
    string_agg({{ expression }}, {{ separator }}) within group (order by {{ order_by_clause(order_by) }})
{%- endmacro %}

{% macro order_by_clause(order_by) -%}
    {%- for key, direction in order_by %}{{ key }} {{ direction }}{% if not loop.last %}, {% endif %}{% endfor -%}
{%- endmacro %}

{#- A number rounded to whole units with thousands separators: 1234567.8 -> '1,234,568'. Rounded to cents
    first: a sum of doubles differs in its last bits with the order it was added in (threads), which must not
    move a dollar that ends in exactly 50 cents. -#}
{% macro format_thousands(expression) -%}
    {{ return(adapter.dispatch('format_thousands')(expression)) }}
{%- endmacro %}

{% macro default__format_thousands(expression) -%}
    format('{:,.0f}', round({{ expression }}, 2))
{%- endmacro %}

{% macro spark__format_thousands(expression) -%}
    format_number(round(cast({{ expression }} as double), 2), 0)
{%- endmacro %}

{#- `relation.*` without the listed columns. -#}
{% macro star_without(relation, columns) -%}
    {{ return(adapter.dispatch('star_without')(relation, columns)) }}
{%- endmacro %}

{% macro default__star_without(relation, columns) -%}
    {{ relation }}.* exclude ({{ columns | join(', ') }})
{%- endmacro %}

{% macro spark__star_without(relation, columns) -%}
    {{ relation }}.* except ({{ columns | join(', ') }})
{%- endmacro %}

{#- on-run-start: where the raw sources are. On DuckDB they are the build database's `raw` tables the
    pipeline loads (nothing to do). On Spark each source is a view over its folder of the Parquet
    lake ($WAREHOUSE_LAKE, warehouse/ingest/lake.py): `raw` tables at lake/<source>/<table>/ (H-2A partitioned
    by fiscal year), the linkage's links at lake/linkage/ (empty until the linkage first ran:
    warehouse/spark.py). Views, not tables: Spark finds the fiscal-year folders (partitions) when it
    reads, so a new year is seen without registering it in the metastore. -#}
{% macro register_lake_sources() -%}
    {{ return(adapter.dispatch('register_lake_sources')()) }}
{%- endmacro %}

{% macro default__register_lake_sources() -%}
{%- endmacro %}

{% macro spark__register_lake_sources() -%}
    {%- if execute %}
        {%- set lake = env_var('WAREHOUSE_LAKE', env_var('WAREHOUSE_HOME', '../data') ~ '/lake') %}
        {%- for node in graph.sources.values() %}
            {%- if node.source_name == 'raw' %}
                {%- set folder = lake ~ '/' ~ node.identifier[4:].split('__')[0] ~ '/' ~ node.identifier %}
            {%- else %}
                {%- set folder = lake ~ '/linkage/' ~ node.identifier %}
            {%- endif %}
            {%- do run_query('create database if not exists ' ~ node.schema) %}
            {%- do run_query(
                'create or replace view ' ~ node.schema ~ '.' ~ node.identifier
                ~ ' as select * from parquet.`' ~ folder ~ '`'
            ) %}
        {%- endfor %}
    {%- endif %}
{%- endmacro %}

{#- Seeds on Spark: dbt-spark's session method fills the `%s` of its insert statements by plain string
    formatting, so an apostrophe in a value breaks the statement and an empty cell becomes the string
    'None'. The same insert, with values written as escaped literals and null as null. (Found through
    dbt's `dispatch` config in dbt_project.yml; other adapters keep dbt's own.) -#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set column_override = model['config'].get('column_types', {}) %}
    {%- set statements = [] %}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) %}
        {%- set sql %}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for value in row -%}
                    {%- set inferred_type = adapter.convert_type(agate_table, loop.index0) -%}
                    {%- set type = column_override.get(agate_table.column_names[loop.index0], inferred_type) -%}
                    {%- if value is none -%}
                        cast(null as {{ type }})
                    {%- else -%}
                        cast('{{ value | string | replace("\\", "\\\\") | replace("'", "\\'") }}' as {{ type }})
                    {%- endif -%}
                    {%- if not loop.last %}, {% endif -%}
                {%- endfor -%})
                {%- if not loop.last %},{% endif %}
            {% endfor %}
        {%- endset %}
        {%- do adapter.add_query(sql, abridge_sql_log=True) %}
        {%- if loop.index0 == 0 %}{% do statements.append(sql) %}{% endif %}
    {%- endfor %}
    {{ return(statements[0] if statements else '') }}
{% endmacro %}

{#- The words of `text` (split on single spaces) sorted and joined by one space: 'SMITH JOHN' and
    'JOHN SMITH' give 'JOHN SMITH'. -#}
{% macro sorted_words(text) -%}
    {{ return(adapter.dispatch('sorted_words')(text)) }}
{%- endmacro %}

{% macro default__sorted_words(text) -%}
    array_to_string(list_sort(string_split({{ text }}, ' ')), ' ')
{%- endmacro %}

{% macro spark__sorted_words(text) -%}
    array_join(array_sort(split({{ text }}, ' ')), ' ')
{%- endmacro %}
