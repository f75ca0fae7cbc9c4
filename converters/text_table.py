"""Reader for plan tables as text extracted from the PDF: tab-separated cells.

Lines without a tab are prose (document title, "DIRIGENTE: ..." block markers)
and are passed on as non-tabular rows so the plan reader can pick up metadata.
"""

from __future__ import annotations

from pathlib import Path

from piao_lod.converters.decoding import decode_source, physical_lines
from piao_lod.converters.source_row import RawTable, SourceRow


def read_rows(path: Path) -> RawTable:
    decoded = decode_source(path)
    rows = []
    for number, line in enumerate(physical_lines(decoded.text), start=1):
        if "\t" in line:
            rows.append(SourceRow(number, tuple(line.split("\t"))))
        elif line.strip():
            rows.append(SourceRow(number, (line,), tabular=False))
    return RawTable(rows, "text/tab-separated-values", [decoded.note] if decoded.note else [])
