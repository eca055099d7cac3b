{{ config(meta={'dagster': {'ref': {'name': 'ref_hidden_work_industries'}}}) }}

-- A record matches one hidden-work industry at most: no code of the seed starts with another.
select
    narrower.naics_code,
    broader.naics_code as broader_naics_code
from {{ ref('ref_hidden_work_industries') }} as narrower
inner join {{ ref('ref_hidden_work_industries') }} as broader
    on
        narrower.naics_code <> broader.naics_code
        and narrower.naics_code like concat(broader.naics_code, '%')
