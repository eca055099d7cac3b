"""A Dagster logger that prints readable progress for `warehouse build` in a terminal.

Dagster's default console logger prints every event with its full context; at the terminal a
data engineer wants one line per step, per materialized table (not per partition: a fiscal-year
range is one line) and per failed check.
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
        # step -> asset -> (partitions materialized, last row count): printed once when the step ends
        self.materialized: dict[str, dict[str, tuple[int, object]]] = {}

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
            line = f"{_SYMBOL[kind]} {step}" + (
                # Dagster skips a step whose upstream materialized nothing (no step after a failure runs at all).
                f" ({took:.1f}s)" if kind == "STEP_SUCCESS" else " (skipped: nothing new upstream)"
            )
            return "\n".join([line, *self._materialized_lines(step)])
        if kind == "STEP_FAILURE":
            error = event.step_failure_data.error if event.step_failure_data else None
            message = (error.message.strip() if error else "failed").splitlines()
            return f"{_SYMBOL[kind]} {step} FAILED: " + "\n    ".join(message[:30])
        if kind == "ASSET_MATERIALIZATION":
            materialization = event.step_materialization_data.materialization
            rows = materialization.metadata.get("row_count") or materialization.metadata.get("dagster/row_count")
            assets = self.materialized.setdefault(step, {})
            count, _ = assets.get(materialization.asset_key.to_user_string(), (0, None))
            assets[materialization.asset_key.to_user_string()] = (count + 1, rows.value if rows is not None else None)
            return None
        if kind == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            if evaluation.passed:
                return None
            asset = evaluation.asset_key.to_user_string()
            if evaluation.severity.value == "WARN":
                return f"    check {evaluation.check_name} on {asset}: warning - {(evaluation.description or '')[:160]}"
            return f"    check {evaluation.check_name} on {asset}: FAILED (error)"
        return None

    def _materialized_lines(self, step: str) -> list[str]:
        lines = []
        for asset, (count, rows) in self.materialized.pop(step, {}).items():
            parts = ([f"{count} partitions"] if count > 1 else []) + ([f"{rows:,} rows"] if rows is not None else [])
            lines.append(f"    materialized {asset}" + (f" ({'; '.join(parts)})" if parts else ""))
        return lines

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
