{{ config(meta={'dagster': {'ref': {'name': 'bridge_employer_record'}}}) }}

-- Every record of every source maps to exactly one employer: no record is missing from the bridge.
select
    records.source,
    records.record_id
from {{ ref('int_employer_records') }} as records
left join {{ ref('bridge_employer_record') }} as bridge
    on records.source = bridge.source and records.record_id = bridge.record_id
where bridge.employer_id is null
