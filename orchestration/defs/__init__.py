"""Dagster definitions split by concept: assets (one module per layer), checks, resources, jobs,
schedules, sensors. `orchestration/build.py` assembles them; nothing here runs at import time
except building definitions."""
