"""The plan as plain records: what every converter produces and the graph builder consumes."""

from __future__ import annotations

from dataclasses import dataclass, field

from piao_lod.enti import Ente
from piao_lod.pnrr import PnrrReference
from piao_lod.problems import Problem
from piao_lod.values import Formula, ReadNumber, SettoreName, Target


@dataclass(frozen=True)
class SourceDocument:
    """The file a plan was read from; ``title``/``section`` are the document's own headings."""

    path: str
    file_name: str
    media_type: str
    sha256: str
    title: str | None = None
    section: str | None = None


@dataclass(frozen=True)
class RowRef:
    """Where a record came from: a line of a text/CSV file, a row of a sheet, or a row on a PDF page."""

    line: int
    sheet: str | None = None
    page: int | None = None


@dataclass(frozen=True)
class SettoreMention:
    """A settore cell as written, on the row that wrote it."""

    name: SettoreName
    row: RowRef


@dataclass
class Assignment:
    """One indicator applied to one objective: the row of the table that says so."""

    key: str
    row: RowRef
    indicator_code: str | None
    indicator_title: str
    formula: Formula | None
    purpose: str
    target: Target | None
    weight: ReadNumber | None


@dataclass
class Objective:
    key: str
    row: RowRef
    code: str | None
    title: str
    definition: str
    settore: SettoreMention | None
    dirigente: str | None
    pnrr: list[PnrrReference] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)


@dataclass
class Plan:
    """One ente, one year, one source document."""

    source: SourceDocument
    ente: Ente
    year: int
    objectives: list[Objective]
    problems: list[Problem] = field(default_factory=list)
