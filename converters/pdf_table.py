"""Reader for plan tables in PDF documents: the objectives table read from the PDF itself.

Built on pdfplumber (on pdfminer.six): it gives every character and ruling line with its
position and finds tables from the ruling lines, cell rectangles included, which is what a
merged cell needs. Camelot (lattice mode) needs Ghostscript or OpenCV and returns text only,
tabula-py needs a Java runtime, and PyMuPDF's table finder is AGPL; see the README.

What comes out, page by page in reading order:

- every table whose header reads as a plan header (``vocabularies/columns.csv``), and every
  table that continues one on the next page (same columns, the first table of its page, with
  or without the header repeated), as tabular rows;
- the text outside those tables (title, ``COMUNE DI X``, ``PIANO DEGLI OBIETTIVI 2024``,
  ``DIRIGENTE: NAME`` headings, section titles, a row spanning the whole width of a table) as
  prose rows, one per line, for the plan reader's metadata and blocks;
- the cells of any other table (the staff table of another PIAO section, a boxed title) as
  prose rows too, one per cell: they never become objectives, and a title drawn in a box still
  reaches the plan reader.

**Rows are numbered on each page**: ``line`` is the table row on its page, counted from 1 at
the top across every table of the page, header rows included, a cell merged down counting as
the rows it covers. A prose row takes the number of the table row that follows it (one more
than the rows above it). ``page`` is the 1-based page of the document, whatever ``--pages``
selected.

A merged cell cut by a page break: its text goes to the first row it covers, even when the
text was set on the second page (a cell vertically centred or set at the bottom). That is
decided by the cell rectangles: the last cell of a column on a page, a merged cell of its own
(ruled off from the cell above), empty, whose rows hold text in other columns, takes the text
of the first cell of that column on the next page when that cell is merged too.
"""

from __future__ import annotations

import io
import logging
import re
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from piao_lod.columns import field_for_header, header_columns
from piao_lod.converters.pdf_layout import Cell, Grid, PageLayout, ProseLine, read_page
from piao_lod.converters.pdf_text import Vocabulary, join_lines
from piao_lod.converters.source_row import RawTable, ReadNote, SourceRow
from piao_lod.errors import SourceError
from piao_lod.messages import N_, ngettext_
from piao_lod.problems import Amount, Phrase, Phrases

PDF_MEDIA_TYPE = "application/pdf"
PDF_MAGIC = b"%PDF-"
MAX_PAGES = 1000                    # pages read in one run: more need --pages
MAX_PAGE_OBJECTS = 50_000           # lines, rectangles, curves and strings drawn on one page
DRAWING_OPERATORS = re.compile(rb"(?<![^\s\])>])(?:re|l|c|v|y|Tj|TJ|'|\")(?=[\s\[(/<]|$)")
MAX_CONTENT_BYTES = 8_000_000       # a page's decoded content streams
MAX_FONT_BYTES = 64_000_000         # a page's decoded font files and ToUnicode maps (a large CJK font is ~20 MB)
WIDTH_TOLERANCE = 2.0               # points: column widths of a table continued on the next page
HEADER_ROWS = 3
COLUMN_GROUPS = (       # the key field (short: written above a page break, never cut), the group's fields
    ("objective_code", ("objective_code", "objective_title", "objective_definition")),
    ("indicator_code", ("indicator_code", "indicator_title", "formula", "purpose", "target", "weight")),
    (None, ("settore",)),
    (None, ("dirigente",)),
)
OCR_HINT = N_("add a text layer with OCR, for instance `ocrmypdf -l ita {name} {stem}-ocr.pdf` (Debian packages "
              "ocrmypdf and tesseract-ocr-ita), then convert {stem}-ocr.pdf")


def looks_like_pdf(path: Path) -> bool:
    """PDF readers accept the ``%PDF-`` marker anywhere in the first kilobyte."""
    with path.open("rb") as handle:
        return PDF_MAGIC in handle.read(1024)


def read_rows(path: Path, pages=None) -> RawTable:
    """``pages``: a :class:`piao_lod.reading.PageSelection`, or None for every page."""
    layouts, notes = read_layouts(path, pages)
    sideways_pages = [layout.number for layout in layouts if layout.sideways_text]
    if sideways_pages:
        notes.append(ReadNote("pdf-page-skipped", {"detail": Phrase(
            ngettext_("page {pages} has its text drawn sideways, not upright, and was not read; turn it upright "
                      "(for instance `qpdf --rotate=+90:{range} {name} {stem}-upright.pdf`, or -90) and convert that",
                      "pages {pages} have their text drawn sideways, not upright, and were not read; turn them upright "
                      "(for instance `qpdf --rotate=+90:{range} {name} {stem}-upright.pdf`, or -90) and convert that"),
            (("count", len(sideways_pages)), ("pages", page_list(sideways_pages)),
             ("range", page_list(sideways_pages).replace(" ", "")), ("name", path.name), ("stem", path.stem)))}))
    if not any(layout.has_text for layout in layouts):
        if sideways_pages:
            raise SourceError(N_("no text drawn upright: {detail}"), str(path), detail=notes[-1].params["detail"])
        raise SourceError(N_("the PDF has no text: its pages are images (a scan?); {hint}"), str(path),
                          hint=Phrase(OCR_HINT, (("name", path.name), ("stem", path.stem))))
    image_pages = [layout.number for layout in layouts if not layout.has_text and layout.has_images]
    if image_pages:
        hint = Phrase(OCR_HINT, (("name", path.name), ("stem", path.stem)))
        notes.append(ReadNote("pdf-page-skipped", {"detail": Phrase(
            ngettext_("page {pages} is an image without text and was not read; {hint}",
                      "pages {pages} are images without text and were not read; {hint}"),
            (("count", len(image_pages)), ("pages", page_list(image_pages)), ("hint", hint)))}))
    document = DocumentRows(layouts)
    rows = document.rows()
    if not document.found_plan_table:
        read = page_list([layout.number for layout in layouts])
        found = Phrase(N_("no plan table found on the pages read ({pages}): no table whose header names at least 3 "
                          "plan columns (e.g. Codice Obiettivo, Titolo Obiettivo, Codice Ind, Target Atteso, Peso)"),
                       (("pages", read),))
        if notes:
            found = Phrase(N_("{found}; {unread}"), (("found", found), ("unread", Phrases(tuple(
                note.params["detail"] for note in notes)))))
        raise SourceError(found, str(path))
    return RawTable(rows, PDF_MEDIA_TYPE, notes)


def read_layouts(path: Path, pages) -> tuple[list[PageLayout], list[ReadNote]]:
    with pdfminer_complaints() as complaints:
        return read_layouts_noting(path, pages, complaints)


def read_layouts_noting(path: Path, pages, complaints: list[str]) -> tuple[list[PageLayout], list[ReadNote]]:
    """The pages' layouts; what pdfminer complained of while it read a page is a note on that page."""
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    if not looks_like_pdf(path):
        raise SourceError(N_("not a PDF document (no %PDF- marker at its start)"), str(path))
    try:
        document = pdfplumber.open(path)
        page_count = len(document.pages)
    except Exception as wrapped:
        error = unwrapped(wrapped)
        if not isinstance(error, (PDFPasswordIncorrect, PDFEncryptionError)):
            raise SourceError(N_("not a readable PDF, damaged or cut short ({error})"), str(path),
                              error=describe(error)) from None
        raise SourceError(N_("the PDF is encrypted and needs a password to be read ({error}); save an unprotected "
                             "copy (e.g. `qpdf --decrypt --password=... {name} plain.pdf`) and convert that"), str(path),
                          error=error.__class__.__name__, name=path.name) from None
    notes: list[ReadNote] = []
    with document:
        selected = [number for number in range(1, page_count + 1) if pages is None or number in pages]
        if not selected:
            raise SourceError(ngettext_("--pages {pages} selects no page: the PDF has {count} page",
                                        "--pages {pages} selects no page: the PDF has {count} pages"), str(path),
                              pages=str(pages), count=page_count)
        if len(selected) > MAX_PAGES:
            raise SourceError(N_("{selected} pages to read; piao-lod reads at most {limit} at once: choose the pages "
                                 "of the objectives table with --pages (e.g. --pages 12-40)"), str(path),
                              selected=Amount(len(selected)), limit=Amount(MAX_PAGES))
        layouts = []
        for number in selected:
            page = document.pages[number - 1]
            complained = len(complaints)
            try:
                refusal = too_big(page, number)
                if refusal:
                    notes.append(ReadNote("pdf-page-skipped", {"detail": refusal}))
                    continue
                layouts.append(read_page(page, number))
                if len(complaints) > complained:
                    notes.append(ReadNote("pdf-page-skipped", {"detail": Phrase(
                        N_("page {page} was read only in part: some of its content is damaged ({error}); rows may "
                           "be missing, compare them with the PDF"),
                        (("page", number), ("error", shortened(complaints[complained]))))}))
            except Exception as error:
                notes.append(ReadNote("pdf-page-skipped", {"detail": Phrase(
                    N_("page {page} could not be read ({error})"),
                    (("page", number), ("error", describe(unwrapped(error)))))}))
            finally:
                page.close()
    if not layouts:
        raise SourceError(N_("no page of the PDF could be read: {details}"), str(path),
                          details=Phrases(tuple(note.params["detail"] for note in notes)))
    return layouts, notes


class Complaints(logging.Handler):
    """Keeps what pdfminer's content-stream interpreter skipped (an operator it could not apply: text or lines lost);
    its other warnings (a font's metrics, a page label) lose nothing of the text and are dropped."""

    CONTENT_LOGGERS = frozenset({"pdfminer.pdfinterp", "pdfminer.pdfdevice"})

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name in self.CONTENT_LOGGERS:
            self.messages.append(record.getMessage())


@contextmanager
def pdfminer_complaints() -> Iterator[list[str]]:
    """pdfminer's warnings while a PDF is read, kept from the terminal (they are English, and not the reader's
    words): what it skipped of a damaged page becomes a note on that page."""
    logger, handler = logging.getLogger("pdfminer"), Complaints()
    propagated = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagated


def shortened(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def unwrapped(error: Exception) -> Exception:
    """pdfplumber wraps what pdfminer raised in a PdfminerException."""
    inner = error.args[0] if error.args else None
    return inner if isinstance(inner, Exception) else error


def describe(error: Exception) -> str:
    text = str(error).strip()
    return f"{error.__class__.__name__}: {text}" if text else error.__class__.__name__


def too_big(page, number: int) -> Phrase | None:
    """A reason not to read a page that would take minutes or gigabytes, found in its raw streams before
    pdfminer interprets it: the content streams (with the forms they draw, at any depth) too long or drawing
    too many lines, rectangles, curves and strings, or the fonts they use too large once decoded (pdfminer
    decodes a font file or a ToUnicode map whole). Images are not decoded to read text, so they do not count."""
    content, fonts = page_streams(page.page_obj)
    decoded = decoded_together(content, MAX_CONTENT_BYTES)
    if decoded is None:
        return Phrase(N_("page {page} not read: its content is over {size} MB"),
                      (("page", number), ("size", MAX_CONTENT_BYTES // 1_000_000)))
    operators = sum(len(DRAWING_OPERATORS.findall(data)) for data in decoded)
    if operators > MAX_PAGE_OBJECTS:
        return Phrase(N_("page {page} not read: it draws {count:,} lines, shapes and strings, more than {limit:,}"),
                      (("page", number), ("count", operators), ("limit", MAX_PAGE_OBJECTS)))
    if decoded_together(fonts, MAX_FONT_BYTES) is None:
        return Phrase(N_("page {page} not read: its fonts are over {size} MB once decoded"),
                      (("page", number), ("size", MAX_FONT_BYTES // 1_000_000)))
    return None


def decoded_together(streams: list, limit: int) -> list[bytes] | None:
    """Each stream's decoded data, or None as soon as together they pass ``limit`` bytes."""
    decoded, size = [], 0
    for stream in streams:
        data = decoded_within(stream, limit - size)
        if data is None:
            return None
        size += len(data)
        decoded.append(data)
    return decoded


def page_streams(page_obj) -> tuple[list, list]:
    """The streams pdfminer decodes to read a page's text: its content and every form it draws (forms inside forms
    too), a Type 3 font's glyph procedures among them; and its fonts' files and ToUnicode maps."""
    from pdfminer.pdftypes import resolve1

    content = [resolve1(stream) for stream in page_obj.contents]
    fonts, seen, pending = [], set(), [page_obj.resources]
    while pending:
        resources = dict_of(pending.pop())
        for xobject in dict_of(resources.get("XObject")).values():
            form = resolve1(xobject)
            if is_stream(form) and name_of(form.get("Subtype")) == "Form" and first_time(form, seen):
                content.append(form)
                pending.append(form.get("Resources"))
        for font in dict_of(resources.get("Font")).values():
            font = dict_of(font)
            if not first_time(font, seen):
                continue
            descendants = resolve1(font.get("DescendantFonts"))
            described = [font] + [dict_of(each) for each in descendants] if isinstance(descendants, list) else [font]
            for each in described:
                descriptor = dict_of(each.get("FontDescriptor"))
                fonts += [resolve1(descriptor.get(key)) for key in ("FontFile", "FontFile2", "FontFile3")]
            fonts.append(resolve1(font.get("ToUnicode")))
            content += [resolve1(procedure) for procedure in dict_of(font.get("CharProcs")).values()]
            pending.append(font.get("Resources"))
    return [stream for stream in content if is_stream(stream)], [stream for stream in fonts if is_stream(stream)]


def dict_of(value) -> dict:
    from pdfminer.pdftypes import resolve1

    value = resolve1(value)
    if is_stream(value):
        value = value.attrs
    return value if isinstance(value, dict) else {}


def is_stream(value) -> bool:
    return hasattr(value, "get_data") and hasattr(value, "rawdata")


def name_of(value) -> str | None:
    from pdfminer.pdftypes import resolve1

    return getattr(resolve1(value), "name", None)


def first_time(item, seen: set[int]) -> bool:
    """Whether ``item`` was not met before (a form may draw itself, or two pages share a font)."""
    key = id(item)
    if key in seen:
        return False
    seen.add(key)
    return True


def decoded_within(stream, budget: int) -> bytes | None:
    """A stream's decoded data, or None if it decodes to more than ``budget`` bytes. pdfminer inflates a
    stream whole: 1 MB of Flate data that inflates to 1 GB took 2 GB of memory before the size could be
    checked. So its Flate and LZW filters are first run here, stopping past the budget; a stream with
    Flate or LZW alone, the usual content stream, keeps what was decoded (what pdfminer would decode)."""
    from pdfminer.lzw import LZWDecoder
    from pdfminer.pdftypes import LITERALS_FLATE_DECODE, LITERALS_LZW_DECODE

    if stream.data is not None:
        return stream.data if len(stream.data) <= budget else None
    filters = stream.get_filters()
    data = stream.rawdata
    if stream.decipher:
        data = stream.decipher(stream.objid, stream.genno, data, stream.attrs)
    for name, _ in filters:
        if name in LITERALS_FLATE_DECODE:
            try:
                data = zlib.decompressobj().decompress(data, budget + 1)
            except zlib.error:
                break                   # damaged: pdfminer's own decoding decides what is left of it
        elif name in LITERALS_LZW_DECODE:
            data = joined_within(LZWDecoder(io.BytesIO(data)).run(), budget + 1)
        else:
            break
        if len(data) > budget:
            return None
    else:
        if len(filters) == 1 and not (filters[0][1] or {}).get("Predictor"):
            stream.data, stream.rawdata = data, None
    data = stream.get_data()
    return data if len(data) <= budget else None


def joined_within(chunks, limit: int) -> bytes:
    """The chunks joined, stopping once ``limit`` bytes are reached."""
    parts, size = [], 0
    for chunk in chunks:
        parts.append(chunk)
        size += len(chunk)
        if size >= limit:
            break
    return b"".join(parts)


def page_list(numbers: list[int]) -> str:
    ranges, start = [], None
    for index, number in enumerate(numbers):
        if start is None:
            start = number
        if index + 1 == len(numbers) or numbers[index + 1] != number + 1:
            ranges.append(str(start) if start == number else f"{start}-{number}")
            start = None
    return ", ".join(ranges)


# -- the document's tables, as the plan reader's rows ----------------------------------------------

@dataclass
class PlacedGrid:
    page: int
    grid: Grid
    kind: str              # "plan" (has a plan header), "continued" (goes on from the previous page), "other"
    header_rows: int
    first_on_page: bool
    last_on_page: bool
    prose_before: bool = False     # text (not a running head) between this table and the one above it
    prose_after: bool = False      # ... between it and the end of its page, for the last table
    columns: dict[str, int] | None = None    # field -> column, from the plan header above
    goes_on: bool = False          # it continues the last table of the previous page


class DocumentRows:
    """Which tables are the plan's, the cells cut by page breaks put back, the rows numbered."""

    def __init__(self, layouts: list[PageLayout]):
        self.layouts = layouts
        self.vocabulary = Vocabulary()
        self.found_plan_table = False
        for layout in layouts:
            for item in layout.items:
                if isinstance(item, ProseLine):
                    self.vocabulary.add_lines([item.text])
                else:
                    for cell in item.cells:
                        self.vocabulary.add_lines(cell.lines)

    def rows(self) -> list[SourceRow]:
        placed = self.classify()
        self.found_plan_table = any(entry.kind == "plan" for entry in placed)
        for before, after in zip(placed, placed[1:]):
            if after.kind != "other" and continues(before, after):
                after.goes_on = True
                rejoin_cut_cells(before, after)
        by_grid = {id(entry.grid): entry for entry in placed}
        rows: list[SourceRow] = []
        for layout in self.layouts:
            number = 1
            for item in layout.items:
                if isinstance(item, ProseLine):
                    rows.append(SourceRow(number, (item.text,), tabular=False, page=layout.number))
                else:
                    rows.extend(self.grid_rows(by_grid[id(item)], number))
                    number += item.row_count
        return rows

    def classify(self) -> list[PlacedGrid]:
        placed: list[PlacedGrid] = []
        running = running_heads(self.layouts)
        for layout in self.layouts:
            entries, prose = [], False
            for item in layout.items:
                if isinstance(item, ProseLine):
                    prose = prose or running_key(item) not in running
                    continue
                entries.append(PlacedGrid(layout.number, item, "other", plan_header_rows(item),
                                          first_on_page=not entries, last_on_page=False, prose_before=prose))
                prose = False
            if entries:
                entries[-1].last_on_page, entries[-1].prose_after = True, prose
            for entry in entries:
                if entry.header_rows:
                    entry.kind = "plan"
                    entry.columns = header_columns(tuple(header_row(entry.grid, entry.header_rows)))
                elif placed and continues(placed[-1], entry):
                    entry.kind, entry.columns = "continued", placed[-1].columns
                placed.append(entry)
        return placed

    def grid_rows(self, entry: PlacedGrid, first_number: int) -> list[SourceRow]:
        grid, rows = entry.grid, []
        for row in range(grid.row_count):
            number = first_number + row
            whole = grid.spans_whole_width(row)
            if entry.kind == "other" or whole is not None:
                for cell in ([whole] if whole else grid.row_cells(row)):
                    text = join_lines(cell.lines, self.vocabulary)
                    if text:
                        rows.append(SourceRow(number, (text,), tabular=False, page=entry.page))
                continue
            if row < entry.header_rows:
                if row == 0:
                    rows.append(SourceRow(number, tuple(header_row(grid, entry.header_rows)), page=entry.page))
                continue
            cells = [""] * len(grid.widths)
            for cell in grid.row_cells(row):
                cells[cell.column] = join_lines(cell.lines, self.vocabulary)
            rows.append(SourceRow(number, tuple(cells), page=entry.page))
        return rows


def plan_header_rows(grid: Grid) -> int:
    """How many rows at the top of the grid are a plan header (0: none); a name broken inside a word counts."""
    for count in range(1, min(HEADER_ROWS, grid.row_count) + 1):
        for joiner in (" ", ""):
            if header_columns(tuple(header_texts(grid, count, joiner))) is not None:
                return count
    return 0


def header_row(grid: Grid, count: int) -> list[str]:
    """The header as one row; a name the layout broke inside a word (``Codic`` / ``e Ind``) rejoined."""
    spaced, tight = header_texts(grid, count, " "), header_texts(grid, count, "")
    return [text if field_for_header(text) or not field_for_header(tight_text) else tight_text
            for text, tight_text in zip(spaced, tight)]


def header_texts(grid: Grid, count: int, joiner: str) -> list[str]:
    """Each column's header text over the first ``count`` rows (a header cell may cover several)."""
    texts = []
    for column in range(len(grid.widths)):
        lines, seen = [], set()
        for row in range(count):
            cell = grid.cell_at(row, column)
            if cell is not None and id(cell) not in seen and cell.column == column:
                seen.add(id(cell))
                lines.extend(cell.lines)
        texts.append(re.sub(r"\s+", " ", joiner.join(line.strip() for line in lines)).strip())
    return texts


def same_columns(first: Grid, second: Grid) -> bool:
    return len(first.widths) == len(second.widths) and all(
        abs(a - b) <= WIDTH_TOLERANCE for a, b in zip(first.widths, second.widths))


def continues(before: PlacedGrid, after: PlacedGrid) -> bool:
    """``after`` goes on with the table ``before`` ended the previous page with: nothing but running
    heads and feet between them, the same columns."""
    return (before.kind != "other" and before.last_on_page and after.first_on_page
            and not before.prose_after and not after.prose_before
            and after.page == before.page + 1 and same_columns(before.grid, after.grid))


def running_key(line: ProseLine) -> tuple[str, int]:
    return re.sub(r"\d+", "#", line.text), round(line.top)


def running_heads(layouts: list[PageLayout]) -> set[tuple[str, int]]:
    """Lines printed at the same place on several pages (page numbers aside): heads and feet."""
    pages_of: dict[tuple[str, int], set[int]] = {}
    for layout in layouts:
        for item in layout.items:
            if isinstance(item, ProseLine):
                pages_of.setdefault(running_key(item), set()).add(layout.number)
    return {key for key, pages in pages_of.items() if len(pages) > 1}


def rejoin_cut_cells(before: PlacedGrid, after: PlacedGrid) -> None:
    """Put back together the cells a page break cut, one group of columns at a time.

    A group is the columns of one thing the plan describes (the objective's code, title and
    definition; the indicator's; the settore). Its text set wholly on the second page goes up to
    the first page's rows, when those rows are its own (a cell ruled off from the one above it,
    merged over several rows on one side of the break) and hold text in other columns. Its text
    run over from the first page (a cell left open at the break, or the code written above the
    break and none below) is joined to the text above.
    """
    upper_grid, lower_grid = before.grid, after.grid
    last, first = upper_grid.row_count - 1, after.header_rows
    if first >= lower_grid.row_count or not before.columns:
        return
    for key, fields in COLUMN_GROUPS:
        pairs = []
        for name in fields:
            column = before.columns.get(name)
            if column is None:
                continue
            upper, lower = upper_grid.cell_at(last, column), lower_grid.cell_at(first, column)
            if upper is not None and lower is not None and lower.row == first and column in (upper.column, lower.column):
                pairs.append((name, upper, lower))
        if not pairs or all(lower.is_empty for _, _, lower in pairs):
            continue
        uppers = [upper for _, upper, _ in pairs]
        from_page_before = before.goes_on and uppers[0].row == before.header_rows
        if any(upper.open_below for upper in uppers):
            for _, upper, lower in pairs:
                upper.lines, lower.lines = upper.lines + lower.lines, []
        elif (all(upper.is_empty for upper in uppers) and not from_page_before
                and max(uppers[0].rows, pairs[0][2].rows) > 1 and rows_hold_text(upper_grid, uppers)):
            for _, upper, lower in pairs:
                upper.lines, lower.lines = lower.lines, []
        elif key and any(name == key and not upper.is_empty and lower.is_empty for name, upper, lower in pairs):
            for _, upper, lower in pairs:
                upper.lines, lower.lines = upper.lines + lower.lines, []


def rows_hold_text(grid: Grid, band: list[Cell]) -> bool:
    first, count = band[0].row, band[0].rows
    return any(not other.is_empty for other in grid.cells
               if other not in band and first <= other.row < first + count)
