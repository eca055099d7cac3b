{#- NAICS sector code ("11", "31-33", "44-45", "48-49", ...) of a 2-6 digit NAICS code of any
    vintage, or null when the code is malformed or its first two digits are not a sector (WHD
    publishes a few odd codes such as 0967). -#}
{% macro naics_sector(naics_code) -%}
    case
        when not {{ matches_regex("coalesce(" ~ naics_code ~ ", '')", '^[0-9]{2,6}$') }} then null
        when left({{ naics_code }}, 2) in ('31', '32', '33') then '31-33'
        when left({{ naics_code }}, 2) in ('44', '45') then '44-45'
        when left({{ naics_code }}, 2) in ('48', '49') then '48-49'
        when left({{ naics_code }}, 2) in (
            '11', '21', '22', '23', '42', '51', '52', '53', '54', '55', '56', '61', '62', '71', '72', '81', '92', '99'
        ) then left({{ naics_code }}, 2)
    end
{%- endmacro %}
