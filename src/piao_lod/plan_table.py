"""Read a plan table (text, CSV, XLSX, PDF) into a :class:`~piao_lod.records.Plan`.

The readers in ``converters/`` give raw rows; this module finds the header rows (repeated at page
breaks, spread over two rows, under title rows, on any sheet), the blocks opened by headings such
as ``DIRIGENTE: NAME``, continuation rows that leave objective cells empty or repeat them, rows
the PDF extraction shifted left by one cell, cells that continue the text of the cell above, and
the document's own statements of ente and year. Every problem is collected with its file, line
and column; only an unusable file raises.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from piao_lod.budget import mission_of, read_mission, read_programme
from piao_lod.columns import (EXPECTED_FIELDS, FIELD_LABELS, REQUIRED_FIELDS, YEARLY_FIELDS, Column, HeaderVocabulary,
                              TableLayout, bundled_vocabulary, header_key, is_sub_header, merge_header_rows, read_layout,
                              repeats_merged_cells, without_years)
from piao_lod.converters import MAX_ROW_CHARS, RawTable, SourceRow, read_source_rows
from piao_lod.enti import Ente, describe_ente, ente_by_name, is_ipa_code
from piao_lod.errors import SourceError
from piao_lod.iris import slug
from piao_lod.messages import N_
from piao_lod.pnrr import find_pnrr_references, mentions_pnrr
from piao_lod.problems import Amount, Listing, Location, Phrase, Phrases, Problem, Term, quoted
from piao_lod.layout_profiles import Profile, bundled_profiles, default_block_headings, load_profile
from piao_lod.reading import ReadingOptions
from piao_lod.records import (Assignment, Objective, PersonName, Plan, PlanVersion, RowRef, SettoreMention,
                              SourceDocument, StrategicObjective, YearFigures)
from piao_lod.resources import vocabulary_file
from piao_lod.units import read_target_with_unit, read_unit
from piao_lod.values import (Target, TargetKind, read_date, read_day_month, read_formula, read_number,
                             read_settore_name, yes_no)

OBJECTIVE_CODE = re.compile(r"^\d+(?:\.\d+)*_\d+$")
INDICATOR_CODE = re.compile(r"^\d+$")
ENTE_MARKER = re.compile(r"^\s*COMUNE\s+DI\s+(?P<name>[^\W\d_][^.,;:()]{0,60})$", re.IGNORECASE)   # a heading, not a sentence
YEAR_MARKER = re.compile(r"\b(?:PIANO\s+DEGLI\s+OBIETTIVI|PIANO\s+DELLA\s+PERFORMANCE|RELAZIONE\s+SULLA\s+PERFORMANCE|"
                         r"OBIETTIVI\s+DI\s+PERFORMANCE|PIANO\s+ESECUTIVO\s+DI\s+GESTIONE|PEG)\s+(?:ANNO\s+)?"
                         r"(?P<year>(?:19|20)\d\d)\b(?!\s*[-–—/]\s*\d)", re.IGNORECASE)
TRIENNIUM_IN_TITLE = re.compile(r"\b(?P<first>20\d\d)\s*[-–—/]\s*(?P<last>20\d\d)\b")
TRIENNIUM = re.compile(r"^\s*(?P<first>\d{4})\s*[-–—/]\s*(?P<last>\d{4})\s*$")
DOCUMENT_TITLE = re.compile(r"Piano\s+Integrato\s+di\s+Attivit", re.IGNORECASE)
UPDATE_WORDS = re.compile(r"(?<!\bin )\b(?P<word>(?:(?:primo|secondo|terzo|I|II|III)\s+)?(?:aggiornamento|variazione|modifica|"
                          r"revisione|rettifica|integrazione))\b(?:\s+(?:n\.?|nr\.?|numero)\s*(?P<number>\d{1,3}))?",
                          re.IGNORECASE)
PLAN_WORDS = re.compile(r"\b(?:piano|PIAO|obiettivi|performance)\b", re.IGNORECASE)
ADOPTING_ACT = re.compile(r"(?P<act>\b(?:deliberazione|delibera|decreto|determinazione|D\.\s?G\.\s?C\.|D\.\s?C\.\s?C\.|DGC|DCC)"
                          r"[^\n]{0,80}?\b(?:n\.|nr\.|numero|n)\s*(?P<number>\d{1,5})(?:\s*/\s*(?:19|20)\d\d)?\s*"
                          r"(?:del|in\s+data|dd\.?)\s*(?P<date>\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})))", re.IGNORECASE)
ADOPTED_ON = re.compile(r"\b(?:approvat[oa]|adottat[oa])\b[^\n]{0,40}?\b(?:il|in\s+data)\s*"
                        r"(?P<date>\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2}))", re.IGNORECASE)
PAGE_FURNITURE = re.compile(r"^(?:pag(?:ina)?\.?\s*)?\d{1,4}(?:\s*(?:di|/|of)\s*\d{1,4})?$", re.IGNORECASE)
# A match starts only where a run of spaces starts, and takes the run once: ``\s*(?:...)`` retried the run at
# every position of it (quadratic on a cell of spaces).
SETTORE_SEPARATORS = re.compile(r"(?<![^\S\n])[^\S\n]*+(?:\n|;|(?<=\s)[/|](?=\s))\s*+")
LONGEST_PROSE = 2000
A_NUMBER = N_("a number")
EXPECTED_KIND = {TargetKind.NUMBER: A_NUMBER, TargetKind.PERCENTAGE: N_("a percentage"),
                 TargetKind.BOOLEAN: N_("yes or no (SI/NO, 1/0)"), TargetKind.DATE: N_("a date (31/12/2025)")}

# Fields that hold the block a row belongs to, written (or merged down) on every row, totals rows included.
CONTEXT_FIELDS = frozenset({"ente", "year", "settore", "dirigente", "missione", "programma", "mandate_line",
                            "strategic_code", "strategic_title"})
OBJECTIVE_FIELDS = ("objective_code", "objective_title", "objective_definition")
INDICATOR_FIELDS = ("indicator_code", "indicator_title", "formula", "purpose", "unit", "weight",
                    "baseline", "target", "achieved", "achievement_rate")
# Cells that may continue the text of the cell above (a definition wrapped onto a row of its own).
TEXT_FIELDS = ("objective_title", "objective_definition", "indicator_title", "formula", "purpose")
CONTINUED_ATTRIBUTES = {"objective_title": "title", "objective_definition": "definition",
                        "indicator_title": "indicator_title", "formula": "formula", "purpose": "purpose"}
MAX_TITLE_SLUG = 60


def read_plan_table(
    path: str | Path,
    ente: str | None = None,
    year: int | None = None,
    source_format: str | None = None,
    *,
    options: ReadingOptions | None = None,
) -> Plan:
    """Read one plan table. ``ente`` (IPA code) and ``year`` are used where the document is silent;
    ``options`` gives every reading option at once (it wins over the three above).

    Raises :class:`~piao_lod.errors.SourceError` only when nothing usable can be read.
    """
    options = options or ReadingOptions(ente, year, source_format)
    path = Path(path)
    profile = load_profile(options.profile) if options.profile else None
    raw = read_source_rows(path, options.source_format, options.pages)
    return PlanAssembler(path, raw, profile).assemble(options.ente, options.year, options.version, options.version_date)


def row_key(row: SourceRow) -> str:
    """The key of a record with no code and no title, after its row: ``riga-12``, ``pagina-3-riga-12`` (PDF)."""
    return f"pagina-{row.page}-riga-{row.line}" if row.page is not None else f"riga-{row.line}"


def row_ref(row: SourceRow, header: RowRef | None = None) -> RowRef:
    cells = list(row.cells)
    while cells and not cells[-1].strip():
        cells.pop()
    return RowRef(row.line, row.sheet, row.page, tuple(cells), header)


@lru_cache(maxsize=1)
def honorifics() -> tuple[str, ...]:
    with vocabulary_file("honorifics.csv").open(encoding="utf-8", newline="") as handle:
        return tuple(sorted((row["honorific"] for row in csv.DictReader(handle)), key=len, reverse=True))


@lru_cache(maxsize=1)
def row_labels() -> tuple[tuple[str, re.Pattern], ...]:
    """The labels of rows that are not records (``Totale pesi``, ``Note:``, ``Fonte:``), from
    ``vocabularies/row-labels.csv``."""
    with vocabulary_file("row-labels.csv").open(encoding="utf-8", newline="") as handle:
        return tuple((row["kind"], re.compile(row["pattern"], re.IGNORECASE)) for row in csv.DictReader(handle))


def row_label(cell: str) -> str | None:
    """``total`` or ``note`` for a cell that labels such a row, else None."""
    text = " ".join(cell[:LONGEST_PROSE].split())
    return next((kind for kind, pattern in row_labels() if pattern.match(text)), None)


def is_totals_row(cells: tuple[str, ...] | list[str], context: frozenset[int] = frozenset()) -> bool:
    """A row that totals the table: a ``Totale`` label, and nothing but numbers (or formulas) beside it, save in
    the ``context`` columns (settore, dirigente...: a cell merged down over the totals row gives them text)."""
    filled = [(index, cell.strip()) for index, cell in enumerate(cells) if cell.strip()]
    labels = {index for index, cell in filled if row_label(cell) == "total"}
    return bool(labels) and all(index in labels or index in context or cell.startswith("=")
                                or read_number(cell).value is not None for index, cell in filled)


def labelled_person(text: str) -> str | None:
    """The name after a label that says it is the dirigente (``Responsabile: Maria Rossi``), else None."""
    return next((value for heading in default_block_headings() if heading.field == "dirigente"
                 and (value := heading.value(text))), None)


def split_settore_cell(text: str) -> tuple[str, str | None]:
    """A settore cell that names its dirigente on a line below (``Settore Servizi Sociali`` over ``Dott.ssa Maria
    Rossi`` or ``Responsabile: Maria Rossi``): the settore, and that line (None when no line names a person)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for index in range(1, len(lines)):
        if labelled_person(lines[index]) or read_person(lines[index]).honorific:
            return "\n".join(lines[:index] + lines[index + 1:]), lines[index]
    if len(lines) == 1 and (found := person_in_line().search(lines[0][:LONGEST_PROSE])):
        return lines[0][:found.start()].rstrip(" -–,;"), lines[0][found.start():].strip(" -–,;")   # lines joined (PDF)
    return text, None


@lru_cache(maxsize=1)
def person_in_line() -> re.Pattern:
    """Where a person starts inside a settore's line, once a PDF has joined the lines of its cell (``Settore
    Servizi Sociali Dott.ssa Maria Rossi``): a label (``Responsabile:``) or a dotted or long honorific, after a
    word, before a capitalised name."""
    titles = [re.escape(title) for title in honorifics() if title.endswith(".") or len(title) > 5]
    return re.compile(rf"(?<=\w)[\s\-–,;]++(?:(?:Responsabile|Dirigente|Resp\.)\s*+[:\-–]|(?:{'|'.join(titles)})(?!\w))"
                      r"\s*+(?=[A-ZÀ-Ý])")


def read_person(raw: str) -> PersonName:
    """``Dott.ssa Maria Rossi`` -> ``Maria Rossi``, honorific ``Dott.ssa`` (kept apart, never in the IRI); several
    honorifics (``Cav. Uff. Dott. Mario Bianchi``) are kept together; a label before the name (``Responsabile: Maria
    Rossi``) is not part of it."""
    name = " ".join(raw.split())
    name = labelled_person(name) or name
    titles = []
    while (honorific := leading_honorific(name)) and (rest := name[len(honorific):].strip(" .")):
        titles.append(name[:len(honorific)])
        name = rest
    return PersonName(raw, name, " ".join(titles) or None)


def leading_honorific(name: str) -> str | None:
    """The honorific ``name`` starts with (``Dott`` in ``Dott Maria``, not in ``Dottori``), else None."""
    return next((honorific for honorific in honorifics() if name.casefold().startswith(honorific.casefold()) and (
        len(name) == len(honorific) or not name[len(honorific)].isalpha() or honorific.endswith("."))), None)


def path_text(path: str) -> str:
    """A path as text the RDF can hold: a name that is not UTF-8 (a Windows zip's Latin-1 ``attivit\xe0.csv``,
    which Python keeps as lone surrogates) read as Windows-1252."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return path.encode("utf-8", "surrogateescape").decode("cp1252", "replace")
    return path


def title_key(title: str) -> str:
    """An IRI segment from a title: ``titolo-`` and its slug, shortened with a digest when long."""
    normalised = header_key(title)
    text = slug(normalised)
    if len(text) > MAX_TITLE_SLUG:
        digest = hashlib.sha256(normalised.encode()).hexdigest()[:8]
        text = text[:MAX_TITLE_SLUG].rstrip("-") + "-" + digest
    return f"titolo-{text}"


class PlanAssembler:
    """One pass over the raw rows, keeping the state a reader of the table keeps in mind."""

    def __init__(self, path: Path, raw: RawTable, profile: Profile | None = None):
        self.path = path
        self.display = path_text(str(path))
        self.raw = raw
        self.profile = profile or self.matching_profile(raw)
        self.vocabulary: HeaderVocabulary = bundled_vocabulary()
        if self.profile:
            self.vocabulary = self.vocabulary.with_names(self.profile.columns)
        self.block_headings = (self.profile.blocks if self.profile else ()) + default_block_headings()
        self.problems: list[Problem] = []
        self.layout: TableLayout | None = None
        self.header: RowRef | None = None
        self.header_rows: list[RowRef] = []
        self.layouts: dict[tuple, TableLayout] = {}       # every header layout met, by its signature
        self.layout_lines: dict[tuple, int] = {}          # the line of its first header row
        self.dirigente: PersonName | None = None
        self.settore: SettoreMention | None = None
        self.settore_used = True
        self.objective: Objective | None = None
        self.objectives: list[Objective] = []
        self.objective_lines: dict[str, int] = {}
        self.indicator_titles: dict[str, dict[str, SourceRow]] = {}   # code -> title -> first row writing it
        self.yearless: list[tuple[SourceRow, Column, Target, int | str | None]] = []   # dates without a year, and their year key
        self.document_ente: str | None = None
        self.document_year: int | None = None
        self.triennium: tuple[int, int] | None = None
        self.title: str | None = None
        self.section: str | None = None
        self.headings: set[str] = set()
        self.version_label: str | None = None
        self.version_act: str | None = None
        self.version_number: str | None = None
        self.version_adopted = None
        self.pending_prose: list[tuple[SourceRow, str]] = []
        self.column_values: dict[str, dict[str, int]] = {"ente": {}, "year": {}}
        self.sheet: str | None = None
        self.sheets_with_table: set[str | None] = set()
        self.sheets_seen: list[str | None] = []

    @staticmethod
    def matching_profile(raw: RawTable) -> Profile | None:
        profiles = bundled_profiles()
        for row in raw.rows:
            if row.tabular and not row.is_blank:
                for profile in profiles:
                    if profile.matches(row.cells):
                        return profile
        return None

    # -- reporting -------------------------------------------------------------

    def report(self, kind: str, row: SourceRow | None = None, at: str | None = None, value: str | None = None,
               related: tuple[int, ...] = (), line: int | None = None, column: Column | None = None,
               column_number: int | None = None, header: str | None = None, **params) -> None:
        """One problem, located at ``row`` and at the column of field ``at`` (or ``column``, or a column number);
        ``value`` is the text as written, ``params`` fill the message."""
        if column is None and at is not None and self.layout is not None:
            column = self.layout.single(at) or next(iter(self.layout.of_field(at)), None)
        if column is not None:
            header, column_number = column.header, column.index + 1
        location = Location(self.display, row.line if row else line, header, row.sheet if row else None,
                            row.page if row else None, column_number)
        self.problems.append(Problem(kind, location, params, value, related))

    # -- the pass --------------------------------------------------------------

    def assemble(self, ente_flag: str | None, year_flag: int | None, version_flag: str | None = None,
                 version_date=None) -> Plan:
        self.problems.extend(note.as_problem(self.display) for note in self.raw.notes)   # headers named after the pass
        rows = [row for row in self.raw.rows if not row.is_blank]
        index = 0
        while index < len(rows):
            row = rows[index]
            if row.sheet != self.sheet or not self.sheets_seen:
                self.enter_sheet(row.sheet)
            if not row.tabular or self.is_heading_row(row):
                self.read_prose(" ".join(cell.strip() for cell in row.cells if cell.strip()), row)
                index += 1
                continue
            used = self.try_header(rows, index)
            if used:
                index += used
                continue
            if self.layout is None:
                self.read_prose(" ".join(cell.strip() for cell in row.cells if cell.strip()), row)
            else:
                self.read_data_row(row)
            index += 1
        if not self.sheets_with_table:
            raise self.no_table_error()
        if not self.objectives:
            raise SourceError(N_("the table has a header but no objective rows"), self.display,
                              self.header_rows[0].line if self.header_rows else None)
        self.report_unused_settore()
        self.name_note_columns()
        self.read_merged_weights()
        if not any(objective.settore for objective in self.objectives) and "settore" not in {
                column.field for column in self.all_columns()}:
            header = self.header_rows[0]
            self.problems.append(Problem("missing-column", Location(self.display, header.line, None, header.sheet,
                                                                    header.page), {"what": Term(FIELD_LABELS["settore"])}))
        for sheet in self.sheets_seen:
            if sheet not in self.sheets_with_table and sheet is not None:
                self.report("sheet-skipped", sheet=sheet)
        self.report_indicator_title_conflicts()
        ente = self.resolve_ente(ente_flag)
        year = self.resolve_year(year_flag)
        triennium = self.triennium if self.triennium and self.triennium[0] <= year <= self.triennium[1] else (year, year + 2)
        self.finish_years(year, triennium)
        self.assign_indicator_keys()
        per = (self.profile.objective_weights_per if self.profile and self.profile.objective_weights_per else
               "settore" if any(objective.settore for objective in self.objectives) else "dirigente")
        document = self.source_document()
        return Plan(document, ente, year, self.objectives, self.problems, triennium, per, self.header_rows,
                    self.plan_version(document, version_flag, version_date))

    def name_note_columns(self) -> None:
        """A reader's note on a cell (a formula without its value) names the column by the header it sits under
        (the last header row above it on its sheet), as every other problem does; the readers know only its number."""
        for index, note in enumerate(self.raw.notes):
            if note.column_number is None or note.line is None:
                continue
            header = next((header for header in reversed(self.header_rows)
                           if header.sheet == note.sheet and header.line <= note.line), None)
            if header is not None and note.column_number <= len(header.cells):
                text = " ".join(header.cells[note.column_number - 1].split())
                if text:
                    problem = self.problems[index]
                    self.problems[index] = replace(problem, location=replace(problem.location, column=text))

    def read_merged_weights(self) -> None:
        """A ``Peso`` column written once an objective, on its first row, over objectives of several indicators
        (a cell merged down over them) weighs the objectives, not their first indicators."""
        if any(column.field == "objective_weight" for column in self.all_columns()):
            return
        weighted = [objective for objective in self.objectives if objective.assignments]
        if not any(len(objective.assignments) > 1 for objective in weighted) or not all(
                objective.assignments[0].weight is not None and objective.assignments[0].row is objective.row
                and all(assignment.weight is None for assignment in objective.assignments[1:])
                for objective in weighted):
            return
        for objective in weighted:
            objective.weight, objective.assignments[0].weight = objective.assignments[0].weight, None
        column = next(column for column in self.all_columns() if column.field == "weight")
        header = self.header_rows[0]
        self.problems.append(Problem("weight-of-objectives", Location(
            self.display, header.line, column.header, header.sheet, header.page, column.index + 1),
            {"name": column.header}))

    def plan_version(self, document: SourceDocument, flag: str | None, flag_date) -> PlanVersion:
        """The version this document is. Its key says what the document says (or ``--version``); the digest of
        the document is added when nothing it says tells it apart from another document of the same plan."""
        adopted = flag_date or self.version_adopted
        if flag:
            return PlanVersion(slug(flag), flag, adopted, self.version_act)
        parts = [slug(self.version_label) if self.version_label else "versione"]
        if adopted:
            parts.append(adopted.isoformat())
        if self.version_number:
            parts.append(f"n{self.version_number}")
        if not adopted and not self.version_number:
            parts.append(document.sha256[:8])
        return PlanVersion("-".join(parts), self.version_label, adopted, self.version_act)

    def no_table_error(self) -> SourceError:
        best = max((row for row in self.raw.rows if row.tabular), default=None,
                   key=lambda row: sum(1 for cell in row.cells if cell.strip()))
        found = quoted(" ".join(cell.split()) for cell in (best.cells if best else ()) if cell.strip())
        expected = Phrases(tuple(Term(FIELD_LABELS[name]) for name in (
            "objective_code", "objective_title", "settore", "indicator_title", "target", "weight")), ", ")
        if best and found.items:
            return SourceError(N_("no plan table found: no row names at least 3 known columns (this one has: {found}). "
                                  "Expected columns such as {expected} (see vocabularies/columns.csv). Run `piao-lod "
                                  "inspect {file}` to see how each column reads, then map the others with --profile"),
                               self.display, best.line, found=found, expected=expected, file=self.display)
        return SourceError(N_("no plan table found: no row names at least 3 known columns. Expected columns such as "
                              "{expected} (see vocabularies/columns.csv). Run `piao-lod inspect {file}` to see how each "
                              "column reads, then map the others with --profile"),
                           self.display, expected=expected, file=self.display)

    def enter_sheet(self, sheet: str | None) -> None:
        """A new sheet has a table (and a header) of its own; blocks do not carry over."""
        if self.sheets_seen:
            self.report_unused_settore()
        self.sheet = sheet
        self.sheets_seen.append(sheet)
        self.layout, self.header = None, None
        self.pending_prose.clear()
        self.dirigente, self.settore, self.objective = None, None, None
        self.settore_used = True

    def is_heading_row(self, row: SourceRow) -> bool:
        """A spreadsheet row with text only in its first cell is a heading, not data."""
        filled = [cell for cell in row.cells if cell.strip()]
        if len(filled) == 1 and row_label(filled[0]) == "note":
            return True                    # a note under the table (``Note: ...``, ``Fonte: ...``) is prose
        if len(filled) != 1 or not row.cells[0].strip():
            return False
        text = row.cells[0].strip()
        return self.layout is None or self.block_heading(text) is not None or bool(YEAR_MARKER.search(text[:LONGEST_PROSE]))

    def block_heading(self, text: str) -> tuple[str, str] | None:
        for heading in self.block_headings:
            value = heading.value(text)
            if value:
                return heading.field, value
        return None

    def read_version_statement(self, text: str) -> None:
        """What the document says of which version it is: an update (``AGGIORNAMENTO PIANO DEGLI OBIETTIVI``,
        a line that names the plan: "modifica" alone is too common in prose), the act that adopted it
        (``Deliberazione di Giunta n. 45 del 15/03/2024``), the date it was approved."""
        if self.version_label is None and PLAN_WORDS.search(text) and (match := UPDATE_WORDS.search(text)):
            self.version_label = " ".join(match["word"].split()).capitalize() + (f" n. {match['number']}" if match["number"] else "")
        if self.version_act is None and (match := ADOPTING_ACT.search(text)):
            self.version_act = " ".join(match["act"].split())
            self.version_number = match["number"]
            self.version_adopted = self.version_adopted or read_date(match["date"])
        if self.version_adopted is None and (match := ADOPTED_ON.search(text)):
            self.version_adopted = read_date(match["date"])

    def read_prose(self, text: str, row: SourceRow) -> None:
        text = text[:LONGEST_PROSE]
        key = " ".join(text.split()).casefold()
        if self.layout is None or self.block_heading(text) is None:
            self.read_version_statement(text)
        if heading := self.block_heading(text):
            field, value = heading
            if field == "dirigente":
                self.start_block(read_person(value))
            else:
                self.mention_settore(row, value)
            return
        if (match := ENTE_MARKER.match(text)) and self.document_ente is None:
            self.document_ente = " ".join(match["name"].split())
        elif match := YEAR_MARKER.search(text):
            if self.document_year is None:
                self.document_year = int(match["year"])
                self.section = " ".join(text.split())
        elif DOCUMENT_TITLE.search(text) and self.title is None:
            self.title = " ".join(text.split())
            if (match := TRIENNIUM_IN_TITLE.search(text)) and self.triennium is None:
                self.triennium = (int(match["first"]), int(match["last"]))
        elif (match := TRIENNIUM.match(text)) and self.triennium is None:
            self.triennium = (int(match["first"]), int(match["last"]))
            if self.title:
                self.title += " " + " ".join(text.split())
        elif self.layout is not None and key not in self.headings and not PAGE_FURNITURE.match(key) \
                and not ENTE_MARKER.match(text) and not DOCUMENT_TITLE.search(text) and not TRIENNIUM.match(text):
            self.pending_prose.append((row, text))     # reported if table rows follow it (text after a table is not in it)
        if self.layout is None:
            self.headings.add(key)

    def start_block(self, dirigente: PersonName | None, keep_settore: bool = False) -> None:
        """A new dirigente, by heading or in the Dirigente column, does not inherit the settore of the objectives
        above; a settore just opened by a heading row, with no objective yet, is this dirigente's."""
        if keep_settore:
            self.dirigente, self.objective = dirigente, None
            return
        self.report_unused_settore()
        self.dirigente, self.settore, self.objective = dirigente, None, None
        self.settore_used = True

    # -- headers ---------------------------------------------------------------

    def try_header(self, rows: list[SourceRow], index: int) -> int:
        """If a header starts at ``rows[index]``, adopt it and say how many rows it takes (1 or 2), else 0."""
        row = rows[index]
        layout = read_layout(row.cells, self.vocabulary)
        following = rows[index + 1] if index + 1 < len(rows) else None
        if following is not None and following.tabular and following.sheet == row.sheet \
                and (layout is not None or any(self.vocabulary.match(cell) for cell in row.cells if cell.strip())) \
                and is_sub_header(following.cells, self.vocabulary) \
                and (read_layout(without_years(following.cells), self.vocabulary) is None
                     or repeats_merged_cells(row.cells, following.cells)):
            merged = read_layout(merge_header_rows(row.cells, following.cells), self.vocabulary)
            if merged is not None and (layout is None or len(merged.columns) > len(layout.columns)):
                self.start_table(merged, [row, following])
                return 2
        if layout is None:
            return 0
        self.start_table(layout, [row])
        return 1

    def start_table(self, layout: TableLayout, rows: list[SourceRow]) -> None:
        """A header row: the first of a sheet, or one repeated at a page break (the same or a new layout)."""
        self.pending_prose.clear()          # text between a table's end and a header is between tables
        self.layout = layout
        self.header = row_ref(rows[0])
        if len(rows) > 1:
            self.header = RowRef(rows[0].line, rows[0].sheet, rows[0].page, layout.cells)
        self.header_rows.append(self.header)
        self.sheets_with_table.add(rows[0].sheet)
        if layout.signature() in self.layouts:
            return
        self.layouts[layout.signature()] = layout
        self.layout_lines[layout.signature()] = rows[0].line
        row = rows[0]
        missing = [FIELD_LABELS[name] for name in REQUIRED_FIELDS if name not in layout.fields]
        if missing:
            raise SourceError(
                N_("the header has no {missing} column (it reads as: {reading}); run `piao-lod inspect {file}` and map "
                   "the title column with --profile"), self.display, row.line,
                missing=Phrases(tuple(Term(label) for label in missing), " / "), file=self.display,
                reading=Phrases(tuple(Phrase(N_("“{header}” = {field}"), (("header", column.header), ("field", column.field)))
                                      for column in layout.columns), ", "))
        for name in EXPECTED_FIELDS:
            if name == "settore":
                continue          # settori may come from block headings: checked when the table has been read
            if name not in layout.fields and not (name == "weight" and "objective_weight" in layout.fields):
                self.report("missing-column", row, what=Term(FIELD_LABELS[name]))
        if "objective_code" not in layout.fields:
            self.report("no-objective-code-column", row)
        for index, text in layout.unknown:
            self.report("unknown-column", row, column_number=index + 1, header=text, name=text)
        for column in layout.columns:
            if column.last_year is not None:
                self.report("year-span-column", row, column=column, name=column.header, first=column.year,
                            last=column.last_year)
        for first, second in layout.duplicates:
            self.report("duplicate-column", row, column=second, first=first.header, second=second.header,
                        what=Term(FIELD_LABELS[first.field]))

    # -- data rows -------------------------------------------------------------

    def aligned_cells(self, row: SourceRow) -> list[str]:
        assert self.layout is not None
        width = self.layout.width
        cells = list(row.cells)
        extra = [cell for cell in cells[width:] if cell.strip()]
        if extra:
            self.report("ragged-row", row, value=" | ".join(extra), column_number=width + 1, cells=len(cells),
                        width=width)
        cells = cells[:width]
        if len(cells) < width:
            if len(cells) <= max(column.index for column in self.layout.columns):
                self.report("short-row", row, cells=len(cells), width=width)
            cells += [""] * (width - len(cells))
        if not cells[-1].strip():
            shifted = [""] + cells[:-1]
            if self.alignment_score(shifted) > self.alignment_score(cells):
                self.report("realigned-row", row)
                return shifted
        return cells

    def alignment_score(self, cells: list[str]) -> int:
        value = self.cell_getter(cells)
        score = 2 * bool(OBJECTIVE_CODE.match(value("objective_code"))) + 2 * bool(INDICATOR_CODE.match(value("indicator_code")))
        score += sum(read_number(value(field)).value is not None for field in ("target", "weight"))
        return score - 2 * bool(OBJECTIVE_CODE.match(value("settore")))

    def cell_getter(self, cells: list[str]) -> Callable[[str], str]:
        layout = self.layout

        def value(field: str) -> str:
            column = layout.single(field) if layout else None
            return cells[column.index].strip() if column is not None and column.index < len(cells) else ""

        return value

    def yearly_cells(self, cells: list[str], field: str) -> list[tuple[Column, str]]:
        return [(column, cells[column.index].strip()) for column in self.layout.of_field(field)
                if column.index < len(cells) and cells[column.index].strip()]

    def read_data_row(self, row: SourceRow) -> None:
        if len(row.cells) == 1 and len(self.layout.columns) > 1 and row.sheet is None and row.page is None:
            self.pending_prose.append((row, row.cells[0].strip()))      # a CSV or text line without a delimiter
            return
        for prose_row, text in self.pending_prose:
            self.report("prose-in-table", prose_row, value=text)
        self.pending_prose.clear()
        if is_totals_row(row.cells, frozenset(column.index for column in self.layout.columns
                                              if column.field in CONTEXT_FIELDS)):
            self.report("totals-row", row, value=" | ".join(cell.strip() for cell in row.cells if cell.strip()))
            return
        cells = self.aligned_cells(row)
        value = self.cell_getter(cells)
        here = row_ref(row, self.header)
        for field in ("ente", "year"):
            if value(field):
                self.column_values[field].setdefault(value(field), row.line)
        if self.continues_text(row, cells, value, here):
            return
        settore, person = split_settore_cell(value("settore"))
        dirigente = value("dirigente") or person
        if dirigente and (self.dirigente is None or read_person(dirigente).name != self.dirigente.name):
            self.start_block(read_person(dirigente), keep_settore=not self.settore_used)
        if settore:
            self.mention_settore(row, settore, here)
        if any(value(field) for field in OBJECTIVE_FIELDS):
            if not self.continues_objective(value):
                self.start_objective(row, value, cells, here)
        elif value("settore") and self.objective is not None and self.objective.settore is not self.settore:
            self.objective = None
        if any(value(field) for field in INDICATOR_FIELDS) or any(
                self.yearly_cells(cells, field) for field in YEARLY_FIELDS):
            self.add_assignment(row, value, cells, here)
        elif not (settore or dirigente or any(value(field) for field in OBJECTIVE_FIELDS)):
            # a section title (``MISSIONE 01 - SERVIZI ISTITUZIONALI``) or a row of context alone: read by nothing
            self.report("prose-in-table", row, value=" | ".join(cell.strip() for cell in cells if cell.strip()))

    def continues_text(self, row: SourceRow, cells: list[str], value, here: RowRef) -> bool:
        """A row holding only text that goes on from the cell above (a definition wrapped onto a row of its
        own by the PDF extraction) is appended to that cell, as its author meant. A title alone starts an
        objective instead when the table has no code column (titles are what identify objectives there), and
        likewise an indicator title alone when there is no indicator code column."""
        filled = {column.field for column in self.layout.columns
                  if column.index < len(cells) and cells[column.index].strip()}
        if not filled or not filled <= set(TEXT_FIELDS) or self.objective is None:
            return False
        if "objective_title" in filled and "objective_code" not in self.layout.fields:
            return False
        if "indicator_title" in filled and "indicator_code" not in self.layout.fields:
            return False
        assignment = self.objective.assignments[-1] if self.objective.assignments else None
        targets = []
        for field in sorted(filled):
            holder = self.objective if field in ("objective_title", "objective_definition") else assignment
            attribute = CONTINUED_ATTRIBUTES[field]
            if holder is None or not getattr(holder, attribute):
                return False
            targets.append((field, holder, attribute))
        for field, holder, attribute in targets:
            addition, current = value(field), getattr(holder, attribute)
            if len(current.raw if attribute == "formula" else current) + len(addition) > MAX_ROW_CHARS:
                raise SourceError(N_("the text of this column, continued from line {first}, grows past {limit} "
                                     "characters (the rows of a plan table hold far less)"), self.display, row.line,
                                  self.header_of(field), sheet=row.sheet, page=row.page, first=holder.row.line,
                                  limit=Amount(MAX_ROW_CHARS))
            if attribute == "formula":
                setattr(holder, attribute, read_formula(joined(current.raw, addition)))
            else:
                setattr(holder, attribute, joined(current, addition))
            holder.rows.append(here)
            self.report("continued-cell", row, field, what=Term(FIELD_LABELS[field]), first=holder.row.line)
        return True

    def mention_settore(self, row: SourceRow, text: str, here: RowRef | None = None) -> None:
        """A settore repeated on every row (a filled-in CSV) stays one mention, so its objective continues."""
        if self.settore is None or self.settore.name.raw != text:
            self.report_unused_settore()
            self.settore = SettoreMention(read_settore_name(text), here or row_ref(row, self.header))
            self.settore_used = False

    def report_unused_settore(self) -> None:
        if self.settore is not None and not self.settore_used:
            self.settore_used = True
            row = self.settore.row
            column = self.layout.single("settore") if self.layout is not None else None
            if column is not None and column.index < len(row.cells) and row.cells[column.index].strip():
                self.report("settore-without-objectives", row, column=column, value=self.settore.name.raw,
                            settore=self.settore.name.name)
                return
            self.problems.append(Problem("settore-without-objectives", Location(
                self.display, row.line, self.header_of("settore"), row.sheet, row.page),
                {"settore": self.settore.name.name}, self.settore.name.raw))

    def continues_objective(self, value) -> bool:
        current = self.objective
        if current is None or (self.profile and self.profile.one_objective_per_row):
            return False
        return (
            value("objective_code") == (current.code or "")
            and value("objective_title") in ("", current.title)
            and value("objective_definition") in ("", current.definition)
            and (not value("settore") or current.settore is self.settore)
        )

    def start_objective(self, row: SourceRow, value, cells: list[str], here: RowRef) -> None:
        code = value("objective_code") or None
        title = value("objective_title") or value("objective_definition")
        if code is None and "objective_code" in self.layout.fields:
            self.report("missing-objective-code", row, "objective_code", title)
            key = row_key(row)
        elif code is None:
            key = title_key(title) if title else row_key(row)
        else:
            key = code
        if key in self.objective_lines:
            first = self.objective_lines[key]
            number = sum(1 for objective in self.objectives if objective.key.split("--")[0] == key) + 1
            duplicate = f"{key}--{number}"
            if code is not None:
                self.report("duplicate-objective-code", row, "objective_code", code, (first, row.line),
                            code=code, first=first, key=duplicate)
            key = duplicate
        self.objective_lines.setdefault(key, row.line)
        if self.settore is None:
            self.report("missing-settore", row, "settore")
        if self.dirigente is None:
            self.report("missing-dirigente", row, "dirigente")
        self.settore_used = True
        settori = self.settori_of(here)
        objective = Objective(key, here, code, title, value("objective_definition") if value("objective_title") else "",
                              settori[0] if settori else None, self.dirigente,
                              self.pnrr_references(row, title, cells),
                              other_settori=settori[1:])
        if value("objective_weight"):
            objective.weight = read_number(value("objective_weight"))
            if objective.weight.value is None:
                self.report("unreadable-weight", row, "objective_weight", objective.weight.raw,
                            what=self.layout.single("objective_weight").header, expected=Term(A_NUMBER))
        self.read_budget(row, value, objective)
        if value("strategic_title") or value("strategic_code"):
            objective.strategic = StrategicObjective(value("strategic_code") or None,
                                                     value("strategic_title") or value("strategic_code"),
                                                     value("mandate_line") or None)
        elif value("mandate_line"):
            objective.strategic = StrategicObjective(None, value("mandate_line"), value("mandate_line"))
        self.objectives.append(objective)
        self.objective = objective

    def settori_of(self, here: RowRef) -> list[SettoreMention]:
        """The current settore; a cell naming several (``Settore A; Settore B``) gives one mention each."""
        if self.settore is None:
            return []
        names = [part for part in SETTORE_SEPARATORS.split(self.settore.name.raw.strip()) if part.strip()]
        if len(names) < 2:
            return [self.settore]
        return [SettoreMention(read_settore_name(name), self.settore.row) for name in names]

    def read_budget(self, row: SourceRow, value, objective: Objective) -> None:
        mission = read_mission(value("missione")) if value("missione") else None
        if mission is not None and mission.notation is None:
            self.report("unknown-missione", row, "missione", mission.as_written, text=mission.as_written)
        programme = read_programme(value("programma"), mission.notation if mission else None) if value("programma") else None
        if programme is not None and programme.notation is None:
            self.report("unknown-programma", row, "programma", programme.as_written, text=programme.as_written)
        if programme is not None and programme.notation and mission is not None and mission.notation \
                and mission_of(programme.notation) != mission.notation:
            self.report("programma-not-in-missione", row, "programma", programme.as_written,
                        programme=programme.notation, mission=mission.notation)
        objective.missione, objective.programma = mission, programme

    def pnrr_references(self, row: SourceRow, title: str, cells: list[str]):
        """The measures an objective carries out: the codes in its title, then those of the PNRR columns (the codes
        a cell writes, ``M1C1-I1.2``, or the code in the header of a column a cell marks, ``SI`` or ``X`` under
        ``Misura PNRR M1C1-I1.1``), each once."""
        references = find_pnrr_references(title)
        self.check_pnrr_references(row, references)
        for column in self.layout.of_field("pnrr"):
            text = cells[column.index].strip() if column.index < len(cells) else ""
            found = find_pnrr_references(text) or (find_pnrr_references(column.header) if yes_no(text) == 1 else [])
            found = [replace(reference, column=(column.index + 1, column.header)) for reference in found
                     if all(reference.notation != known.notation for known in references)]
            self.check_pnrr_references(row, found, column)
            references += found
        if not references and mentions_pnrr(title):
            self.report("pnrr-without-code", row, "objective_title", title)
        return references

    def check_pnrr_references(self, row: SourceRow, references, column: Column | None = None) -> None:
        at = None if column else "objective_title"
        for reference in references:
            if reference.linked_notation is None:
                self.report("unknown-pnrr-code", row, at, reference.as_written, column=column, notation=reference.notation)
            elif not reference.exact:
                self.report("pnrr-code-not-in-scheme", row, at, reference.as_written, column=column,
                            notation=reference.notation, linked=reference.linked_notation)

    # -- indicator rows --------------------------------------------------------

    def add_assignment(self, row: SourceRow, value, cells: list[str], here: RowRef) -> None:
        if self.objective is None:
            written = " | ".join(cell.strip() for cell in cells if cell.strip())
            self.report("row-without-objective", row, value=written)
            return
        code = value("indicator_code") or None
        title = value("indicator_title")
        if code is None and "indicator_code" in self.layout.fields and (title or value("target")):
            self.report("missing-indicator-code", row, "indicator_code")
        key = code or (title_key(title) if title else row_key(row))
        taken = {assignment.key for assignment in self.objective.assignments}
        if key in taken:
            number = sum(1 for assignment in self.objective.assignments if assignment.key.split("--")[0] == key) + 1
            self.report("duplicate-indicator-in-objective", row, "indicator_code" if code else "indicator_title",
                        code or title, indicator=code or title, objective=self.objective.code or self.objective.title)
            key = f"{key}--{number}"
        formula = read_formula(value("formula")) if value("formula") else None
        if formula is not None and formula.latex_problem:
            self.report("unreadable-latex", row, "formula", formula.raw, reason=formula.latex_problem)
        unit = read_unit(value("unit")) if value("unit") else None
        if unit is not None and unit.unit is None:
            self.report("unknown-unit", row, "unit", unit.raw, text=unit.raw)
        unit_kind = unit.unit.kind if unit is not None and unit.unit is not None else None
        formula_text = formula.raw if formula else ""
        weight = read_number(value("weight")) if value("weight") else None
        if weight is not None and weight.value is None:
            self.report("unreadable-weight", row, "weight", weight.raw, what=self.layout.single("weight").header,
                        expected=Term(A_NUMBER))
        assignment = Assignment(key, here, code, title, formula, value("purpose"), None, weight, unit=unit)
        figures: dict[int | None, YearFigures] = {}
        for field in ("target", "achieved"):
            for column, text in self.yearly_cells(cells, field):
                kind = TargetKind.PERCENTAGE if column.percent and unit_kind is None else unit_kind
                reading = read_target_with_unit(text, formula_text, kind)
                self.check_value(row, column, field, reading)
                setattr(figures.setdefault(self.column_year_key(column), YearFigures(None)), field, reading)
        self.read_deadlines(row, cells, figures)
        for column, text in self.yearly_cells(cells, "achievement_rate"):
            rate = read_number(text)
            if rate.value is None:
                self.report("unreadable-achieved", row, column=column, value=text, what=column.header,
                            expected=Term(A_NUMBER))
            figures.setdefault(self.column_year_key(column), YearFigures(None)).achievement_rate = rate
        for column, text in self.yearly_cells(cells, "baseline")[:1]:
            assignment.baseline = read_target_with_unit(text, formula_text, TargetKind.PERCENTAGE if column.percent and unit_kind is None else unit_kind)
            self.check_value(row, column, "baseline", assignment.baseline)
            assignment.baseline_year = column.year if column.year is not None else None
            if column.offset is not None:
                assignment.baseline_year = -column.offset - 1000     # resolved against the plan year later
        for year_key, found in figures.items():
            found.year = year_key
        assignment.years = list(figures.values())
        if code:
            self.indicator_titles.setdefault(code, {}).setdefault(title, row)
        self.objective.assignments.append(assignment)

    def read_deadlines(self, row: SourceRow, cells: list[str], figures: dict) -> None:
        """A ``Scadenza`` column dates the target of its year (``100%`` by ``31/12/2025``); without a year, the
        target without one, else the first year's; a row with a deadline and no target has the deadline as its
        target. A deadline without its year (``31/12``, ``entro giugno``) is of the target's year, with a note. A
        deadline that is not a date is reported (its text stays in the row's cells)."""
        for column, text in self.yearly_cells(cells, "deadline"):
            date = read_date(text)
            day_month = read_day_month(text, TargetKind.DATE) if date is None else None
            if date is None and day_month is None:
                self.report("unreadable-target", row, column=column, value=text, what=column.header,
                            expected=Term(EXPECTED_KIND[TargetKind.DATE]))
                continue
            key = self.column_year_key(column)
            if key is None and None not in figures:
                key = min((year for year in figures if isinstance(year, int)), default=None)
            found = figures.setdefault(key, YearFigures(None))
            deadline = Target(text, None, TargetKind.DATE, date, day_month=day_month)
            if found.target is None:
                found.target = deadline
            elif found.target.date is None:
                found.target = replace(found.target, date=date, day_month=day_month)
            if day_month is not None:
                self.yearless.append((row, column, deadline, key))

    @staticmethod
    def column_year_key(column: Column):
        """A column's year as written (an int), or its offset from the plan year (a string), or None."""
        if column.year is not None:
            return column.year
        if column.offset is not None:
            return f"n+{column.offset}"
        return None

    @staticmethod
    def resolved_year(key, year: int) -> int:
        """A ``column_year_key`` in the plan of ``year``: None is the plan's year, ``n+1`` the year after."""
        if key is None:
            return year
        return year + int(key.removeprefix("n+")) if isinstance(key, str) else key

    def check_value(self, row: SourceRow, column: Column, field: str, reading: Target) -> None:
        if reading.readable:
            if reading.kind is TargetKind.TEXT and field == "target":
                self.report("qualitative-target", row, column=column, value=reading.raw, text=reading.raw)
            if reading.day_month is not None:
                self.yearless.append((row, column, reading, self.column_year_key(column)))
            return
        code = {"target": "unreadable-target", "achieved": "unreadable-achieved", "baseline": "unreadable-baseline"}[field]
        self.report(code, row, column=column, value=reading.raw, what=column.header,
                    expected=Term(EXPECTED_KIND[reading.kind]))

    def report_indicator_title_conflicts(self) -> None:
        for code, titles in self.indicator_titles.items():
            if len(titles) > 1:
                rows = sorted(titles.items(), key=lambda item: (item[1].page or 0, item[1].line))
                last = rows[-1][1]
                described = Listing(tuple((title, row.line) for title, row in rows))
                self.problems.append(Problem(
                    "indicator-title-conflict", Location(self.display, last.line, self.header_of("indicator_title"),
                                                         last.sheet, last.page, self.column_number_of("indicator_title")),
                    {"code": code, "count": len(titles), "titles": described}, None, tuple(row.line for _, row in rows)))

    # -- after the pass --------------------------------------------------------

    def finish_years(self, year: int, triennium: tuple[int, int]) -> None:
        """Years relative to the plan (``Target N+1``) and the single Target column become years; the plan
        year's target is the assignment's own; a year column outside the triennium is reported once."""
        reported: set[str] = set()
        for objective in self.objectives:
            for assignment in objective.assignments:
                for found in assignment.years:
                    found.year = self.resolved_year(found.year, year)
                    found.target = found.target and found.target.in_year(found.year)
                    found.achieved = found.achieved and found.achieved.in_year(found.year)
                assignment.years.sort(key=lambda found: found.year)
                if assignment.baseline_year is not None and assignment.baseline_year < 0:
                    assignment.baseline_year = year - (-assignment.baseline_year - 1000)
                assignment.target = next((found.target for found in assignment.years if found.year == year), None)
        for row, column, reading, key in self.yearless:
            column_year = self.resolved_year(key, year)
            if reading.in_year(column_year).date is None:
                self.report("unreadable-target", row, column=column, value=reading.raw, what=column.header,
                            expected=Term(EXPECTED_KIND[TargetKind.DATE]))
            else:
                self.report("date-without-year", row, column=column, value=reading.raw, text=reading.raw,
                            what=column.header, year=column_year)
        for column in self.all_columns():
            column_year = column.year if column.year is not None else (year + column.offset if column.offset is not None else None)
            if column.field in ("target", "achieved") and column_year is not None and column.header not in reported \
                    and not triennium[0] <= column_year <= triennium[1]:
                reported.add(column.header)
                header = self.header_rows[0] if self.header_rows else None
                self.problems.append(Problem("year-outside-triennium", Location(
                    self.display, header.line if header else None, column.header, header.sheet if header else None,
                    header.page if header else None, column.index + 1),
                    {"name": column.header, "year": column_year, "first": triennium[0], "last": triennium[1]}))

    def assign_indicator_keys(self) -> None:
        """Coded indicators are their code; uncoded ones their title (so they join across years), kept apart
        when one title comes with different formulas in the plan."""
        formulas: dict[str, dict[str, list[int]]] = {}
        for objective in self.objectives:
            for assignment in objective.assignments:
                if assignment.indicator_code:
                    assignment.indicator_key = assignment.indicator_code
                elif assignment.indicator_title:
                    formula = header_key(assignment.formula.raw) if assignment.formula else ""
                    formulas.setdefault(title_key(assignment.indicator_title), {}).setdefault(formula, []).append(
                        assignment.row.line)
        for objective in self.objectives:
            for assignment in objective.assignments:
                if assignment.indicator_code or not assignment.indicator_title:
                    continue
                key = title_key(assignment.indicator_title)
                if len(formulas[key]) > 1:
                    formula = header_key(assignment.formula.raw) if assignment.formula else ""
                    key = f"{key}-{hashlib.sha256(formula.encode()).hexdigest()[:6]}"
                assignment.indicator_key = key
        for key, by_formula in formulas.items():
            if len(by_formula) > 1:
                lines = tuple(sorted(line for found in by_formula.values() for line in found))
                title = next(a.indicator_title for o in self.objectives for a in o.assignments
                             if not a.indicator_code and a.indicator_title and title_key(a.indicator_title) == key)
                self.problems.append(Problem("indicator-title-ambiguous", Location(
                    self.display, lines[0], self.header_of("indicator_title"),
                    column_number=self.column_number_of("indicator_title")),
                    {"title": title, "lines": ", ".join(map(str, lines))}, None, lines))

    # -- plan metadata ---------------------------------------------------------

    def header_of(self, field: str) -> str:
        """The header a field's column has in this table, as written (else the field's name)."""
        column = self.column_of(field)
        return column.header if column else FIELD_LABELS[field]

    def column_of(self, field: str) -> Column | None:
        return next((column for column in self.all_columns() if column.field == field), None)

    def column_number_of(self, field: str) -> int | None:
        column = self.column_of(field)
        return column.index + 1 if column else None

    def single_column_value(self, field: str) -> str | None:
        values = self.column_values[field]
        if len(values) > 1:
            raise SourceError(N_("one plan per file: the {field} column has several values: {values}"), self.display,
                              None, self.header_of(field), column_number=self.column_number_of(field),
                              field=Term(FIELD_LABELS[field]),
                              values=Listing(tuple(values.items())))
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
            raise SourceError(N_("the document names the ente “{ente}” but its IPA code is not known: pass --ente "
                                 "with the IPA code (e.g. c_d150)"), self.display, ente=stated)
        else:
            raise SourceError(N_("the document does not say which ente it belongs to: pass --ente with the IPA code "
                                 "(e.g. c_d150)"), self.display)
        if flag and flag != ente.ipa_code:
            self.problems.append(Problem("option-overridden", Location(self.display),
                                         {"option": "--ente", "flag": flag, "stated": f"{stated} ({ente.ipa_code})"}))
        return ente

    def all_columns(self) -> list[Column]:
        """The columns of every header layout met (tables can change layout between sheets)."""
        return [column for layout in self.layouts.values() for column in layout.columns]

    def column_years(self) -> list[int]:
        return sorted({column.year for column in self.all_columns() if column.field == "target" and column.year is not None})

    def resolve_year(self, flag: int | None) -> int:
        stated_text = self.single_column_value("year")
        stated = self.document_year
        if stated_text is not None:
            if not re.fullmatch(r"\d{4}", stated_text):
                raise SourceError(N_("the {header} column holds “{text}”, not a year"), self.display,
                                  self.column_values["year"][stated_text], self.header_of("year"),
                                  column_number=self.column_number_of("year"), header=self.header_of("year"),
                                  text=stated_text)
            stated = int(stated_text)
        if stated is None and flag is None and self.triennium:
            stated = self.triennium[0]
            self.problems.append(Problem("year-from-triennium", Location(self.display),
                                         {"first": self.triennium[0], "last": self.triennium[1]}))
        if stated is None and flag is None and self.column_years():
            stated = self.column_years()[0]
            self.problems.append(Problem("year-from-columns", Location(self.display), {"year": stated}))
        if stated is None:
            if flag is None:
                raise SourceError(N_("the document does not say the plan's year: pass --year YYYY"), self.display)
            return flag
        if flag is not None and flag != stated:
            self.problems.append(Problem("option-overridden", Location(self.display),
                                         {"option": "--year", "flag": flag, "stated": stated}))
        return stated

    def source_document(self) -> SourceDocument:
        digest = hashlib.sha256(self.path.read_bytes()).hexdigest()
        return SourceDocument(str(self.path), path_text(self.path.name), self.raw.media_type, digest, self.title, self.section)


def joined(current: str, addition: str) -> str:
    """Text wrapped onto the next row goes back with one space (a word hyphenated at the end rejoined)."""
    if current.endswith("-") and addition[:1].islower() and len(current) > 1 and current[-2].isalpha():
        return current[:-1] + addition
    return f"{current} {addition}"
