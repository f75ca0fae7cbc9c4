"""Which plan field a header cell names: the header vocabulary of ``vocabularies/columns.csv``.

Case, accents, punctuation and spacing do not matter (``Unità di misura`` = ``UNITA' DI MISURA``).
A year in a header (``Target 2025``, ``Risultato atteso anno 2026``, ``Valore atteso al 31/12/2027``,
``Baseline (2023)``) or a year relative to the plan (``Target N+1``) is read as the year of that
column, for the fields that have one value per year. A layout profile (``--profile``) adds its
own header names on top of the vocabulary.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass, field, replace
from functools import lru_cache

from piao_lod.messages import N_
from piao_lod.resources import vocabulary_file

FIELD_LABELS = {
    "ente": N_("Ente"), "year": N_("Year"),
    "missione": N_("Budget mission"), "programma": N_("Budget programme"),
    "mandate_line": N_("Mandate line"), "strategic_code": N_("Strategic objective code"),
    "strategic_title": N_("Strategic objective"),
    "settore": N_("Settore"), "dirigente": N_("Dirigente"),
    "objective_code": N_("Objective code"), "objective_title": N_("Objective title"),
    "objective_definition": N_("Objective definition"), "objective_weight": N_("Objective weight"),
    "indicator_code": N_("Indicator code"), "indicator_title": N_("Indicator title"),
    "formula": N_("Indicator formula"), "purpose": N_("Indicator purpose"), "unit": N_("Unit of measure"),
    "baseline": N_("Baseline"), "target": N_("Target"), "deadline": N_("Deadline"), "achieved": N_("Achieved value"),
    "achievement_rate": N_("Achievement rate"), "weight": N_("Indicator weight"),
    "pnrr": N_("PNRR measure"),
}
FIELDS = tuple(FIELD_LABELS)
IGNORED = "ignore"                     # a profile's way to say a column is known and not converted
YEARLY_FIELDS = frozenset({"target", "deadline", "baseline", "achieved", "achievement_rate"})
YEAR_HEADER_FIELD = "target"           # what a column headed by a year alone holds in a plan
REPEATED_FIELDS = frozenset({"pnrr"})   # a column per measure (``Misura PNRR M1C1-I1.1``, marked SI or X) is no duplicate
REQUIRED_FIELDS = ("objective_title",)
EXPECTED_FIELDS = ("settore", "indicator_title", "target", "weight")
MIN_HEADER_MATCHES = 3
LONGEST_HEADER = 200

YEAR = re.compile(r"\b(19[9]\d|20\d\d|2100)\b")
RELATIVE_YEAR = re.compile(r"\bn(?: ([1-9]))?$")      # on a header key: "Target N+1" is "target n 1"
# A PNRR measure code in a header (``Misura PNRR M1C1-I1.1``): the column is that measure's (see pnrr.CODE).
HEADER_PNRR_CODE = re.compile(r"\bm\s*+\d{1,2}\s*+c\s*+\d{1,2}\s*+[-–.]?\s*+[ir]\s*+\.?\s*+\d{1,2}(?:\s*+\.\s*+\d{1,2})*+",
                              re.IGNORECASE)
BRACKETED = re.compile(r"\([^()]{0,40}\)")
DATE_WORDS = re.compile(r"\b(?:al|entro|il|nel|dell|del|per|l|anno|annualita|31 12|30 06|30 6|31 3|31 03)\b")


def header_key(text: str) -> str:
    """Case, accents, punctuation and spacing do not matter in header names."""
    text = unicodedata.normalize("NFKD", text[:LONGEST_HEADER]).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z0-9%]+", " ", text.casefold()).split())


def without_brackets(text: str) -> str:
    """The header with every bracketed part taken out, nested ones too (in a loop: a hostile cell can nest
    brackets thousands deep)."""
    bare = text[:LONGEST_HEADER]
    while (stripped := BRACKETED.sub(" ", bare)) != bare:
        bare = stripped
    return bare


@dataclass(frozen=True)
class HeaderMatch:
    """What a header cell names: a field, and for yearly fields the year (or ``offset`` from the plan year)."""

    field: str
    year: int | None = None
    offset: int | None = None
    percent: bool = False          # the header says its values are percentages (``Target 2025 (%)``)
    last_year: int | None = None   # a header naming a span of years (``Target 2025-2027``): its last; ``year`` the first


class HeaderVocabulary:
    """Header names -> fields: the bundled synonyms, plus those of a profile (which win)."""

    def __init__(self, synonyms: dict[str, str]):
        self.synonyms = synonyms

    def with_names(self, names: dict[str, str]) -> HeaderVocabulary:
        return HeaderVocabulary({**self.synonyms, **{header_key(name): name_field for name, name_field in names.items()}})

    def match(self, text: str) -> HeaderMatch | None:
        key = header_key(text)
        if not key:
            return None
        found = self.match_key(key, text)
        words = key.split()
        for turn in range(1, min(len(words), 4)):
            if found is not None:
                break
            # a header over two rows joins "Obiettivo" over "Codice" as "Obiettivo Codice": "codice obiettivo"
            found = self.match_key(" ".join(words[turn:] + words[:turn]), text)
        if found is None and (bare := without_brackets(text)) != text[:LONGEST_HEADER] and bare.strip():
            found = self.match(bare)    # "Centro di responsabilità (CdR)": the name without its abbreviation
        return found

    def match_key(self, key: str, text: str) -> HeaderMatch | None:
        if key in self.synonyms:
            return HeaderMatch(self.synonyms[key])
        text = text[:LONGEST_HEADER]
        if HEADER_PNRR_CODE.search(text) and self.synonyms.get(header_key(HEADER_PNRR_CODE.sub(" ", text))) == "pnrr":
            return HeaderMatch("pnrr")
        year = offset = last_year = None
        rest = key
        if years := [int(found) for found in YEAR.findall(rest)]:
            year, last_year = years[0], (max(years) if max(years) != years[0] else None)
            rest = YEAR.sub(" ", rest)
        elif found := RELATIVE_YEAR.search(rest):
            offset = int(found[1] or 0)
            rest = rest[: found.start()]
        percent = "%" in rest
        candidates = [rest]
        if year is not None or offset is not None:
            candidates.append(DATE_WORDS.sub(" ", rest))
        candidates += [candidate.replace("%", " ") for candidate in list(candidates) if percent]
        for candidate in candidates:
            name = " ".join(candidate.split())
            found_field = self.synonyms.get(name)
            if (year is not None and not name) or (found_field == "year" and (year is not None or offset is not None)):
                found_field = YEAR_HEADER_FIELD      # "2025", "Anno 2025", "Anno N+1": that year's values, not the plan's year
            if found_field is None:
                continue
            if found_field not in YEARLY_FIELDS or (year is None and offset is None):
                return HeaderMatch(found_field, percent=percent and "%" not in name)
            return HeaderMatch(found_field, year, offset, percent and "%" not in name, last_year)
        return None


@lru_cache(maxsize=1)
def bundled_vocabulary() -> HeaderVocabulary:
    with vocabulary_file("columns.csv").open(encoding="utf-8") as handle:
        return HeaderVocabulary({header_key(row["header"]): row["field"] for row in csv.DictReader(handle)})


def field_for_header(text: str) -> str | None:
    found = bundled_vocabulary().match(text)
    return found.field if found else None


def count_known_headers(cells: list[str] | tuple[str, ...]) -> int:
    return len({found for found in map(field_for_header, cells) if found and found != IGNORED})


@dataclass(frozen=True)
class Column:
    index: int
    header: str
    field: str
    year: int | None = None
    offset: int | None = None
    percent: bool = False
    last_year: int | None = None

    @property
    def yearly(self) -> bool:
        return self.year is not None or self.offset is not None


@dataclass
class TableLayout:
    """A header row read: which column holds which field, and what it could not read."""

    cells: tuple[str, ...]
    columns: list[Column]
    duplicates: list[tuple[Column, Column]] = field(default_factory=list)
    unknown: list[tuple[int, str]] = field(default_factory=list)

    @property
    def fields(self) -> set[str]:
        return {column.field for column in self.columns}

    @property
    def width(self) -> int:
        return max(len(self.cells), max((column.index for column in self.columns), default=-1) + 1)

    def single(self, wanted: str) -> Column | None:
        """The column of a field that has one value per row (for yearly fields: the one without a year)."""
        return next((column for column in self.columns if column.field == wanted and not column.yearly), None)

    def of_field(self, wanted: str) -> list[Column]:
        return [column for column in self.columns if column.field == wanted]

    def signature(self) -> tuple:
        return tuple((column.index, column.field, column.year, column.offset) for column in self.columns)


def read_layout(cells: tuple[str, ...], vocabulary: HeaderVocabulary) -> TableLayout | None:
    """The layout a row declares if it is a plan header (at least three fields), else None."""
    columns: list[Column] = []
    duplicates: list[tuple[Column, Column]] = []
    unknown: list[tuple[int, str]] = []
    seen: dict[tuple, Column] = {}
    for index, cell in enumerate(cells):
        text = " ".join(cell.split())
        if not text:
            continue
        found = vocabulary.match(text)
        if found is None:
            unknown.append((index, text))
            continue
        if found.field == IGNORED:
            continue
        column = Column(index, text, found.field, found.year, found.offset, found.percent, found.last_year)
        key = (found.field, found.year, found.offset, index if found.field in REPEATED_FIELDS else None)
        if key in seen:
            duplicates.append((seen[key], column))
            continue
        seen[key] = column
        columns.append(column)
    if len({column.field for column in columns}) < MIN_HEADER_MATCHES or looks_like_data(cells):
        return None
    fields = {column.field for column in columns}
    if "objective_title" not in fields and "objective_definition" in fields:
        # "Descrizione obiettivo" as the only text of the objective is its title
        columns = [replace(column, field="objective_title") if column.field == "objective_definition" else column
                   for column in columns]
    return TableLayout(tuple(cells), columns, duplicates, unknown)


NUMBER_CELL = re.compile(r"^[+-]?\d[\d.,]*%?$")


def looks_like_data(cells: tuple[str, ...]) -> bool:
    """A row holding a bare number (a code, a target, a weight) is data, even when some of its words are also
    header names (an indicator titled "Indicatore", a purpose "scopo")."""
    return any(NUMBER_CELL.match(cell.strip()) and not YEAR.fullmatch(cell.strip()) for cell in cells)


def without_years(cells: tuple[str, ...]) -> tuple[str, ...]:
    """The row with its cells that are a year alone (``2025``) blanked: what it names besides years."""
    return tuple("" if YEAR.fullmatch(header_key(cell)) else cell for cell in cells)


def is_sub_header(cells: tuple[str, ...], vocabulary: HeaderVocabulary) -> bool:
    """A row under a header that completes it: every cell a year (``2025``), ``N+1``, or a header name."""
    filled = [" ".join(cell.split()) for cell in cells if cell.strip()]
    return bool(filled) and all(
        YEAR.fullmatch(header_key(cell)) or RELATIVE_YEAR.fullmatch(header_key(cell)) or vocabulary.match(cell)
        for cell in filled)


def repeats_merged_cells(top: tuple[str, ...], bottom: tuple[str, ...]) -> bool:
    """Whether ``bottom`` is the second row of a two-row header whose other cells are merged down over both
    rows: a spreadsheet reader gives a merged cell's text to every row it covers, so the two rows hold the
    same text there, and the bottom row adds years under a cell merged across (``Target`` over 2025 2026)."""
    pairs = [(upper.strip(), lower.strip()) for upper, lower in zip(top, bottom) if upper.strip() and lower.strip()]
    differing = [lower for upper, lower in pairs if upper != lower]
    adds = any(lower.strip() and not (top[index].strip() if index < len(top) else "")
               for index, lower in enumerate(bottom))
    return (any(upper == lower for upper, lower in pairs) and (adds or bool(differing))
            and all(YEAR.fullmatch(header_key(cell)) or RELATIVE_YEAR.fullmatch(header_key(cell)) for cell in differing))


def merge_header_rows(top: tuple[str, ...], bottom: tuple[str, ...]) -> tuple[str, ...]:
    """Two header rows as one: each column's top text (carried right over the empty cells of a merged
    top cell, where the bottom row has text) joined to its bottom text."""
    width = max(len(top), len(bottom))
    merged, carried = [], ""
    for index in range(width):
        upper = top[index].strip() if index < len(top) else ""
        lower = bottom[index].strip() if index < len(bottom) else ""
        if upper:
            carried = upper
        elif lower:
            upper = carried
        else:
            carried = ""
        merged.append(upper if upper == lower else " ".join(part for part in (upper, lower) if part))
    return tuple(merged)


def header_columns(cells: tuple[str, ...], vocabulary: HeaderVocabulary | None = None) -> dict[str, int] | None:
    """Field -> index of its first column if the row is a plan header, else None (the readers' quick test)."""
    layout = read_layout(cells, vocabulary or bundled_vocabulary())
    if layout is None:
        return None
    columns: dict[str, int] = {}
    for column in layout.columns:
        columns.setdefault(column.field, column.index)
    return columns
