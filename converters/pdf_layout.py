"""What one PDF page holds, in reading order: tables as grids of cells, and lines of prose.

Ruled tables are found by pdfplumber from the ruling lines and cell rectangles, so a cell merged
down over several rows is one rectangle: its text is given to the first row it covers and the
rows below it are left empty, the way the plan reader expects continuation rows. Tables drawn
without ruling lines are found from the words: a line whose cells read as a plan header (see
``vocabularies/columns.csv``) opens one, its columns are bounded by the header words and the
vertical gaps of white that run down the body, and a new row starts where a column's text
starts again after a pause (a cell whose text runs on without a gap across the start of a row
is a cell merged down). Everything else on the page is prose, one line at a time.

Cell text is kept as its lines here; :mod:`piao_lod.converters.pdf_text` joins them once the
whole document's words are known.
"""

from __future__ import annotations

import bisect
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from piao_lod.columns import MIN_HEADER_MATCHES, field_for_header

WORD_SPACE = 0.15          # of the text size: a wider gap between letters is a space
SNAP = 2.0                  # points: boundaries of cells closer than this are one line
LINE_TOLERANCE = 0.45       # of the text height: words whose tops differ less are on one line
WORD_GAP = 0.55             # of the text height: a wider gap between words separates two cells
ROW_PAUSE = 1.35            # of the line pitch: a wider step down ends a cell's text
HEADER_LINES = 3            # a header may wrap over this many lines
TABLE_BREAK = 2.5           # of the line pitch: a wider gap ends a table drawn without lines


@dataclass
class Cell:
    row: int                   # first grid row the cell covers, from 0
    column: int                # first grid column
    rows: int = 1              # grid rows covered (more than one: merged down)
    columns: int = 1
    lines: list[str] = field(default_factory=list)
    open_below: bool = False   # no ruling line closes it at the bottom of the table: it goes on overleaf

    @property
    def is_empty(self) -> bool:
        return not any(line.strip() for line in self.lines)


@dataclass
class Grid:
    """A table as rows × columns; ``widths`` let a table continued on the next page be recognised."""

    top: float
    bottom: float
    widths: tuple[float, ...]
    row_count: int
    cells: list[Cell]
    ruled: bool

    def __post_init__(self) -> None:
        self.covering: dict[tuple[int, int], Cell] = {}
        for cell in self.cells:
            for row in range(cell.row, cell.row + cell.rows):
                for column in range(cell.column, cell.column + cell.columns):
                    self.covering[row, column] = cell

    def cell_at(self, row: int, column: int) -> Cell | None:
        return self.covering.get((row, column))

    def row_cells(self, row: int) -> list[Cell]:
        """The cells that start on this row, left to right."""
        return sorted((cell for cell in self.cells if cell.row == row), key=lambda cell: cell.column)

    def spans_whole_width(self, row: int) -> Cell | None:
        cells = self.row_cells(row)
        if len(cells) == 1 and cells[0].columns == len(self.widths) and len(self.widths) > 1:
            return cells[0]
        return None


@dataclass
class ProseLine:
    top: float
    text: str


@dataclass
class PageLayout:
    number: int
    items: list[Grid | ProseLine]
    has_text: bool
    has_images: bool
    sideways_text: bool = False     # more of its text is drawn sideways than upright: that text is not read


@dataclass
class Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass
class TextLine:
    words: list[Word]
    top: float
    bottom: float

    @property
    def height(self) -> float:
        return statistics.median(word.height for word in self.words)

    @property
    def text(self) -> str:
        return " ".join(word.text for word in self.words)

    def segments(self) -> list[list[Word]]:
        """Runs of words separated by gaps wider than a space: the cells of a table line."""
        gap = WORD_GAP * self.height
        runs = [[self.words[0]]]
        for word in self.words[1:]:
            if word.x0 - runs[-1][-1].x1 > gap:
                runs.append([word])
            else:
                runs[-1].append(word)
        return runs


def read_page(page, number: int) -> PageLayout:
    """The tables and prose of one pdfplumber page (chars not drawn upright are left out)."""
    chars = [char for char in page.chars if char.get("upright", True)]
    sideways = sum(1 for char in page.chars if not char.get("upright", True) and char["text"].strip())
    grids, inside = ruled_grids(page, chars)
    outside = [char for index, char in enumerate(chars) if index not in inside]
    lines = text_lines(words_of(outside))
    text_grids, prose = text_tables(lines)
    items: list[Grid | ProseLine] = [*grids, *text_grids, *(ProseLine(line.top, line.text) for line in prose)]
    items.sort(key=lambda item: item.top)
    upright = sum(1 for char in chars if char["text"].strip())
    return PageLayout(number, items, upright > 0, bool(page.images), sideways > upright)


# -- ruled tables ------------------------------------------------------------------------------------

def ruled_grids(page, chars: list[dict]) -> tuple[list[Grid], set[int]]:
    """Grids from pdfplumber's cells, and the indexes of the chars that fell inside them.

    A browser leaves a cell cut by the page break open (its side lines run down to the break,
    no line closes it): pdfplumber is given a closing line there, and the cells it closes are
    marked open below.
    """
    closing, ruled = open_ends(page.edges)
    grids, inside = [], set()
    settings = {"explicit_horizontal_lines": closing} if closing else None
    for table in page.find_tables(settings):
        grid, taken = grid_from_cells(table.cells, table.bbox, chars, closing, ruled)
        if grid is not None:
            grids.append(grid)
            inside |= taken
    return grids, inside


def open_ends(edges: list[dict]) -> tuple[list[float], list[dict]]:
    """Where vertical ruling lines (joined up as pdfplumber joins them) end with no horizontal line;
    and the horizontal lines."""
    from pdfplumber.table import merge_edges

    edges = merge_edges(edges, SNAP, SNAP, SNAP, SNAP)
    horizontal = [edge for edge in edges if edge["orientation"] == "h" and edge["x1"] - edge["x0"] > SNAP * 3]
    ends = []
    for edge in edges:
        if edge["orientation"] != "v" or edge["bottom"] - edge["top"] < SNAP * 3:
            continue
        bottom, x = edge["bottom"], edge["x0"]
        if not any(abs(line["top"] - bottom) <= SNAP and line["x0"] - SNAP <= x <= line["x1"] + SNAP
                   for line in horizontal):
            ends.append(bottom)
    return snapped(ends), horizontal


def closed_below(rect, horizontal: list[dict]) -> bool:
    """A horizontal line runs along most of the rectangle's bottom."""
    width = rect[2] - rect[0]
    covered = sum(max(0.0, min(line["x1"], rect[2]) - max(line["x0"], rect[0]))
                  for line in horizontal if abs(line["top"] - rect[3]) <= SNAP)
    return covered >= 0.5 * width


def snapped(values: Iterable[float]) -> list[float]:
    result: list[float] = []
    for value in sorted(values):
        if not result or value - result[-1] > SNAP:
            result.append(value)
    return result


def nearest(boundaries: Sequence[float], value: float) -> int:
    index = bisect.bisect_left(boundaries, value)
    if index == len(boundaries) or (index > 0 and value - boundaries[index - 1] < boundaries[index] - value):
        index -= 1
    return index


def grid_from_cells(rectangles, bbox, chars: list[dict], closing: list[float],
                    horizontal: list[dict]) -> tuple[Grid | None, set[int]]:
    xs = snapped([x for rect in rectangles for x in (rect[0], rect[2])])
    ys = snapped([y for rect in rectangles for y in (rect[1], rect[3])])
    if len(xs) < 2 or len(ys) < 2:
        return None, set()
    cells, owner = [], {}
    for rect in rectangles:
        column, row = nearest(xs, rect[0]), nearest(ys, rect[1])
        columns, rows = nearest(xs, rect[2]) - column, nearest(ys, rect[3]) - row
        if columns < 1 or rows < 1:
            continue
        cell = Cell(row, column, rows, columns, open_below=any(abs(rect[3] - y) <= SNAP for y in closing)
                                                                and not closed_below(rect, horizontal))
        cells.append(cell)
        for r in range(row, row + rows):
            for c in range(column, column + columns):
                owner[r, c] = cell
    cells += open_cells(owner, len(xs) - 1, len(ys) - 1)
    x0, top, x1, bottom = bbox
    by_cell: dict[int, list[dict]] = {}
    taken = set()
    for index, char in enumerate(chars):
        mid_x, mid_y = (char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2
        if not x0 <= mid_x <= x1:
            continue
        column, row = bisect.bisect_right(xs, mid_x) - 1, bisect.bisect_right(ys, mid_y) - 1
        column, row = min(column, len(xs) - 2), min(row, len(ys) - 2)
        if not top <= mid_y <= bottom:
            # the line a browser set across the page break, just under an open cell's sides
            below = owner.get((len(ys) - 2, column))
            if not (below is not None and below.open_below and char["top"] <= bottom + SNAP < char["bottom"] + SNAP):
                continue
        taken.add(index)
        cell = owner.get((row, column))
        if cell is not None:
            by_cell.setdefault(id(cell), []).append(char)
    for cell in cells:
        cell.lines = [line.text for line in text_lines(words_of(by_cell.get(id(cell), [])))]
    widths = tuple(round(b - a, 1) for a, b in zip(xs, xs[1:]))
    return Grid(top, bottom, widths, len(ys) - 1, cells, ruled=True), taken


def open_cells(owner: dict[tuple[int, int], Cell], columns: int, rows: int) -> list[Cell]:
    """Cells pdfplumber could not close: a merged cell a browser leaves open at a page break has
    no bottom line. The grid places no cell covers become one cell per column run."""
    found = []
    for column in range(columns):
        row = 0
        while row < rows:
            if (row, column) in owner:
                row += 1
                continue
            start = row
            while row < rows and (row, column) not in owner:
                row += 1
            cell = Cell(start, column, row - start, 1, open_below=row == rows)
            found.append(cell)
            for covered in range(start, row):
                owner[covered, column] = cell
    return found


# -- words and lines ---------------------------------------------------------------------------------

def words_of(chars: list[dict]) -> list[Word]:
    if not chars:
        return []
    from pdfplumber.utils.text import WordExtractor    # pdfplumber takes 0.5 s to import: only for PDFs

    extractor = WordExtractor(x_tolerance_ratio=WORD_SPACE, y_tolerance=3, keep_blank_chars=False, use_text_flow=False)
    return [Word(word["text"], word["x0"], word["x1"], word["top"], word["bottom"])
            for word in extractor.extract_words(chars)]


def text_lines(words: list[Word]) -> list[TextLine]:
    """Words grouped into lines by their tops, top to bottom, each line left to right."""
    lines: list[TextLine] = []
    for word in sorted(words, key=lambda word: (word.top, word.x0)):
        if lines and abs(word.top - lines[-1].top) <= LINE_TOLERANCE * max(word.height, 1.0):
            lines[-1].words.append(word)
            lines[-1].bottom = max(lines[-1].bottom, word.bottom)
        else:
            lines.append(TextLine([word], word.top, word.bottom))
    for line in lines:
        line.words.sort(key=lambda word: word.x0)
    return lines


# -- tables without ruling lines ---------------------------------------------------------------------

@dataclass
class HeaderCell:
    x0: float
    x1: float
    lines: list[str]


def header_cells(lines: list[TextLine]) -> list[HeaderCell]:
    """The segments of a few lines merged into header cells where they sit one above the other."""
    cells: list[HeaderCell] = []
    for line in lines:
        for segment in line.segments():
            x0, x1, text = segment[0].x0, segment[-1].x1, " ".join(word.text for word in segment)
            for cell in cells:
                if x0 < cell.x1 and cell.x0 < x1:
                    cell.x0, cell.x1 = min(cell.x0, x0), max(cell.x1, x1)
                    cell.lines.append(text)
                    break
            else:
                cells.append(HeaderCell(x0, x1, [text]))
    return sorted(cells, key=lambda cell: cell.x0)


def header_text_matches(lines: list[str]) -> bool:
    return bool(field_for_header(" ".join(lines)) or field_for_header("".join(lines)))


def find_text_header(lines: list[TextLine], start: int) -> tuple[int, list[HeaderCell]] | None:
    """How many lines from ``start`` form a plan header, and its cells; None if they do not."""
    best = None
    for count in range(1, HEADER_LINES + 1):
        window = lines[start:start + count]
        if len(window) < count or (count > 1 and window[-1].top - window[-2].bottom > window[-1].height):
            break
        cells = header_cells(window)
        known = sum(header_text_matches(cell.lines) for cell in cells)
        if len(cells) >= MIN_HEADER_MATCHES and known >= MIN_HEADER_MATCHES and (best is None or known > best[0]):
            best = (known, count, cells)
    return None if best is None else (best[1], best[2])


def text_tables(lines: list[TextLine]) -> tuple[list[Grid], list[TextLine]]:
    grids, prose, index = [], [], 0
    while index < len(lines):
        if len(lines[index].segments()) >= MIN_HEADER_MATCHES and (found := find_text_header(lines, index)):
            count, cells = found
            end = text_table_end(lines, index + count, cells)
            grids.append(text_grid(lines[index:index + count], lines[index + count:end], cells))
            index = end
        else:
            prose.append(lines[index])
            index += 1
    return grids, prose


def text_table_end(lines: list[TextLine], start: int, cells: list[HeaderCell]) -> int:
    """The index of the first line after the table body: a new header, another text size, a wide
    gap, or a line that runs across two whole columns (a heading, a paragraph)."""
    if start >= len(lines):
        return start
    size = lines[start].height
    pitches = [b.top - a.top for a, b in zip(lines[start:start + 40], lines[start + 1:start + 41]) if b.top > a.top]
    pitch = min(pitches) if pitches else size * 1.2
    for index in range(start, len(lines)):
        line = lines[index]
        if index > start and line.top - lines[index - 1].top > TABLE_BREAK * pitch + size:
            return index
        if abs(line.height - size) > 0.2 * size:
            return index
        if len(line.segments()) >= MIN_HEADER_MATCHES and find_text_header(lines, index):
            return index
        for segment in line.segments():
            covered = [cell for cell in cells if segment[0].x0 <= cell.x0 + 1 and cell.x1 <= segment[-1].x1 + 1]
            if len(covered) >= 2:
                return index
    return len(lines)


def column_bounds(cells: list[HeaderCell], body: list[TextLine]) -> list[float]:
    """Left edges of the columns: a header cell's left edge, moved left to the body words that
    start before it and run under it (a header centred over its column)."""
    words = [word for line in body for word in line.words]
    bounds = [min([cells[0].x0] + [word.x0 for word in words]) - 1]
    for left, right in zip(cells, cells[1:]):
        crossing = [word.x0 for word in words if left.x1 < word.x0 < right.x0 - 1 < word.x1]
        bounds.append(min([right.x0] + crossing) - 1)
    bounds.append(max([cells[-1].x1] + [word.x1 for word in words]) + 1)
    return bounds


def text_grid(header: list[TextLine], body: list[TextLine], cells: list[HeaderCell]) -> Grid:
    """Cells from the words of each column: a cell is a run of lines without a pause in its column
    (each column is followed on its own, as a merged cell's lines need not sit level with the
    lines of the rows beside it); a row starts where any column's cell starts."""
    bounds = column_bounds(cells, body)
    columns = len(cells)
    by_column: list[list[Word]] = [[] for _ in range(columns)]
    for word in (word for line in body for word in line.words):
        column = bisect.bisect_right(bounds, (word.x0 + word.x1) / 2) - 1
        by_column[max(0, min(columns - 1, column))].append(word)
    size = statistics.median([line.height for line in body]) if body else 1.0
    column_lines = [text_lines(words) for words in by_column]
    pitch = typical_pitch(column_lines, size)
    runs: list[tuple[int, list[TextLine]]] = []
    for column, lines in enumerate(column_lines):
        for index, line in enumerate(lines):
            if index and line.top - lines[index - 1].top <= ROW_PAUSE * pitch:
                runs[-1][1].append(line)
            else:
                runs.append((column, [line]))
    starts: list[float] = []
    for top in sorted(lines[0].top for _, lines in runs):
        if not starts or top - starts[-1] > LINE_TOLERANCE * size:
            starts.append(top)
    grid_cells = [Cell(0, index, lines=list(cell.lines)) for index, cell in enumerate(cells)]
    for column, lines in runs:
        row = nearest(starts, lines[0].top)
        last = bisect.bisect_right(starts, lines[-1].top + LINE_TOLERANCE * size) - 1
        grid_cells.append(Cell(row + 1, column, max(1, last - row + 1), 1, [line.text for line in lines]))
    widths = tuple(round(b - a, 1) for a, b in zip(bounds, bounds[1:]))
    bottom = body[-1].bottom if body else header[-1].bottom
    return Grid(header[0].top, bottom, widths, len(starts) + 1, grid_cells, ruled=False)


def typical_pitch(columns: list[list[TextLine]], size: float) -> float:
    """The usual step from one line to the next inside a cell: the lower quartile of the steps
    down every column (most steps are inside cells of several lines)."""
    steps = sorted(b.top - a.top for lines in columns for a, b in zip(lines, lines[1:]) if b.top - a.top > 0.5 * size)
    return steps[len(steps) // 4] if steps else 1.2 * size
