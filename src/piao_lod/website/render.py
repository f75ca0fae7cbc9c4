"""One Jinja environment for every page of the site (and, later, the server's pages).

Autoescaping is on for every template, so a value from a plan (a title holding
``<script>``) can only ever render as text; JSON-LD goes through ``tojson``, which
escapes ``<``, ``>`` and ``&``.
"""

from __future__ import annotations

import csv
import io
import posixpath
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from piao_lod.namespaces import PIAO, compact
from piao_lod.resources import packaged
from piao_lod.website.addresses import SiteAddresses, is_web_link, url_path
from piao_lod.website.resource_index import ResourceView, Value


ONTOLOGY_NAMESPACE = str(PIAO)


@lru_cache(maxsize=1)
def messages() -> dict[str, dict[str, str]]:
    """Interface texts, Italian and English, from ``site/messages.csv``."""
    text = packaged("site").joinpath("messages.csv").read_text(encoding="utf-8")
    return {row["key"]: {"it": row["it"], "en": row["en"]} for row in csv.DictReader(io.StringIO(text))}


def ui(key: str, lang: str = "it") -> str:
    return messages()[key][lang]


def italian_number(value) -> str:
    """3800 -> ``3.800``, 12.5 -> ``12,5``: numbers as the plans write them."""
    number = value.number if isinstance(value, Value) else value
    if number is None:
        return str(value)
    number = Decimal(number)
    if number == number.to_integral_value():
        return f"{int(number):,}".replace(",", ".")
    whole, _, fraction = format(number.normalize(), "f").partition(".")
    return f"{int(whole):,}".replace(",", ".") + "," + fraction


@lru_cache(maxsize=1)
def make_environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("piao_lod.site", "templates"),
        extensions=["jinja2.ext.do"],
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["num"] = italian_number
    environment.filters["curie"] = compact
    environment.filters["basename"] = lambda path: posixpath.basename(str(path).replace("\\", "/"))
    environment.globals.update(ui=ui, group_by_link=group_by_link, pnrr_objectives=pnrr_objectives,
                               broader_chain=broader_chain, anchor=anchor, property_rows=property_rows)
    return environment


@dataclass(frozen=True)
class Cell:
    """A value as a table cell: its text, the link it leads to, its language."""

    text: str
    href: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class PropertyRow:
    iri: str
    curie: str
    label: str
    label_en: str | None        # shown beside the Italian label when it differs
    cells: list[Cell]


def property_rows(view: ResourceView, links: "PageLinks") -> list[PropertyRow]:
    """Every property of a resource with its values, ready for the "all data" table of each page.

    Built here rather than in the template: this table is on every page, and Jinja's per-call
    overhead made it half the rendering time.
    """
    rows = []
    for predicate, values in view.properties:
        described = view.index.view(predicate)
        label = described.label("it") if described.described else compact(predicate)
        english = described.label("en") if described.described else None
        cells = [resource_cell(value, links) if isinstance(value, ResourceView)
                 else Cell(value.text, None, value.language) for value in values]
        rows.append(PropertyRow(predicate, compact(predicate), label, english if english != label else None, cells))
    return rows


def resource_cell(view: ResourceView, links: "PageLinks") -> Cell:
    """A linked resource by its label; one that cannot be a link, by its whole IRI when it has no label."""
    href = links.resource(view)
    return Cell(view.label() if href or view.described else view.iri, href)


def group_by_link(views: list[ResourceView], curie: str) -> list[tuple[ResourceView | None, list[ResourceView]]]:
    """Resources grouped by what they link to through ``curie`` (objectives by settore), groups in natural order."""
    groups: dict[ResourceView | None, list[ResourceView]] = {}
    for view in views:
        groups.setdefault(view.link(curie), []).append(view)
    return sorted(groups.items(), key=lambda item: (item[0] is None, item[0].sort_key if item[0] else ()))


def pnrr_objectives(objectives: list[ResourceView]) -> list[ResourceView]:
    return [objective for objective in objectives if objective.link("piao:pnrrMeasure") is not None]


def broader_chain(concept: ResourceView) -> list[ResourceView]:
    """Mission > component > ... above a PNRR concept, outermost first."""
    chain, seen = [], {concept.iri}
    current = concept.link("skos:broader")
    while current is not None and current.iri not in seen:
        chain.append(current)
        seen.add(current.iri)
        current = current.link("skos:broader")
    return chain[::-1]


def anchor(iri: str) -> str:
    """An HTML id made from an IRI (plans on the validation page)."""
    return "r-" + "".join(character if character.isalnum() else "-" for character in iri.split("/id/", 1)[-1])


class PageLinks:
    """Relative links from one page, so the site works from any folder of any host.

    ``pages`` (IRI -> page folder) are the pages the build wrote; without it (the server's pages)
    a resource links to where :meth:`SiteAddresses.page_dir` would put its page. Every href this
    class gives is a relative path or an http(s) IRI, never anything a browser could run."""

    def __init__(self, addresses: SiteAddresses, page_dir: str, pages: Mapping[str, str] | None = None):
        self.addresses = addresses
        self.page_dir = page_dir
        self.pages = pages
        self.up = "../" * page_dir.count("/")

    def to(self, target: str) -> str:
        """A path relative to the site root (``dati/``, ``static/site.css``) as seen from this page."""
        return self.up + url_path(target) if (self.up or target) else "./"

    def resource(self, resource: ResourceView | str) -> str | None:
        """The link to a resource's page, else its IRI when that is an http(s) page elsewhere (an
        external vocabulary); None when it can only be shown as text (another scheme, or an IRI of
        this site that has no page)."""
        iri = resource.iri if isinstance(resource, ResourceView) else resource
        if iri.startswith(ONTOLOGY_NAMESPACE):
            return self.to("ontology/") + "#" + quote(iri[len(ONTOLOGY_NAMESPACE):], safe="")
        if not (isinstance(resource, ResourceView) and not resource.described):
            page = self.addresses.page_dir(iri) if self.pages is None else self.pages.get(iri)
            if page is not None:
                return self.to(page)
            if self.addresses.place(iri) is not None:
                return None
        return iri if is_web_link(iri) else None
