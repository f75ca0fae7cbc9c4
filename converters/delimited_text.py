"""Reader for CSV plan tables: comma, semicolon or tab, detected; any line ends; BOM or not.

Two ways Python's ``csv`` loses data are closed here. Its field size limit (131,072
characters) is lifted to the size of the file, so no cell is ever cut or dropped. And a
quote that does not close where its cell ends (a stray ``"`` typed in a title) makes
``csv`` swallow every line up to the next quote, or to the end of the file, into one cell:
such a record is reported at the line where the quote opens, the quote is read as a
literal character, and the swallowed lines are read again as rows.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from piao_lod.columns import count_known_headers
from piao_lod.converters.decoding import decode_source
from piao_lod.converters.source_row import RawTable, ReadNote, SourceRow
from piao_lod.messages import ngettext_
from piao_lod.problems import Phrase

DELIMITERS = (";", ",", "\t")
SNIFF_ROWS = 40
SNIFF_CHARS = 64 * 1024
MAX_HEADER_CELL = 200
QUOTE = '"'
MIN_TABLE_WIDTH = 3


def read_rows(path: Path) -> RawTable:
    decoded = decode_source(path)
    text = decoded.text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    delimiter = detect_delimiter(text[:SNIFF_CHARS].split("\n")[:SNIFF_ROWS])
    notes = [decoded.note] if decoded.note else []
    rows = list(RecordReader([line + "\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else []),
                             delimiter, notes))
    return RawTable(rows, "text/csv", notes)


def detect_delimiter(sample_lines: list[str]) -> str:
    """The delimiter under which some early row reads as the best plan header.

    Falls back to the most frequent candidate in the first lines, so a file
    with unknown headers still splits into cells and gets a precise message.
    Only the first 64 kB are looked at, and only cells short enough to be a
    header's: a line of 100,000 tabs is not 100,000 header names to look up.
    """
    sample = "\n".join(sample_lines)
    best, best_score = None, 0
    for delimiter in DELIMITERS:
        try:
            sample_rows = list(csv.reader(sample_lines, delimiter=delimiter))
        except csv.Error:
            continue
        score = max((count_known_headers([cell for cell in row if len(cell) <= MAX_HEADER_CELL])
                     for row in sample_rows), default=0)
        if score > best_score:
            best, best_score = delimiter, score
    if best:
        return best
    return max(DELIMITERS, key=sample.count)


class RecordReader:
    """Rows of the CSV records, each with the line it starts on, re-reading after a swallowing quote.

    ``lines`` keep their ``\\n`` so ``csv`` sees the line breaks inside quoted cells. After a
    swallowing quote the parser restarts on the next line: the swallowed lines hold no quote
    but the one that closed the cell, so each line is parsed at most about twice.
    """

    def __init__(self, lines: list[str], delimiter: str, notes: list[ReadNote]):
        self.lines = lines
        self.delimiter = delimiter
        self.notes = notes
        self.table_width: int | None = None

    def __iter__(self) -> Iterator[SourceRow]:
        start = 0
        while start < len(self.lines):
            restart = None
            reader = csv.reader((self.lines[index] for index in range(start, len(self.lines))), delimiter=self.delimiter)
            first = start
            try:
                for cells in reader:
                    end = start + reader.line_num
                    if end - first > 1 and self.swallows_lines(first, end, cells):
                        yield SourceRow(first + 1, self.cells_with_literal_quote(first, end, cells))
                        restart = first + 1
                        break
                    yield SourceRow(first + 1, tuple(cells))
                    if self.table_width is None and len(cells) >= MIN_TABLE_WIDTH:
                        self.table_width = len(cells)
                    first = end
            except csv.Error as error:       # not expected with the limit lifted; never lose the rest silently
                self.notes.append(ReadNote("unreadable-rows", {"detail": str(error)}, first + 1))
                return
            if restart is None:
                return
            start = restart

    def swallows_lines(self, first: int, end: int, cells: list[str]) -> bool:
        """A record over several lines is a swallowing quote unless its quotes are strict CSV (each closes
        right before a delimiter or a line end, never at the end of the file) and no line inside a cell
        holds as many delimiters as a row of the table."""
        try:
            for _ in csv.reader(self.lines[first:end], delimiter=self.delimiter, strict=True):
                pass
        except csv.Error:
            return True
        if self.table_width is None:
            return False
        least = self.table_width - 1
        return any(inner.count(self.delimiter) >= least for cell in cells if "\n" in cell
                   for inner in cell.split("\n")[1:])

    def cells_with_literal_quote(self, first: int, end: int, cells: list[str]) -> tuple[str, ...]:
        """The record's first line alone, its opening quote read as a character; the swallowing is reported."""
        line = self.lines[first].removesuffix("\n")
        opening = open_quote_offset(line, self.delimiter)
        if opening is None:       # csv and open_quote_offset follow the same rules: not expected
            row = next(csv.reader([line], delimiter=self.delimiter), [""])
            column = next((index for index, cell in enumerate(cells) if "\n" in cell), 0) + 1
            opening = 0
        else:
            before = self.cells_before(line[:opening])
            row = before + next(csv.reader([line[opening:]], delimiter=self.delimiter, quoting=csv.QUOTE_NONE))
            column = len(before) + 1
        swallowed = end - first - 1
        lines = f"{first + 2}" if swallowed == 1 else f"{first + 2}–{end}"
        self.notes.append(ReadNote(
            "unclosed-quote", {"swallowed": Phrase(ngettext_("the line {lines}", "the {count} lines {lines}"),
                                                   (("count", swallowed), ("lines", lines)))},
            first + 1, column, value=line[opening:], related_lines=tuple(range(first + 2, end + 1))))
        return tuple(row)

    def cells_before(self, prefix: str) -> list[str]:
        """The cells of a line's text up to a quote that opens a cell (``prefix`` is empty or ends with the delimiter)."""
        if not prefix:
            return []
        return next(csv.reader([prefix[:-1]], delimiter=self.delimiter), None) or [""]


def open_quote_offset(line: str, delimiter: str) -> int | None:
    """Where the quote that is still open at the end of ``line`` starts, following ``csv``'s rules
    (a quote opens only at the start of a cell; ``""`` inside is a quote; a quote followed by
    anything else closes), or None when every quote of the line is closed."""
    opening, at_start, index = None, True, 0
    while index < len(line):
        char = line[index]
        if opening is not None:
            if char == QUOTE:
                if line.startswith(QUOTE, index + 1):
                    index += 1
                else:
                    opening = None
        elif char == delimiter:
            at_start = True
            index += 1
            continue
        elif char == QUOTE and at_start:
            opening = index
        at_start = False
        index += 1
    return opening
