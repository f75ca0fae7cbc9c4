"""The records every reader returns."""

from __future__ import annotations

from dataclasses import dataclass, field

from piao_lod.problems import Location, Problem


@dataclass(frozen=True)
class SourceRow:
    """One physical row of a source: its 1-based line (text, CSV), sheet row (XLSX) or row on
    its page (PDF), and its cells.

    ``tabular`` is False for prose lines (titles, "DIRIGENTE: ..." markers) that are not
    table rows. ``sheet`` names the XLSX sheet, ``page`` the 1-based PDF page.
    """

    line: int
    cells: tuple[str, ...]
    tabular: bool = True
    sheet: str | None = None
    page: int | None = None

    @property
    def is_blank(self) -> bool:
        return not any(cell.strip() for cell in self.cells)


@dataclass(frozen=True)
class ReadNote:
    """Something the user must know about how the file was read (lines decoded as Windows-1252,
    a quote that swallowed lines, a formula without its value): a registered problem code, the
    parameters of its message, its place, and the text as written."""

    code: str
    params: dict = field(default_factory=dict)
    line: int | None = None
    column_number: int | None = None
    sheet: str | None = None
    value: str | None = None
    related_lines: tuple[int, ...] = ()

    def as_problem(self, file: str) -> Problem:
        return Problem(self.code, Location(file, self.line, None, self.sheet, None, self.column_number), self.params,
                       self.value, self.related_lines)


@dataclass
class RawTable:
    """What a reader returns: the rows, plus notes about how the file was read."""

    rows: list[SourceRow]
    media_type: str
    notes: list[ReadNote] = field(default_factory=list)
