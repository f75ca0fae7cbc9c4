"""Units of measure as plans write them (``km``, ``mq``, ``%``, ``gg``, ``sì/no``), from ``vocabularies/units.csv``.

A unit maps to a QUDT unit where one fits, and may decide how targets are read: ``%`` makes
them percentages, ``data`` deadlines, ``sì/no`` yes/no values.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache

from piao_lod.resources import vocabulary_file
from piao_lod.values import TargetKind

PARENTHESIS = re.compile(r"\(([^()]{1,40})\)")
LONGEST_UNIT = 80


@dataclass(frozen=True)
class Unit:
    name: str
    iri: str | None
    kind: TargetKind
    symbol: str
    label_it: str
    label_en: str


@dataclass(frozen=True)
class UnitReading:
    """A unit cell as written and the unit it reads as (None: not in the vocabulary)."""

    raw: str
    unit: Unit | None


def unit_key(text: str) -> str:
    return " ".join(text.casefold().split()).strip(" .:")


@lru_cache(maxsize=1)
def units_by_text() -> dict[str, Unit]:
    with vocabulary_file("units.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    found: dict[str, Unit] = {}
    for row in rows:
        unit = Unit(row["unit"], row["iri"] or None, TargetKind(row["kind"]), row["symbol"], row["it"], row["en"])
        for written in [row["unit"], *row["written"].split(";")]:
            found.setdefault(unit_key(written), unit)
    return found


@lru_cache(maxsize=1)
def units_by_iri() -> dict[str, Unit]:
    return {unit.iri: unit for unit in units_by_text().values() if unit.iri}


def read_unit(raw: str) -> UnitReading:
    """``Numero``, ``n.``, ``metri lineari``, ``Km``; also ``Numero (n.)`` by its words or what is in brackets."""
    text = raw[:LONGEST_UNIT]
    known = units_by_text()
    for candidate in (text, PARENTHESIS.sub("", text), *PARENTHESIS.findall(text)):
        if (unit := known.get(unit_key(candidate))) is not None:
            return UnitReading(raw, unit)
    return UnitReading(raw, None)
