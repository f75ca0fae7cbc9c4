"""Data problems found while reading a plan, reported as values (never raised).

Modelled on frictionless' errors: every problem has a stable ``code`` slug, a
severity, a human message and the place in the source (file, line, column).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, order=True)
class Location:
    """A place in a source file: 1-based line (text/CSV), row (XLSX) or row on a page (PDF), and column."""

    file: str
    line: int | None = None
    column: str | None = None
    sheet: str | None = None
    page: int | None = None

    def __str__(self) -> str:
        where = self.file
        if self.sheet:
            where += f"#{self.sheet}"
        if self.page is not None:
            where += f", page {self.page}"
            if self.line is not None:
                where += f", row {self.line}"
        elif self.line is not None:
            where += f":{self.line}"
        if self.column:
            where += f" [{self.column}]"
        return where


@dataclass(frozen=True)
class Problem:
    code: str
    severity: Severity
    message: str
    location: Location
    value: str | None = None
    related_lines: tuple[int, ...] = field(default=())

    def __str__(self) -> str:
        text = f"{self.location}: {self.severity.value}: {self.message}"
        if self.value is not None:
            text += f" (value: {self.value!r})"
        return text + f" [{self.code}]"

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "file": self.location.file,
            "sheet": self.location.sheet,
            "page": self.location.page,
            "line": self.location.line,
            "column": self.location.column,
            "value": self.value,
            "related_lines": list(self.related_lines),
        }


def counts_as_data_problem(problem: Problem) -> bool:
    """Errors and warnings make ``convert`` exit 1; info notes (e.g. realigned rows) do not."""
    return problem.severity in (Severity.ERROR, Severity.WARNING)


READING_ONLY_CODES = frozenset({
    "encoding", "unreadable-rows", "ragged-row", "short-row", "realigned-row", "missing-column", "unknown-column",
    "row-without-objective", "pnrr-code-not-in-scheme", "option-overridden", "year-from-triennium",
    "unclosed-quote", "formula-without-value", "unreadable-latex",
})
"""Problems only the reader can see: the graph has no trace of them, so ``validate``
reports them beside the SHACL results. Every other problem code has a shape."""
