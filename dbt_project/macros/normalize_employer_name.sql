{#- A comparison key for employer names across datasets: upper case, '&' as AND, punctuation
    dropped, the part after ' DBA ' dropped, trailing legal-form words (INC, LLC, CO, CORP, ...)
    removed, spaces collapsed. Deterministic exact matching on (key, state) is the baseline
    employer linkage; probabilistic linkage builds on the same keys. -#}
{% macro normalize_employer_name(name) -%}
    nullif(
        trim(
            regexp_replace(
                regexp_replace(
                    regexp_replace(
                        regexp_replace(
                            upper(split_part(replace(upper(coalesce({{ name }}, '')), ' D/B/A ', ' DBA '), ' DBA ', 1)),
                            '&', ' AND ', 'g'
                        ),
                        '[^A-Z0-9 ]', ' ', 'g'
                    ),
                    '(\s+(INC|INCORPORATED|LLC|L L C|LLP|LP|L P|LTD|CO|COMPANY|CORP|CORPORATION|PC|PLLC))+\s*$', '', 'g'
                ),
                '\s+', ' ', 'g'
            )
        ),
        ''
    )
{%- endmacro %}
