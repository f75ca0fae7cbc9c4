"""Which page each resource gets: the class -> page type table in ``site/page-types.csv``.

A row may be limited to one concept scheme (``scheme``): the budget missions and the PNRR measures are
both ``skos:Concept`` but get pages of their own kind. ``label`` is the page type's name in English,
translated through the message catalogue (``gettext(lang, page_type.label)``).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import lru_cache

from piao_lod.namespaces import expand
from piao_lod.resources import packaged
from piao_lod.website.resource_index import ResourceView


@dataclass(frozen=True)
class PageType:
    class_iri: str
    name: str                # e.g. "objective"; also the page's <meta name="piao:page-type">
    template: str
    schema_type: str         # schema.org type of the embedded JSON-LD
    label: str               # e.g. "Objective": the catalogue's message id
    scheme: str = ""         # the row applies only to this concept scheme and its concepts


GENERIC = PageType("", "resource", "resource.html", "Thing", "Resource")


@lru_cache(maxsize=1)
def page_types() -> tuple[PageType, ...]:
    text = packaged("site").joinpath("page-types.csv").read_text(encoding="utf-8")
    return tuple(PageType(expand(row["class"]), row["page_type"], row["template"], row["schema_type"], row["label"],
                          expand(row["scheme"]) if row["scheme"] else "")
                 for row in csv.DictReader(io.StringIO(text)))


def page_type_of(resource: ResourceView) -> PageType:
    """The first row of the table whose class (and scheme) the resource has (the table's order breaks ties)."""
    types = set(resource.types)
    schemes = None
    for candidate in page_types():
        if candidate.class_iri not in types:
            continue
        if candidate.scheme:
            if schemes is None:
                schemes = {view.iri for view in resource.linked("skos:inScheme")} | {resource.iri}
            if candidate.scheme not in schemes:
                continue
        return candidate
    return GENERIC
