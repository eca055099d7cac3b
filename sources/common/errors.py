"""Errors a parser raises: each names the file, the row, the column and the rule that failed."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

MAX_EXAMPLES = 10


@dataclass(frozen=True)
class Problem:
    """One concrete failing value (or header) with where it was found."""

    rule: str
    message: str
    column: str | None = None
    row: int | None = None
    value: str | None = None

    def describe(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        value = f" value {self.value!r}" if self.value is not None else ""
        return f"[{self.rule}] {', '.join(where) or 'file'}:{value} {self.message}".strip()


@dataclass
class ParseError(Exception):
    """A raw file could not be turned into its canonical table."""

    file: str
    rule: str
    message: str
    problems: list[Problem] = field(default_factory=list)
    failing_count: int | None = None

    def __post_init__(self) -> None:
        super().__init__(self.summary())

    def summary(self) -> str:
        count = f" ({self.failing_count} failing values)" if self.failing_count else ""
        lines = [f"{self.file}: [{self.rule}] {self.message}{count}"]
        lines += [f"  - {p.describe()}" for p in self.problems[:MAX_EXAMPLES]]
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {
            "file": self.file,
            "rule": self.rule,
            "message": self.message,
            "failing_count": self.failing_count,
            "examples": [asdict(p) for p in self.problems[:MAX_EXAMPLES]],
        }


class UnknownLayoutError(ParseError):
    """The header matches no known publication era: we refuse to guess a mapping."""
