"""Reader for XLSX plan tables: every worksheet in workbook order, streamed once, within bounds.

openpyxl's read-only mode is not used for the cells, because it cannot give what a plan reader
must keep: a formula cell's cached value *and* its formula (one or the other, by ``data_only``),
the merged ranges, and rows as long as their cells (it pads every row to the sheet's declared
dimension, so one lying ``<dimension ref="A1:XFD1048576"/>`` means billions of cells). Each sheet
is streamed with ``iterparse`` instead (:mod:`xlsx_package` opens the parts within size bounds):

- a formula cell gives its cached value; one without (a workbook saved by a program that does not
  compute formulas) gives its formula, ``=SUM(A1:A3)``, and a ``formula-without-value`` note;
- a value merged over several rows (an objective or a settore cell spanning its indicator rows) is
  given to every row of the range that has other cells, in the range's first column; a range over
  several columns keeps its value in its first column only (a title across the table stays one cell),
  and a row whose only value is such a range across three columns or more is a line of text (prose);
- a row ends at its last non-empty cell, and is padded to the width of the sheet's widest *dense*
  row (at least half its cells filled: the header), as a spreadsheet row has every cell; a cell far
  to the right or far down (column ZZ, row 100,000) stays a cell the plan reader can report;
- at most :data:`MAX_CELLS` cells (row lengths summed over every sheet) and :data:`MAX_TEXT_CHARS`
  characters of cell text (a shared string repeated counts every time) are read.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from xml.etree.ElementTree import Element

from openpyxl.formula.translate import Translator
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel, from_ISO8601

from piao_lod.converters.source_row import RawTable, ReadNote, SourceRow
from piao_lod.converters.xlsx_package import (
    STRING_CONTENT, SheetPart, Workbook, element_text, local_name, open_workbook, stream, unescape_text,
)
from piao_lod.errors import SourceError
from piao_lod.messages import N_
from piao_lod.problems import Amount, Phrase

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_CELLS = 2_000_000
MAX_TEXT_CHARS = 64 * 2**20
MAX_COLUMN, MAX_ROW = 16_384, 1_048_576
WIDE_RANGE = 3
CELL_REFERENCE = re.compile(r"([A-Za-z]{1,3})([0-9]{1,7})")
NUMBER = re.compile(r"[+-]?+(?:[0-9]++(?:\.[0-9]*+)?+|\.[0-9]++)(?:[eE][+-]?+[0-9]{1,4}+)?+")
MAX_NUMBER_DIGITS = 300
BAD_CHECKSUM = re.compile(r"Bad CRC-32 for file '(?P<part>[^']*+)'")
SHEET_CONTENT = STRING_CONTENT | {"c"}


def read_rows(path: Path) -> RawTable:
    """Every non-blank row of every worksheet.

    The file is opened as a ZIP whatever its name, so a workbook named ``.csv`` or without
    suffix (``--source-format xlsx``, or recognised by its bytes) is read too. A damaged
    workbook fails in many ways (XML ParseError, BadZipFile, a bad CRC, zlib.error...), while
    opening or only when a sheet is read; every one of them means the same to the user, so all
    become one SourceError.
    """
    display = str(path)
    try:
        with zipfile.ZipFile(path) as archive:
            workbook = open_workbook(archive, display)
            budget = Budget(display)
            rows, notes = [], []
            for sheet in workbook.sheets:
                reader = SheetReader(workbook, sheet, budget)
                rows.extend(reader.rows())
                notes.extend(reader.notes)
    except SourceError:
        raise
    except zipfile.BadZipFile as error:
        raise SourceError(N_("not a readable XLSX workbook: {reason}"), display, reason=bad_zip_reason(error)) from None
    except Exception as error:
        raise SourceError(N_("not a readable XLSX workbook ({error})"), display,
                          error=f"{error.__class__.__name__}: {error}") from None
    return RawTable(rows, XLSX_MEDIA_TYPE, notes)


def bad_zip_reason(error: zipfile.BadZipFile) -> Phrase | str:
    """``zipfile`` stops inflating a part at the size its entry declares, then finds the checksum wrong: a part
    that lies about its size (a ZIP bomb) and a damaged one end the same way, and are told so."""
    damaged = BAD_CHECKSUM.fullmatch(str(error))
    if damaged:
        return Phrase(N_("{part} does not inflate to the size and checksum its ZIP entry declares (the file is "
                         "damaged, or lies about its size to pass as small)"), (("part", damaged["part"]),))
    return f"BadZipFile: {error}"


@dataclass
class Budget:
    """What is left of the bounds, over every sheet of the workbook."""

    display: str
    cells: int = MAX_CELLS
    characters: int = MAX_TEXT_CHARS

    def spend(self, cells: int, characters: int = 0) -> None:
        self.cells -= cells
        self.characters -= characters
        if self.cells < 0:
            raise SourceError(N_("the workbook has more than {limit} cells (row lengths summed: a cell far to the "
                                 "right counts every cell before it); a plan table has far fewer"), self.display,
                              limit=Amount(MAX_CELLS))
        if self.characters < 0:
            raise SourceError(N_("the workbook's cells hold more than {limit} million characters of text; a plan "
                                 "table holds far fewer"), self.display, limit=MAX_TEXT_CHARS // 2**20)


@dataclass
class Merge:
    first_row: int
    first_column: int
    last_row: int


@dataclass
class SheetReader:
    """One pass over one sheet's XML: the cells, then the merged ranges that follow them."""

    workbook: Workbook
    sheet: SheetPart
    budget: Budget
    notes: list[ReadNote] = field(default_factory=list)
    cells: dict[int, dict[int, str]] = field(default_factory=dict)
    merges: list[Merge] = field(default_factory=list)
    wide_ranges: dict[int, int] = field(default_factory=dict)
    shared_formulas: dict[str, tuple[str, Translator | None]] = field(default_factory=dict)
    row_number: int = 0
    column_number: int = 0
    stored: int = 0
    hidden_rows: set[int] = field(default_factory=set)
    hidden_columns: list[tuple[int, int]] = field(default_factory=list)     # ``<col min max hidden="1">`` ranges

    def rows(self) -> list[SourceRow]:
        """A row's number is its ``r``, else the one after the row before; a cell's place is its reference
        (``B7``), else the one after the cell before."""
        with self.workbook.open_sheet(self.sheet) as source:
            for event, element, _ in stream(source, SHEET_CONTENT):
                name = local_name(element.tag)
                if event == "start":
                    if name == "row":
                        written = element.get("r", "")
                        self.row_number = int(written) if written.isdigit() else self.row_number + 1
                        self.column_number = 0
                        if is_true(element.get("hidden")):
                            self.hidden_rows.add(self.row_number)
                elif name == "col" and is_true(element.get("hidden")):
                    self.read_hidden_columns(element.get("min", ""), element.get("max", ""))
                elif name == "c":
                    self.read_cell(element)
                elif name == "mergeCell":
                    self.read_merge(element.get("ref", ""))
        self.spread_merged_values()
        self.report_hidden()
        return self.padded_rows()

    # -- hidden rows and columns -------------------------------------------------

    def read_hidden_columns(self, first: str, last: str) -> None:
        if first.isdigit() and int(first) <= MAX_COLUMN:
            self.hidden_columns.append((int(first), min(int(last) if last.isdigit() else int(first), MAX_COLUMN)))

    def report_hidden(self) -> None:
        """Hidden rows and columns are read like the others (their cells are the plan's as much as any), and
        each that holds text is noted, since a reader of the workbook does not see it."""
        for number in sorted(self.hidden_rows & set(self.cells)):
            cells = self.cells[number]
            self.notes.append(ReadNote("hidden-row", {}, number, None, self.sheet.name,
                                       value=" | ".join(cells[column] for column in sorted(cells))))
        noted: set[int] = set()
        for first, last in self.hidden_columns:
            for number in sorted(self.cells):
                columns = [column for column in self.cells[number] if first <= column <= last and column not in noted]
                for column in columns:
                    noted.add(column)
                    self.notes.append(ReadNote("hidden-column", {}, number, column, self.sheet.name,
                                               value=self.cells[number][column]))

    # -- cells -----------------------------------------------------------------

    def read_cell(self, cell: Element) -> None:
        reference = cell.get("r")
        place = self.coordinates(reference) if reference else (self.row_number, self.column_number + 1)
        if place is None or not 1 <= place[0] <= MAX_ROW or place[1] > MAX_COLUMN:
            raise SourceError(N_("sheet “{sheet}” has a cell at “{reference}”, which is not a cell of a sheet"),
                              self.budget.display, sheet=self.sheet.name, reference=(reference or str(place))[:20])
        row, column = place
        self.column_number = column
        text = self.cell_text(cell, row, column)
        if text:
            self.budget.spend(1, len(text))
            self.stored += 1
            self.cells.setdefault(row, {})[column] = text

    @staticmethod
    def coordinates(reference: str) -> tuple[int, int] | None:
        """(row, column) of an A1 reference, None when it is none (``A0``, ``XFE1``, ``A1:``)."""
        match = CELL_REFERENCE.fullmatch(reference.replace("$", ""))
        if not match:
            return None
        column = 0
        for letter in match[1].upper():
            column = column * 26 + ord(letter) - 64
        row = int(match[2])
        return (row, column) if 1 <= row <= MAX_ROW and 1 <= column <= MAX_COLUMN else None

    def cell_text(self, cell: Element, row: int, column: int) -> str:
        kind = cell.get("t", "n")
        value = formula = None
        for child in cell:
            name = local_name(child.tag)
            if name == "v":
                value = child.text
            elif name == "f":
                formula = self.formula_text(child, cell.get("r"))
            elif name == "is" and kind == "inlineStr":
                value = element_text(child)
        if formula is not None and not value:
            self.report_formula(row, column, formula)
            return formula
        if value is None:
            return ""
        if kind == "s":
            return self.string(value)
        if kind == "str":
            return unescape_text(value)
        if kind in ("inlineStr", "e"):
            return value
        if kind == "b":
            return "1" if value.strip() in ("1", "true") else "0"
        if kind == "d":
            return self.iso_date_text(value)
        style = cell.get("s", "0")
        return self.number_text(value.strip(), int(style) if style.isdigit() else 0)

    def string(self, index: str) -> str:
        try:
            return self.workbook.shared_strings[int(index)]
        except (ValueError, IndexError):
            raise SourceError(N_("sheet “{sheet}” refers to shared string “{index}”, which the workbook does not "
                                 "hold"), self.budget.display, sheet=self.sheet.name, index=index[:20]) from None

    def number_text(self, value: str, style: int) -> str:
        """Numbers as :func:`cell_text` writes them; a date-formatted one as its date; a number the float
        type cannot hold (``1e999``) or of hundreds of digits as written."""
        if len(value) > MAX_NUMBER_DIGITS or not NUMBER.fullmatch(value):
            return value
        number = float(value) if any(mark in value for mark in ".eE") else int(value)
        if isinstance(number, float) and not math.isfinite(number):
            return value
        if style in self.workbook.percent_styles:
            return percent_text(value)
        if style in self.workbook.date_styles:
            epoch = MAC_EPOCH if self.workbook.date1904 else WINDOWS_EPOCH
            try:
                return date_text(from_excel(number, epoch, timedelta=style in self.workbook.timedelta_styles), value)
            except (OverflowError, ValueError):
                return value
        return cell_text(number)

    def iso_date_text(self, value: str) -> str:
        try:
            return date_text(from_ISO8601(value.strip()), value)
        except (ValueError, TypeError):
            return value

    def formula_text(self, formula: Element, reference: str | None) -> str:
        """``=`` and the formula; a cell sharing the formula of another gets it moved to its own place
        (untranslated when openpyxl's tokenizer cannot read it)."""
        text = formula.text or ""
        if formula.get("t") != "shared" or not reference:
            return "=" + text
        key = formula.get("si", "")
        if text:
            try:
                translator = Translator("=" + text, reference)
            except Exception:
                translator = None
            self.shared_formulas[key] = (text, translator)
            return "=" + text
        master, translator = self.shared_formulas.get(key, ("", None))
        if translator is not None:
            try:
                return translator.translate_formula(reference)
            except Exception:
                pass
        return "=" + master

    def report_formula(self, row: int, column: int, formula: str) -> None:
        self.notes.append(ReadNote("formula-without-value", {}, row, column, self.sheet.name, value=formula))

    # -- merged ranges and padding -----------------------------------------------

    def read_merge(self, reference: str) -> None:
        """A range over several rows, or starting a row across :data:`WIDE_RANGE` columns or more; a reference
        that is not one is no range (its cells are read anyway)."""
        first, _, last = reference.partition(":")
        start, end = self.coordinates(first), self.coordinates(last)
        if not (start and end):
            return
        if end[0] > start[0]:
            self.budget.spend(1)
            self.merges.append(Merge(start[0], min(start[1], end[1]), end[0]))
        if abs(end[1] - start[1]) + 1 >= WIDE_RANGE:
            self.budget.spend(1)
            self.wide_ranges[start[0]] = min(start[1], end[1])

    def is_prose(self, number: int) -> bool:
        """A row whose one value fills a range across the table (a sentence, a heading typed over merged cells)
        is a line of text, not a row whose first column holds it: "Approvato dalla Giunta" is no dirigente."""
        cells = self.cells[number]
        return len(cells) == 1 and self.wide_ranges.get(number) in cells

    def spread_merged_values(self) -> None:
        """Each row of a range below its first gets the first row's value, where that row has cells and its
        cell in that column is empty; every row visited counts against the cell bound."""
        numbers = sorted(self.cells)
        for merge in self.merges:
            value = self.cells.get(merge.first_row, {}).get(merge.first_column)
            if value is None:
                continue
            start = bisect.bisect_right(numbers, merge.first_row)
            end = bisect.bisect_right(numbers, merge.last_row)
            self.budget.spend(end - start, len(value) * (end - start))
            self.stored += end - start
            for number in numbers[start:end]:
                self.cells[number].setdefault(merge.first_column, value)

    def padded_rows(self) -> list[SourceRow]:
        """Rows padded to the widest dense row (see the module's docstring); the padding counts as cells."""
        widths = {number: max(cells) for number, cells in self.cells.items()}
        table_width = max((widths[number] for number, cells in self.cells.items() if 2 * len(cells) >= widths[number]),
                          default=0)
        self.budget.spend(sum(max(width, table_width) for width in widths.values()) - self.stored)
        rows = [SourceRow(number, tuple(self.cells[number].get(column, "")
                                        for column in range(1, max(widths[number], table_width) + 1)),
                          tabular=not self.is_prose(number), sheet=self.sheet.name)
                for number in sorted(self.cells)]
        self.cells.clear()
        return rows


def is_true(attribute: str | None) -> bool:
    return attribute in ("1", "true")


def percent_text(value: str) -> str:
    """``0.55`` as ``55%``, exactly (in decimal, so not ``55.00000000000001%``), with the Italian decimal comma."""
    return format((Decimal(value) * 100).normalize(), "f").replace(".", ",") + "%"


def date_text(value: object, written: str) -> str:
    return cell_text(value) if value is not None else written


def cell_text(value: object) -> str:
    """A cell as the text the plan reader parses; numbers use the Italian decimal comma.

    Writing 1.234 as "1,234" keeps the plan reader's rule that a dot before
    three digits is a thousands separator from misreading typed decimals.
    Floats are written without exponent (0.00001 as "0,00001", not "1e-05"),
    which the plan reader would not take for a number.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return format(Decimal(repr(value)), "f").replace(".", ",")
    if isinstance(value, (dt.datetime, dt.date)):
        return value.strftime("%d/%m/%Y")
    return str(value)
