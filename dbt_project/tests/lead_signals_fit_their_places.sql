{{ config(meta={'dagster': {'ref': {'name': 'ref_lead_weights'}}}) }}

-- mart_employer_leads pivots an employer's signals into var('lead_signal_places') places, in the order of their
-- weights: a signal of ref_lead_weights beyond the last place would drop out of its reasons and signals unseen.
select count(*) as signals
from {{ ref('ref_lead_weights') }}
having count(*) > {{ var('lead_signal_places') }}
