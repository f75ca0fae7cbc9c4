"""Reader for CSV plan tables: comma, semicolon or tab, detected; any line ends; BOM or not."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from piao_lod.columns import count_known_headers
from piao_lod.converters.decoding import decode_source
from piao_lod.converters.source_row import RawTable, ReadNote, SourceRow

DELIMITERS = (";", ",", "\t")
SNIFF_ROWS = 40


def read_rows(path: Path) -> RawTable:
    decoded = decode_source(path)
    text = decoded.text.replace("\r\n", "\n").replace("\r", "\n")
    delimiter = detect_delimiter(text)
    rows = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    next_line = 1
    try:
        for cells in reader:
            rows.append(SourceRow(next_line, tuple(cells)))
            next_line = reader.line_num + 1
    except csv.Error as error:
        notes = [ReadNote("unreadable-rows", f"CSV could not be read past this point ({error})", next_line)]
        return RawTable(rows, "text/csv", notes + ([decoded.note] if decoded.note else []))
    return RawTable(rows, "text/csv", [decoded.note] if decoded.note else [])


def detect_delimiter(text: str) -> str:
    """The delimiter under which some early row reads as the best plan header.

    Falls back to the most frequent candidate in the first lines, so a file
    with unknown headers still splits into cells and gets a precise message.
    """
    sample = "\n".join(text.split("\n")[:SNIFF_ROWS])
    best, best_score = None, 0
    for delimiter in DELIMITERS:
        try:
            sample_rows = list(csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter))
        except csv.Error:
            continue
        score = max((count_known_headers(row) for row in sample_rows), default=0)
        if score > best_score:
            best, best_score = delimiter, score
    if best:
        return best
    return max(DELIMITERS, key=sample.count)
