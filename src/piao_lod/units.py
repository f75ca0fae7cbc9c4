"""Units of measure as plans write them (``km``, ``mq``, ``%``, ``gg``, ``sì/no``), from ``vocabularies/units.csv``.

A unit maps to a QUDT unit where one fits, and may decide how targets are read: ``%`` makes
them percentages, ``data`` deadlines, ``sì/no`` yes/no values.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, replace
from functools import lru_cache

from piao_lod.resources import vocabulary_file
from piao_lod.values import Target, TargetKind, read_target

PARENTHESIS = re.compile(r"\(([^()]{1,40})\)")
NUMBER_THEN_UNIT = re.compile(r"^(?P<number>.{0,40}?[0-9])\s*+(?P<unit>[^\d\s][^\d]{0,30})$")
UNIT_THEN_NUMBER = re.compile(r"^(?P<unit>[^\d+\-][^\d]{0,30}?)\s*+(?P<number>[+-]?[0-9][\d.,\s]{0,40})$")
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


def read_target_with_unit(raw: str, formula: str = "", unit_kind: TargetKind | None = None) -> Target:
    """A target-like cell that writes its unit beside the number (``30 gg``, ``1.500 €``, ``≤ 30 giorni``,
    ``n. 5``) is the number, read in that unit's kind when the unit column says nothing; any other cell is
    read by :func:`~piao_lod.values.read_target`. The text as written is kept either way."""
    reading = read_target(raw, formula, unit_kind)
    if reading.value is not None or reading.date is not None:
        return reading
    text = " ".join(raw.split())
    for pattern in (NUMBER_THEN_UNIT, UNIT_THEN_NUMBER):
        match = pattern.match(text)
        unit = units_by_text().get(unit_key(match["unit"])) if match else None
        if unit is not None and unit.kind in (TargetKind.NUMBER, TargetKind.PERCENTAGE):
            inner = read_target(match["number"].strip(), formula, unit_kind or unit.kind)
            if inner.value is not None:
                return replace(inner, raw=raw)
    return reading
