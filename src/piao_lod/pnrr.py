"""Find PNRR measure codes in objective titles and match them to the PNRR scheme.

Plans write codes many ways (``PNRR - M5C2-I2.1 -``, ``PNRR – M5C2-I2.1.2 –``,
``M5C2 - I 2.1``, Italia Domani's ``M5C2I2.1``); all become the scheme notation
``M5C2-I2.1``. The scheme itself is ontology/pnrr.ttl, loaded once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pyoxigraph as ox
from rdflib import SKOS

from piao_lod.namespaces import PNRR
from piao_lod.resources import ontology_file

# Possessive whitespace (``\s*+``): two optional runs around an optional separator otherwise
# backtrack over each other, quadratically in a long run of spaces.
CODE = re.compile(
    r"\bM\s*+(?P<mission>\d{1,2})\s*+C\s*+(?P<component>\d{1,2})\s*+[-–—.]?\s*+"
    r"(?P<kind>I(?:nv(?:estimento)?)?|R(?:if(?:orma)?)?)\s*+\.?\s*+"
    r"(?P<number>\d{1,2}(?:\s*+\.\s*+\d{1,2})*(?:\.[A-Z]\b)?)",
    re.IGNORECASE,
)
MENTION = re.compile(r"\bPNRR\b", re.IGNORECASE)


@dataclass(frozen=True)
class PnrrReference:
    """A code as written in a title or a PNRR column, its normalised notation and the scheme concept it links to.

    ``linked_notation`` is the notation itself when the scheme has it, the
    nearest enclosing measure when only that is known, and None when neither is.
    ``column`` is the 1-based number and header of the PNRR column the code was written in (or whose header
    holds the code a cell marks); None for a code of the title.
    """

    as_written: str
    notation: str
    linked_notation: str | None
    column: tuple[int, str] | None = None

    @property
    def exact(self) -> bool:
        return self.linked_notation == self.notation


@lru_cache(maxsize=1)
def scheme_notations() -> frozenset[str]:
    # pyoxigraph parses the scheme in about 10 ms; rdflib took about 0.3 s, paid by every CLI call
    # that meets a PNRR code (a third of the cost of converting one plan; benchmarks/RESULTS.md).
    notation = str(SKOS.notation)
    with ontology_file("pnrr.ttl").open("rb") as handle:
        return frozenset(triple.object.value for triple in ox.parse(handle, format=ox.RdfFormat.TURTLE)
                         if triple.predicate.value == notation)


def notation_iri(notation: str):
    return PNRR[notation]


def normalise_code(match: re.Match) -> str:
    kind = match["kind"][0].upper()
    number = re.sub(r"\s+", "", match["number"]).upper()
    return f"M{match['mission']}C{match['component']}-{kind}{number}"


def linked_notation(notation: str) -> str | None:
    known = scheme_notations()
    candidate = notation
    while candidate:
        if candidate in known:
            return candidate
        head, dot, _ = candidate.rpartition(".")
        candidate = head if dot and "-" in head else ""
    return None


def find_pnrr_references(title: str) -> list[PnrrReference]:
    references = []
    for match in CODE.finditer(title):
        notation = normalise_code(match)
        if all(ref.notation != notation for ref in references):
            references.append(PnrrReference(match.group(0).strip(), notation, linked_notation(notation)))
    return references


def mentions_pnrr(title: str) -> bool:
    return bool(MENTION.search(title))
