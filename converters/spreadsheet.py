"""Reader for XLSX plan tables (openpyxl, read-only, every sheet in order)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook

from piao_lod.converters.source_row import RawTable, SourceRow
from piao_lod.errors import SourceError

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def read_rows(path: Path) -> RawTable:
    """Every non-blank row of every sheet.

    openpyxl is given an open file, not the path, so a workbook named ``.csv`` or
    without suffix (``--source-format xlsx``, or recognised by its bytes) is read
    too. A damaged workbook fails in many ways (XML ParseError, KeyError,
    zlib.error...), while loading or only when a sheet is read; every one of them
    means the same to the user, so all become one SourceError.
    """
    rows = []
    try:
        with path.open("rb") as handle:
            workbook = load_workbook(handle, read_only=True, data_only=True)
            try:
                for sheet in workbook.worksheets:
                    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                        cells = tuple(cell_text(value) for value in values)
                        if any(cells):
                            rows.append(SourceRow(number, cells, sheet=sheet.title))
            finally:
                workbook.close()
    except Exception as error:
        raise SourceError(f"not a readable XLSX workbook ({error.__class__.__name__}: {error})", str(path)) from None
    return RawTable(rows, XLSX_MEDIA_TYPE)


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
