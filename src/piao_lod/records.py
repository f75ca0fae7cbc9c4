"""The plan as plain records: what every converter produces and the graph builder consumes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from piao_lod.budget import BudgetReference
from piao_lod.enti import Ente
from piao_lod.pnrr import PnrrReference
from piao_lod.problems import Problem
from piao_lod.units import UnitReading
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
    """Where a record came from: a line of a text/CSV file, a row of a sheet, or a row on a PDF page.
    ``cells`` are the row's cells as written (trailing empty cells dropped); ``header`` the header row above it."""

    line: int
    sheet: str | None = None
    page: int | None = None
    cells: tuple[str, ...] = field(default=(), compare=False)
    header: RowRef | None = field(default=None, compare=False)


@dataclass(frozen=True)
class SettoreMention:
    """A settore cell as written, on the row that wrote it."""

    name: SettoreName
    row: RowRef


@dataclass(frozen=True)
class PersonName:
    """A dirigente as written: ``Dott.ssa Maria Rossi`` is ``Maria Rossi`` with the honorific ``Dott.ssa``."""

    raw: str
    name: str
    honorific: str | None = None


@dataclass(frozen=True)
class StrategicObjective:
    """The DUP's strategic objective an objective serves, with the mandate line above it where given."""

    code: str | None
    title: str
    mandate_line: str | None = None


@dataclass
class YearFigures:
    """What a row says of one year: the target, the achieved value and the achievement rate."""

    year: int | None                       # None: the plan's year (a single Target column)
    target: Target | None = None
    achieved: Target | None = None
    achievement_rate: ReadNumber | None = None


@dataclass
class Assignment:
    """One indicator applied to one objective: the row of the table that says so."""

    key: str
    row: RowRef
    indicator_code: str | None
    indicator_title: str
    formula: Formula | None
    purpose: str
    target: Target | None                  # the plan year's target
    weight: ReadNumber | None
    years: list[YearFigures] = field(default_factory=list)
    baseline: Target | None = None
    baseline_year: int | None = None
    unit: UnitReading | None = None
    indicator_key: str | None = None       # the indicator's IRI segment: its code, else from its title
    rows: list[RowRef] = field(default_factory=list)   # continuation rows whose text was appended


@dataclass
class Objective:
    key: str
    row: RowRef
    code: str | None
    title: str
    definition: str
    settore: SettoreMention | None
    dirigente: PersonName | None
    pnrr: list[PnrrReference] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)
    other_settori: list[SettoreMention] = field(default_factory=list)
    weight: ReadNumber | None = None
    missione: BudgetReference | None = None
    programma: BudgetReference | None = None
    strategic: StrategicObjective | None = None
    rows: list[RowRef] = field(default_factory=list)   # continuation rows whose text was appended

    @property
    def settori(self) -> list[SettoreMention]:
        return ([self.settore] if self.settore else []) + self.other_settori


@dataclass(frozen=True)
class PlanVersion:
    """Which version of the ente's plan for the year a document is: the original, an update.

    ``key`` is the version's IRI segment: from ``--version`` if given, else from what the document says
    (``aggiornamento``, the act that adopted it, its date), with the document's digest added when that
    alone would not tell two documents apart; ``adopted`` orders the versions of a plan."""

    key: str
    label: str | None = None          # as the document (or --version) says: "Aggiornamento"
    adopted: dt.date | None = None
    act: str | None = None            # the act as written: "Deliberazione di Giunta n. 45 del 15/03/2024"


@dataclass
class Plan:
    """One ente, one year, one source document: one version of the ente's plan for that year."""

    source: SourceDocument
    ente: Ente
    year: int
    objectives: list[Objective]
    problems: list[Problem] = field(default_factory=list)
    triennium: tuple[int, int] | None = None
    objective_weights_per: str = "settore"  # how the plan groups objective weights: "settore" or "dirigente"
    header_rows: list[RowRef] = field(default_factory=list)
    version: PlanVersion = field(default_factory=lambda: PlanVersion("versione"))
