"""Read a plan table (text, CSV or XLSX) into a :class:`~piao_lod.records.Plan`.

The readers in ``converters/`` give raw rows; this module finds the header rows
(repeated at page breaks), the "DIRIGENTE:" blocks, continuation rows that leave
settore and objective empty, rows the PDF extraction shifted left by one cell,
and the document's own statements of ente and year. Every problem is collected
with its file, line and column; only an unusable file raises.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from piao_lod.columns import EXPECTED_FIELDS, FIELD_LABELS, REQUIRED_FIELDS, header_columns
from piao_lod.converters import RawTable, SourceRow, read_source_rows
from piao_lod.enti import Ente, describe_ente, ente_by_name, is_ipa_code
from piao_lod.errors import SourceError
from piao_lod.pnrr import find_pnrr_references, mentions_pnrr
from piao_lod.problems import Location, Problem, Severity
from piao_lod.records import Assignment, Objective, Plan, RowRef, SettoreMention, SourceDocument
from piao_lod.values import read_formula, read_number, read_settore_name, read_target

# Linear on any cell: whitespace runs are possessive (``\s*+``), and a name is matched as
# non-space runs joined by spaces (never a lazy ``.+?`` before ``\s*$``, which retries the
# trailing run at every character: minutes on a cell of spaces).
NAME = r"(?P<name>\S(?:[^\S\n]*+\S)*+)"
OBJECTIVE_CODE = re.compile(r"^\d+(?:\.\d+)*_\d+$")
INDICATOR_CODE = re.compile(r"^\d+$")
DIRIGENTE_MARKER = re.compile(rf"^\s*+DIRIGENTE\s*+:\s*+{NAME}\s*+$", re.IGNORECASE)
ENTE_MARKER = re.compile(rf"^\s*+COMUNE\s++DI\s++{NAME}\s*+$", re.IGNORECASE)
YEAR_MARKER = re.compile(r"\bPIANO\s++DEGLI\s++OBIETTIVI\s++(?:ANNO\s++)?(?P<year>\d{4})\b", re.IGNORECASE)
TRIENNIUM = re.compile(r"^\s*+(?P<first>\d{4})\s*+[-–—/]\s*+(?P<last>\d{4})\s*+$")
DOCUMENT_TITLE = re.compile(r"Piano\s++Integrato\s++di\s++Attivit", re.IGNORECASE)
INDICATOR_FIELDS = ("indicator_code", "indicator_title", "formula", "purpose", "target", "weight")


def read_plan_table(
    path: str | Path,
    ente: str | None = None,
    year: int | None = None,
    source_format: str | None = None,
) -> Plan:
    """Read one plan table. ``ente`` (IPA code) and ``year`` are used where the document is silent.

    Raises :class:`~piao_lod.errors.SourceError` only when nothing usable can be read.
    """
    path = Path(path)
    raw = read_source_rows(path, source_format)
    return PlanAssembler(path, raw).assemble(ente, year)


def row_ref(row: SourceRow) -> RowRef:
    return RowRef(row.line, row.sheet, row.page)


class PlanAssembler:
    """One pass over the raw rows, keeping the state a reader of the table keeps in mind."""

    def __init__(self, path: Path, raw: RawTable):
        self.path = path
        self.display = str(path)
        self.raw = raw
        self.problems: list[Problem] = []
        self.columns: dict[str, int] | None = None
        self.header_cells: tuple[str, ...] = ()
        self.header_line: int | None = None
        self.dirigente: str | None = None
        self.settore: SettoreMention | None = None
        self.objective: Objective | None = None
        self.objectives: list[Objective] = []
        self.objective_lines: dict[str, int] = {}
        self.indicator_titles: dict[str, dict[str, int]] = {}
        self.document_ente: str | None = None
        self.document_year: int | None = None
        self.triennium: tuple[int, int] | None = None
        self.title: str | None = None
        self.section: str | None = None
        self.column_values: dict[str, dict[str, int]] = {"ente": {}, "year": {}}

    # -- reporting -------------------------------------------------------------

    def report(self, code: str, severity: Severity, message: str, row: SourceRow | None = None,
               field: str | None = None, value: str | None = None, related: tuple[int, ...] = (),
               line: int | None = None, column: str | None = None) -> None:
        location = Location(self.display, row.line if row else line, column or self.column_label(field),
                            row.sheet if row else None, row.page if row else None)
        self.problems.append(Problem(code, severity, message, location, value, related))

    def column_label(self, field: str | None) -> str | None:
        if field is None:
            return None
        if self.columns and field in self.columns:
            index = self.columns[field]
            header = self.header_cells[index].strip() if index < len(self.header_cells) else ""
            return f"{header or FIELD_LABELS[field]}, column {index + 1}"
        return FIELD_LABELS.get(field, field)

    # -- the pass --------------------------------------------------------------

    def assemble(self, ente_flag: str | None, year_flag: int | None) -> Plan:
        self.problems.extend(note.as_problem(self.display) for note in self.raw.notes)
        for row in self.raw.rows:
            if row.is_blank:
                continue
            if not row.tabular or self.is_prose(row):
                self.read_prose(" ".join(cell.strip() for cell in row.cells if cell.strip()))
                continue
            columns = header_columns(row.cells)
            if columns is not None:
                self.start_table(row, columns)
            elif self.columns is None:
                self.read_prose(" ".join(cell.strip() for cell in row.cells if cell.strip()))
            else:
                self.read_data_row(row)
        if self.columns is None:
            raise SourceError(
                "no plan table found: no row names at least 3 known columns "
                "(e.g. Codice Obiettivo, Titolo Obiettivo, Codice Ind, Target Atteso, Peso)",
                self.display,
            )
        if not self.objectives:
            raise SourceError("the table has a header but no objective rows", self.display, self.header_line)
        self.report_indicator_title_conflicts()
        ente = self.resolve_ente(ente_flag)
        year = self.resolve_year(year_flag)
        return Plan(self.source_document(), ente, year, self.objectives, self.problems)

    def is_prose(self, row: SourceRow) -> bool:
        """A spreadsheet row with text only in its first cell is a heading, not data."""
        filled = [cell for cell in row.cells if cell.strip()]
        return len(filled) == 1 and bool(row.cells[0].strip()) and (
            self.columns is None or bool(DIRIGENTE_MARKER.match(row.cells[0]) or YEAR_MARKER.search(row.cells[0]))
        )

    def read_prose(self, text: str) -> None:
        if match := DIRIGENTE_MARKER.match(text):
            self.start_block(match["name"])
        elif (match := ENTE_MARKER.match(text)) and self.document_ente is None:
            self.document_ente = match["name"]
        elif match := YEAR_MARKER.search(text):
            if self.document_year is None:
                self.document_year = int(match["year"])
                self.section = " ".join(text.split())
        elif DOCUMENT_TITLE.search(text) and self.title is None:
            self.title = " ".join(text.split())
        elif (match := TRIENNIUM.match(text)) and self.triennium is None:
            self.triennium = (int(match["first"]), int(match["last"]))
            if self.title:
                self.title += " " + " ".join(text.split())

    def start_block(self, dirigente: str) -> None:
        """A new dirigente, by heading or in the Dirigente column, does not inherit the settore above."""
        self.dirigente, self.settore, self.objective = dirigente, None, None

    def start_table(self, row: SourceRow, columns: dict[str, int]) -> None:
        first_header = self.columns is None
        self.columns, self.header_cells = columns, row.cells
        if not first_header:
            return
        self.header_line = row.line
        missing = [FIELD_LABELS[field] for field in REQUIRED_FIELDS if field not in columns]
        if missing:
            raise SourceError(f"the header has no {' / '.join(missing)} column", self.display, row.line)
        for field in EXPECTED_FIELDS:
            if field not in columns:
                self.report("missing-column", Severity.ERROR,
                            f"the header has no {FIELD_LABELS[field]} column; those values are left empty", row)
        mapped = set(columns.values())
        for index, cell in enumerate(row.cells):
            if cell.strip() and index not in mapped:
                self.report("unknown-column", Severity.WARNING,
                            f"column {cell.strip()!r} is not a plan field (see vocabularies/columns.csv); "
                            "its values are not converted", row, column=f"{cell.strip()}, column {index + 1}")

    # -- data rows -------------------------------------------------------------

    def aligned_cells(self, row: SourceRow) -> list[str]:
        assert self.columns is not None
        width = max(len(self.header_cells), max(self.columns.values()) + 1)
        cells = list(row.cells)
        extra = [cell for cell in cells[width:] if cell.strip()]
        if extra:
            self.report("ragged-row", Severity.ERROR,
                        f"row has {len(cells)} cells but the header has {width}; the extra cells are not converted",
                        row, value=" | ".join(extra), column=f"column {width + 1}" if len(cells) == width + 1 else f"columns {width + 1}–{len(cells)}")
        cells = cells[:width]
        if len(cells) < width:
            if len(cells) <= max(self.columns.values()):
                self.report("short-row", Severity.WARNING,
                            f"row has {len(cells)} cells but the header has {width}; missing cells read as empty", row)
            cells += [""] * (width - len(cells))
        if not cells[-1].strip():
            shifted = [""] + cells[:-1]
            if self.alignment_score(shifted) > self.alignment_score(cells):
                self.report("realigned-row", Severity.INFO,
                            "row was shifted left by one cell (PDF extraction); realigned to the header", row)
                return shifted
        return cells

    def alignment_score(self, cells: list[str]) -> int:
        value = self.cell_getter(cells)
        score = 2 * bool(OBJECTIVE_CODE.match(value("objective_code"))) + 2 * bool(INDICATOR_CODE.match(value("indicator_code")))
        score += sum(read_number(value(field)).value is not None for field in ("target", "weight"))
        return score - 2 * bool(OBJECTIVE_CODE.match(value("settore")))

    def cell_getter(self, cells: list[str]):
        columns = self.columns or {}

        def value(field: str) -> str:
            index = columns.get(field)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        return value

    def read_data_row(self, row: SourceRow) -> None:
        value = self.cell_getter(self.aligned_cells(row))
        for field in ("ente", "year"):
            if value(field):
                self.column_values[field].setdefault(value(field), row.line)
        if value("dirigente") and value("dirigente") != self.dirigente:
            self.start_block(value("dirigente"))
        if value("settore"):
            self.mention_settore(row, value("settore"))
        if value("objective_code") or value("objective_title"):
            if not self.continues_objective(value):
                self.start_objective(row, value)
        elif value("settore") and self.objective is not None and self.objective.settore is not self.settore:
            self.objective = None
        if any(value(field) for field in INDICATOR_FIELDS):
            self.add_assignment(row, value)

    def mention_settore(self, row: SourceRow, text: str) -> None:
        """A settore repeated on every row (a filled-in CSV) stays one mention, so its objective continues."""
        if self.settore is None or self.settore.name.raw != text:
            self.settore = SettoreMention(read_settore_name(text), row_ref(row))

    def continues_objective(self, value) -> bool:
        current = self.objective
        return (
            current is not None
            and value("objective_code") == (current.code or "")
            and value("objective_title") in ("", current.title)
            and value("objective_definition") in ("", current.definition)
            and (not value("settore") or current.settore is self.settore)
        )

    def start_objective(self, row: SourceRow, value) -> None:
        code = value("objective_code") or None
        title = value("objective_title")
        if code is None:
            self.report("missing-objective-code", Severity.ERROR,
                        "objective has a title but no code; it gets a name from its line", row, "objective_code", title)
            key = f"riga-{row.line}"
        else:
            key = code
        if key in self.objective_lines:
            first = self.objective_lines[key]
            number = sum(1 for objective in self.objectives if objective.code == code) + 1
            self.report("duplicate-objective-code", Severity.ERROR,
                        f"objective code {code} is also used at line {first}; both are kept, this one as {code}--{number}",
                        row, "objective_code", code, (first, row.line))
            key = f"{code}--{number}"
        self.objective_lines.setdefault(key, row.line)
        if self.settore is None:
            self.report("missing-settore", Severity.WARNING, "objective has no settore (none written above it in this block)",
                        row, "settore")
        if self.dirigente is None:
            self.report("missing-dirigente", Severity.WARNING,
                        "objective has no dirigente (no DIRIGENTE: heading or Dirigente column)", row, "dirigente")
        objective = Objective(key, row_ref(row), code, title, value("objective_definition"),
                              self.settore, self.dirigente, self.pnrr_references(row, title))
        self.objectives.append(objective)
        self.objective = objective

    def pnrr_references(self, row: SourceRow, title: str):
        references = find_pnrr_references(title)
        for reference in references:
            if reference.linked_notation is None:
                self.report("unknown-pnrr-code", Severity.ERROR,
                            f"PNRR code {reference.notation} is not in the PNRR scheme; left unlinked",
                            row, "objective_title", reference.as_written)
            elif not reference.exact:
                self.report("pnrr-code-not-in-scheme", Severity.WARNING,
                            f"PNRR code {reference.notation} is not in the PNRR scheme; linked to the measure "
                            f"that contains it, {reference.linked_notation}", row, "objective_title", reference.as_written)
        if not references and mentions_pnrr(title):
            self.report("pnrr-without-code", Severity.WARNING,
                        "title mentions PNRR but gives no measure code (e.g. M5C2-I2.1); left unlinked",
                        row, "objective_title", title)
        return references

    def add_assignment(self, row: SourceRow, value) -> None:
        if self.objective is None:
            cells = " | ".join(value(field) for field in INDICATOR_FIELDS if value(field))
            self.report("row-without-objective", Severity.ERROR,
                        "indicator row comes before any objective in its block; not converted", row, value=cells)
            return
        code = value("indicator_code") or None
        key = code or f"riga-{row.line}"
        if code is None:
            self.report("missing-indicator-code", Severity.ERROR,
                        "indicator row has no indicator code; kept on the objective without a shared indicator",
                        row, "indicator_code")
        taken = {assignment.key for assignment in self.objective.assignments}
        if key in taken:
            number = sum(1 for assignment in self.objective.assignments if assignment.indicator_code == code) + 1
            self.report("duplicate-indicator-in-objective", Severity.ERROR,
                        f"indicator {code} appears more than once in objective {self.objective.code}", row,
                        "indicator_code", code)
            key = f"{key}--{number}"
        formula = read_formula(value("formula")) if value("formula") else None
        if formula is not None and formula.latex_problem:
            self.report("unreadable-latex", Severity.WARNING, f"LaTeX of the formula not read ({formula.latex_problem}); "
                        "kept as written, and as its plain text", row, "formula", formula.raw)
        target = read_target(value("target"), value("formula")) if value("target") else None
        if target is not None and target.value is None:
            self.report("unreadable-target", Severity.ERROR, "target is not a number; kept as written",
                        row, "target", target.raw)
        weight = read_number(value("weight")) if value("weight") else None
        if weight is not None and weight.value is None:
            self.report("unreadable-weight", Severity.ERROR, "weight is not a number; kept as written",
                        row, "weight", weight.raw)
        if code:
            self.indicator_titles.setdefault(code, {}).setdefault(value("indicator_title"), row.line)
        self.objective.assignments.append(Assignment(
            key, row_ref(row), code, value("indicator_title"), formula, value("purpose"), target, weight))

    def report_indicator_title_conflicts(self) -> None:
        for code, titles in self.indicator_titles.items():
            if len(titles) > 1:
                lines = tuple(sorted(titles.values()))
                described = "; ".join(f"line {line}: {title!r}" for title, line in sorted(titles.items(), key=lambda item: item[1]))
                self.problems.append(Problem(
                    "indicator-title-conflict", Severity.WARNING,
                    f"indicator {code} has {len(titles)} different titles ({described})",
                    Location(self.display, lines[-1], FIELD_LABELS["indicator_title"]), None, lines))

    # -- plan metadata ---------------------------------------------------------

    def single_column_value(self, field: str) -> str | None:
        values = self.column_values[field]
        if len(values) > 1:
            listed = ", ".join(f"{text!r} (line {line})" for text, line in values.items())
            raise SourceError(f"one plan per file: the {FIELD_LABELS[field]} column has several values: {listed}",
                              self.display, column=FIELD_LABELS[field])
        return next(iter(values), None)

    def resolve_ente(self, flag: str | None) -> Ente:
        stated = self.single_column_value("ente") or self.document_ente
        if stated and is_ipa_code(stated):
            ente = describe_ente(stated, None)
        elif stated and (known := ente_by_name(stated)):
            ente = known
        elif flag:
            return describe_ente(flag, stated)
        elif stated:
            raise SourceError(f"the document names the ente {stated!r} but its IPA code is not known: "
                              "pass --ente with the IPA code (e.g. c_d150)", self.display)
        else:
            raise SourceError("the document does not say which ente it belongs to: pass --ente with the IPA "
                              "code (e.g. c_d150)", self.display)
        if flag and flag != ente.ipa_code:
            self.report("option-overridden", Severity.WARNING,
                        f"--ente {flag} ignored: the document says {stated!r} ({ente.ipa_code})")
        return ente

    def resolve_year(self, flag: int | None) -> int:
        stated_text = self.single_column_value("year")
        stated = self.document_year
        if stated_text is not None:
            if not re.fullmatch(r"\d{4}", stated_text):
                raise SourceError(f"the Anno column holds {stated_text!r}, not a year", self.display,
                                  self.column_values["year"][stated_text], FIELD_LABELS["year"])
            stated = int(stated_text)
        if stated is None and flag is None and self.triennium:
            stated = self.triennium[0]
            self.report("year-from-triennium", Severity.INFO,
                        f"objectives year not stated; using the first year of the triennium {self.triennium[0]}–{self.triennium[1]}")
        if stated is None:
            if flag is None:
                raise SourceError("the document does not say the plan's year: pass --year YYYY", self.display)
            return flag
        if flag is not None and flag != stated:
            self.report("option-overridden", Severity.WARNING, f"--year {flag} ignored: the document says {stated}")
        return stated

    def source_document(self) -> SourceDocument:
        digest = hashlib.sha256(self.path.read_bytes()).hexdigest()
        return SourceDocument(self.display, self.path.name, self.raw.media_type, digest, self.title, self.section)
