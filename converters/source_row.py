"""The records every reader returns."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SourceRow:
    """One physical row of a source: its 1-based line (or spreadsheet row) and its cells.

    ``tabular`` is False for prose lines of extracted text (titles, "DIRIGENTE: ..."
    markers) that are not table rows.
    """

    line: int
    cells: tuple[str, ...]
    tabular: bool = True
    sheet: str | None = None

    @property
    def is_blank(self) -> bool:
        return not any(cell.strip() for cell in self.cells)


@dataclass
class RawTable:
    """What a reader returns: the rows, plus notes about how the file was read."""

    rows: list[SourceRow]
    media_type: str
    notes: list[str] = field(default_factory=list)
