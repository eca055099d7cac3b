"""The Dagster code location (loaded by workspace.yaml and `dagster dev`)."""

from orchestration.build import build_defs

defs = build_defs()
