"""Identify the ente (public body) of a plan: IPA code, official name, ISTAT code, city IRI.

Two vocabularies, both data files: ``enti.csv`` maps IPA codes to names and
ISTAT codes for the enti we know; ``comuni.csv`` (from OntoPiA) lists every
current comune with its ISTAT code and OntoPiA city id.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from piao_lod.resources import vocabulary_file

IPA_CODE = re.compile(r"^[a-z0-9_]{2,20}$")
COMUNE_PREFIX = re.compile(r"^\s*comune\s+di\s+", re.IGNORECASE)


@dataclass(frozen=True)
class Ente:
    ipa_code: str
    name: str
    istat_code: str | None = None
    city_id: str | None = None


@dataclass(frozen=True)
class Comune:
    istat_code: str
    name: str
    city_id: str


def name_key(name: str) -> str:
    text = unicodedata.normalize("NFKD", COMUNE_PREFIX.sub("", name)).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.casefold()).split())


def _read_csv(name: str) -> list[dict[str, str]]:
    with vocabulary_file(name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@lru_cache(maxsize=1)
def comuni_by_name() -> dict[str, Comune]:
    return {name_key(row["name"]): Comune(row["istat_code"], row["name"], row["city_id"]) for row in _read_csv("comuni.csv")}


@lru_cache(maxsize=1)
def comuni_by_istat() -> dict[str, Comune]:
    return {comune.istat_code: comune for comune in comuni_by_name().values()}


@lru_cache(maxsize=1)
def known_enti() -> dict[str, Ente]:
    enti = {}
    for row in _read_csv("enti.csv"):
        comune = comuni_by_istat().get(row["istat_code"])
        enti[row["ipa_code"]] = Ente(row["ipa_code"], row["name"], row["istat_code"] or None, comune.city_id if comune else None)
    return enti


def is_ipa_code(text: str) -> bool:
    return bool(IPA_CODE.match(text))


def ente_by_name(name: str) -> Ente | None:
    key = name_key(name)
    return next((ente for ente in known_enti().values() if name_key(ente.name) == key), None)


def describe_ente(ipa_code: str, name_in_document: str | None) -> Ente:
    """The ente with this IPA code, completed from the vocabularies where they know it."""
    known = known_enti().get(ipa_code)
    if known:
        return known
    comune = comuni_by_name().get(name_key(name_in_document)) if name_in_document else None
    if comune:
        return Ente(ipa_code, f"Comune di {comune.name.title()}", comune.istat_code, comune.city_id)
    return Ente(ipa_code, name_in_document or ipa_code)
