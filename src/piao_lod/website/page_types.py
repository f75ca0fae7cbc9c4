"""Which page each resource gets: the class -> page type table in ``site/page-types.csv``."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import lru_cache

from piao_lod.resources import packaged
from piao_lod.namespaces import expand
from piao_lod.website.resource_index import ResourceView


@dataclass(frozen=True)
class PageType:
    class_iri: str
    name: str                # e.g. "objective"; also the page's <meta name="piao:page-type">
    template: str
    schema_type: str         # schema.org type of the embedded JSON-LD
    label_it: str
    label_en: str


GENERIC = PageType("", "resource", "resource.html", "Thing", "Risorsa", "Resource")


@lru_cache(maxsize=1)
def page_types() -> tuple[PageType, ...]:
    text = packaged("site").joinpath("page-types.csv").read_text(encoding="utf-8")
    return tuple(PageType(expand(row["class"]), row["page_type"], row["template"], row["schema_type"], row["it"], row["en"])
                 for row in csv.DictReader(io.StringIO(text)))


def page_type_of(resource: ResourceView) -> PageType:
    """The first row of the table whose class the resource has (the table's order breaks ties)."""
    types = set(resource.types)
    for candidate in page_types():
        if candidate.class_iri in types:
            return candidate
    return GENERIC
