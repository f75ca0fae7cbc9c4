"""Which plan field a header cell names, from the synonyms in vocabularies/columns.csv."""

from __future__ import annotations

import csv
import re
import unicodedata
from functools import lru_cache

from piao_lod.resources import vocabulary_file

FIELDS = (
    "settore", "dirigente", "objective_code", "objective_title", "objective_definition",
    "indicator_code", "indicator_title", "formula", "purpose", "target", "weight", "ente", "year",
)
REQUIRED_FIELDS = ("objective_code", "objective_title")
EXPECTED_FIELDS = ("settore", "indicator_code", "indicator_title", "formula", "purpose", "target", "weight")
MIN_HEADER_MATCHES = 3

FIELD_LABELS = {
    "settore": "Settore", "dirigente": "Dirigente", "objective_code": "Codice Obiettivo",
    "objective_title": "Titolo Obiettivo", "objective_definition": "Definizione Obiettivo",
    "indicator_code": "Codice Ind", "indicator_title": "Titolo Indicatore",
    "formula": "Formula Indicatore", "purpose": "Finalità Indicatore", "target": "Target Atteso",
    "weight": "Peso", "ente": "Ente", "year": "Anno",
}


def header_key(text: str) -> str:
    """Case, accents, punctuation and spacing do not matter in header names."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z0-9%]+", " ", text.casefold()).split())


@lru_cache(maxsize=1)
def header_synonyms() -> dict[str, str]:
    with vocabulary_file("columns.csv").open(encoding="utf-8") as handle:
        return {header_key(row["header"]): row["field"] for row in csv.DictReader(handle)}


def field_for_header(text: str) -> str | None:
    return header_synonyms().get(header_key(text))


def count_known_headers(cells: list[str] | tuple[str, ...]) -> int:
    return len({field for field in map(field_for_header, cells) if field})


def header_columns(cells: tuple[str, ...]) -> dict[str, int] | None:
    """Map field -> column index if the row is a plan header, else None."""
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        field = field_for_header(cell)
        if field and field not in columns:
            columns[field] = index
    return columns if len(columns) >= MIN_HEADER_MATCHES else None
