"""Asset modules, one per layer: raw_sources (file -> parsed -> raw), dbt_models, publish."""
