"""Budget missions and programmes (D.Lgs. 118/2011) as plans write them, matched to the scheme.

Plans write ``01``, ``Missione 1 - Servizi istituzionali...``, the name alone, and programmes as
``02`` (within the row's mission), ``0102``, ``01.02``, ``Programma 02 - Segreteria generale`` or the
name; all become the scheme notations ``01`` and ``01.02`` of ``ontology/bilancio.ttl``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pyoxigraph as ox

from piao_lod.columns import header_key
from piao_lod.namespaces import SKOS
from piao_lod.resources import ontology_file

BILANCIO = "https://w3id.org/piao-lod/bilancio/"
MISSION = re.compile(r"^(?:missione|miss|m)?\s*(\d{1,2})(?!\d)")
PROGRAMME_PAIR = re.compile(r"^(?:programma|progr|prog|p)?\s*(\d{1,2})\s*[.\-/ ]\s*(\d{1,2})(?!\d)")
PROGRAMME_JOINED = re.compile(r"^(?:programma|progr|prog|p)?\s*(\d{2})(\d{2})(?!\d)")
PROGRAMME_ALONE = re.compile(r"^(?:programma|progr|prog|p)?\s*(\d{1,2})(?!\d)")
LONGEST_CELL = 300


@dataclass(frozen=True)
class BudgetReference:
    """A Missione or Programma cell as written and the scheme notation it reads as (None: not found)."""

    as_written: str
    notation: str | None

    @property
    def iri(self) -> str | None:
        if self.notation is None:
            return None
        kind = "programma" if "." in self.notation else "missione"
        return f"{BILANCIO}{kind}/{self.notation}"


@lru_cache(maxsize=1)
def budget_names() -> dict[str, str]:
    """notation -> official name, from the scheme."""
    notation, label = str(SKOS.notation), str(SKOS.prefLabel)
    found: dict[str, dict[str, str]] = {}
    with ontology_file("bilancio.ttl").open("rb") as handle:
        for triple in ox.parse(handle, format=ox.RdfFormat.TURTLE):
            if triple.predicate.value in (notation, label):
                found.setdefault(triple.subject.value, {})[triple.predicate.value] = triple.object.value
    return {values[notation]: values[label] for values in found.values() if notation in values and label in values}


@lru_cache(maxsize=1)
def names_index() -> dict[str, list[str]]:
    """normalised name -> notations having it (a programme name can recur in several missions)."""
    index: dict[str, list[str]] = {}
    for code, name in budget_names().items():
        index.setdefault(header_key(name), []).append(code)
    return index


def cell_key(raw: str) -> str:
    return header_key(raw[:LONGEST_CELL])


def by_name(key: str, mission: str | None, programmes: bool) -> str | None:
    """The notation whose official name is the text after any leading code (``Missione 01 - Giustizia``)."""
    words = re.sub(r"^(?:missione|programma|miss|progr|prog)?\s*[\d .]*\s*", "", key).strip()
    candidates = [code for code in names_index().get(words, []) if ("." in code) == programmes]
    if mission and programmes:
        candidates = [code for code in candidates if code.startswith(mission + ".")] or candidates
    return candidates[0] if len(candidates) == 1 else None


def read_mission(raw: str) -> BudgetReference:
    key = cell_key(raw)
    match = MISSION.match(key)
    if match and (code := f"{int(match[1]):02d}") in budget_names():
        return BudgetReference(raw, code)
    return BudgetReference(raw, by_name(key, None, programmes=False))


def read_programme(raw: str, mission: str | None) -> BudgetReference:
    """``mission``: the notation of the row's Missione cell, for programmes written by their number alone."""
    key = cell_key(raw)
    for pattern in (PROGRAMME_PAIR, PROGRAMME_JOINED):
        if (match := pattern.match(key)) and (code := f"{int(match[1]):02d}.{int(match[2]):02d}") in budget_names():
            return BudgetReference(raw, code)
    if mission and (match := PROGRAMME_ALONE.match(key)) and (code := f"{mission}.{int(match[1]):02d}") in budget_names():
        return BudgetReference(raw, code)
    return BudgetReference(raw, by_name(key, mission, programmes=True))


def mission_of(programme: str) -> str:
    return programme.split(".", 1)[0]
