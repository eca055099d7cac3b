"""A Dagster logger that prints readable progress for `warehouse build` in a terminal.

Dagster's default console logger prints every event with its full context; at the terminal a
data engineer wants one line per step, per materialized table and per check.
"""

from __future__ import annotations

import logging
import sys
import time

import dagster as dg

_SYMBOL = {"STEP_START": "…", "STEP_SUCCESS": "✓", "STEP_FAILURE": "✗", "STEP_SKIPPED": "-"}


class _ProgressHandler(logging.Handler):
    def __init__(self, stream) -> None:
        super().__init__()
        self.stream = stream
        self.started: dict[str, float] = {}

    def emit(self, record: logging.LogRecord) -> None:
        meta = getattr(record, "dagster_meta", None) or {}
        event = meta.get("dagster_event")
        line = self._event_line(event, meta) if event is not None else self._message_line(record, meta)
        if line:
            self.stream.write(line + "\n")
            self.stream.flush()

    def _event_line(self, event, meta) -> str | None:
        kind = event.event_type_value
        step = meta.get("step_key") or ""
        if kind == "STEP_START":
            self.started[step] = time.monotonic()
            return f"{_SYMBOL[kind]} {step}"
        if kind in ("STEP_SUCCESS", "STEP_SKIPPED"):
            took = time.monotonic() - self.started.get(step, time.monotonic())
            return f"{_SYMBOL[kind]} {step}" + (
                f" ({took:.1f}s)" if kind == "STEP_SUCCESS" else " (skipped: upstream did not succeed)"
            )
        if kind == "STEP_FAILURE":
            error = event.step_failure_data.error if event.step_failure_data else None
            message = (error.message.strip() if error else "failed").splitlines()
            return f"{_SYMBOL[kind]} {step} FAILED: " + "\n    ".join(message[:30])
        if kind == "ASSET_MATERIALIZATION":
            materialization = event.step_materialization_data.materialization
            rows = materialization.metadata.get("row_count") or materialization.metadata.get("dagster/row_count")
            suffix = f" ({rows.value:,} rows)" if rows is not None else ""
            return f"    materialized {materialization.asset_key.to_user_string()}{suffix}"
        if kind == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            if evaluation.passed:
                return None
            severity = evaluation.severity.value.lower()
            return f"    check {evaluation.check_name} on {evaluation.asset_key.to_user_string()}: FAILED ({severity})"
        return None

    @staticmethod
    def _message_line(record: logging.LogRecord, meta) -> str | None:
        if record.levelno < logging.WARNING:
            return None
        message = meta.get("orig_message") or record.getMessage()
        return f"    {logging.getLevelName(record.levelno).lower()}: {message}"


@dg.logger(description="One readable line per step, materialization and failed check.")
def terminal_progress_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    progress = logging.Logger("warehouse_progress", level=logging.DEBUG)
    progress.addHandler(_ProgressHandler(sys.stderr))
    return progress
