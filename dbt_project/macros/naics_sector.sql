{#- NAICS sector code ("11", "31-33", "44-45", "48-49", ...) of a 2-6 digit NAICS code, or null. -#}
{% macro naics_sector(naics_code) -%}
    case
        when left({{ naics_code }}, 2) in ('31', '32', '33') then '31-33'
        when left({{ naics_code }}, 2) in ('44', '45') then '44-45'
        when left({{ naics_code }}, 2) in ('48', '49') then '48-49'
        when regexp_matches({{ naics_code }}, '^[0-9]{2,6}$') then left({{ naics_code }}, 2)
    end
{%- endmacro %}
