"""Readers that turn a source file into raw cell rows, one module per format.

Every reader has the same contract: ``read_rows(path) -> RawTable`` (the paged ones,
``PAGED_READERS``, also take the pages to read: ``read_rows(path, pages)``). They
know nothing of plans; :mod:`piao_lod.plan_table` finds headers, blocks and
records in the rows. Pick a reader with :func:`read_source_rows`.
"""

from __future__ import annotations

from pathlib import Path

from piao_lod.converters import delimited_text, pdf_table, spreadsheet, text_table
from piao_lod.converters.decoding import looks_like_zip
from piao_lod.converters.source_row import RawTable, SourceRow
from piao_lod.errors import SourceError
from piao_lod.messages import N_
from piao_lod.problems import Amount

# A row's cells become one literal (``piao:cells``), which Oxigraph must parse again: it holds at most 16 MB a
# statement, and a character can take 7 bytes there (a control character escaped in JSON, then in N-Triples).
MAX_ROW_CHARS = 2_000_000

READERS = {
    "text": text_table.read_rows,
    "csv": delimited_text.read_rows,
    "xlsx": spreadsheet.read_rows,
    "pdf": pdf_table.read_rows,
}

SUFFIX_FORMATS = {
    ".txt": "text",
    ".tsv": "text",
    ".tab": "text",
    ".csv": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".pdf": "pdf",
}


def source_format(path: Path, declared: str | None = None) -> str:
    """The reader to use: the declared one, else the suffix, else a look at the bytes."""
    if declared:
        if declared not in READERS:
            raise SourceError(N_("unknown source format “{name}”; use one of {formats}"), str(path), name=declared,
                              formats=", ".join(READERS))
        return declared
    by_suffix = SUFFIX_FORMATS.get(path.suffix.lower())
    if by_suffix:
        return by_suffix
    if looks_like_zip(path):
        return "xlsx"
    if pdf_table.looks_like_pdf(path):
        return "pdf"
    return "text"


PAGED_READERS = {"pdf"}    # readers that take a page selection


def read_source_rows(path: Path, declared_format: str | None = None, pages=None) -> RawTable:
    """``pages``: a :class:`piao_lod.reading.PageSelection`, for the readers of paged documents only."""
    check_readable(path)
    chosen = source_format(path, declared_format)
    if chosen in PAGED_READERS:
        return checked_row_sizes(path, READERS[chosen](path, pages))
    if pages is not None:
        raise SourceError(N_("--pages {pages} applies to PDF documents; this is read as {chosen}"), str(path), pages=str(pages),
                          chosen=chosen)
    return checked_row_sizes(path, READERS[chosen](path))


def checked_row_sizes(path: Path, table: RawTable) -> RawTable:
    """The table, unless a row holds more text than its record could be written with; then the row and its
    longest cell are named."""
    for row in table.rows:
        size = sum(map(len, row.cells))
        if size > MAX_ROW_CHARS:
            longest = max(range(len(row.cells)), key=lambda index: len(row.cells[index]))
            raise SourceError(N_("a row of {count} characters; at most {limit} are read in one row (the rows of a "
                                 "plan table hold far less)"), str(path), row.line, column_number=longest + 1,
                              sheet=row.sheet, page=row.page, count=Amount(size), limit=Amount(MAX_ROW_CHARS))
    return table


def check_readable(path: Path) -> None:
    if not path.exists():
        raise SourceError(N_("file not found"), str(path))
    if path.is_dir():
        raise SourceError(N_("is a folder with no plan table (.pdf .txt .csv .xlsx) or RDF file inside"), str(path))
    if not path.is_file():
        raise SourceError(N_("is not a regular file (a pipe or a device, read once and without a size): save the table "
                             "to a file and give that file"), str(path))
    if path.stat().st_size == 0:
        raise SourceError(N_("file is empty"), str(path))


__all__ = ["READERS", "RawTable", "SourceRow", "read_source_rows", "source_format"]
