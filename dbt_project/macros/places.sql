{#- An aggregate's values spread over numbered places, to put them in an order without an aggregate that
    orders (DuckDB keeps an ordering aggregate's state per group outside its memory limit): `value` at
    each place 1..`places` of the group, one column `<prefix>_<place>` per place (null where the group
    has no row at that place). `place` must be unique within a group. -#}
{% macro pivot_places(value, place, places, prefix) -%}
    {%- for number in range(1, places + 1) %}
        max({{ value }}) filter (where {{ place }} = {{ number }}) as {{ prefix }}_{{ number }}
        {%- if not loop.last %},{% endif %}
    {%- endfor %}
{%- endmacro %}

{#- The columns `<prefix>_1` .. `<prefix>_<places>` of one row, in order. -#}
{% macro place_columns(prefix, places) -%}
    {%- for number in range(1, places + 1) %}{{ prefix }}_{{ number }}{% if not loop.last %}, {% endif %}{% endfor -%}
{%- endmacro %}
