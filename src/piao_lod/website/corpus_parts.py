"""The corpus cut into the parts a build renders one at a time, so it holds one ente's index at a time.

Each ente's pages are rendered from a :class:`~piao_lod.website.resource_index.ResourceIndex` of that ente's graphs
and the project's vocabularies, dropped after its pages; the vocabularies' own pages (a PNRR measure lists the
objectives of every ente) and the pages that are not a resource read the whole store a resource at a time
(:class:`~piao_lod.website.store_site.StoreIndex`, as ``serve --store`` does). That gives the pages of an index of
the whole corpus only when no ente's graphs describe, or link to, what another ente's graphs describe:
:func:`corpus_parts` checks it, and a corpus that fails is rendered from one index of the whole, as before.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox

from piao_lod.graph_inputs import REFERENCE_GRAPHS
from piao_lod.namespaces import expand
from piao_lod.plan_pool import PLAN_GRAPH
from piao_lod.website.page_context import SiteData
from piao_lod.website.related import ObjectiveHistory, objective_rows
from piao_lod.website.resource_index import RDF_TYPE, ResourceIndex
from piao_lod.website.version_changes import VersionOrder

SHARED = ""          # the part of what only the vocabularies (or the default graph) describe
FIGURE_CLASSES = {"enti": "org:FormalOrganization", "objectives": "piao:Objective", "indicators": "piao:Indicator",
                  "assignments": "piao:IndicatorAssignment", "settori": "org:OrganizationalUnit",
                  "dirigenti": "foaf:Person"}
PNRR_MEASURE, PLAN_ENTE = expand("piao:pnrrMeasure"), expand("piao:ente")


@dataclass
class CorpusParts:
    """What the whole build needs of the corpus's resources, without an index of it."""

    described: set[str]                        # every subject an index of the whole store holds
    part_of: dict[str, str]                    # subject -> the ente whose graphs describe it, or SHARED
    graphs: dict[str, list[ox.NamedNode]]      # ente -> its plans' graphs
    figures: dict[str, int]                    # the home page's figures (:attr:`SiteData.figures`)
    separable: bool                            # whether an ente's pages can come from its own graphs
    shared_graphs: list = field(default_factory=list)    # what every part's index holds too

    def subjects(self) -> list[str]:
        return sorted(self.described)

    def index_of(self, store: ox.Store, shown: Callable[[ox.Quad], bool], ente: str) -> ResourceIndex:
        """The index of one ente's graphs and the vocabularies."""
        graphs = [*self.graphs[ente], *self.shared_graphs]
        return ResourceIndex(store, shown, quads_of(store, graphs))


def quads_of(store: ox.Store, graphs: Iterable) -> Iterator[ox.Quad]:
    for graph in graphs:
        yield from store.quads_for_pattern(None, None, None, graph)


def corpus_parts(store: ox.Store, shown: Callable[[ox.Quad], bool], plan_count: int) -> CorpusParts:
    """One pass over the store: which part describes each subject, the figures, and whether the parts are apart
    (every subject described by one part only; an ente's graphs link only to their own ente's resources, to the
    vocabularies' or to what nothing describes, and name no other ente as a plan's ente)."""
    part_of_graph: dict = {ox.DefaultGraph(): SHARED, **{graph: SHARED for graph in REFERENCE_GRAPHS}}
    graphs: dict[str, list[ox.NamedNode]] = {}
    separable = True
    for graph in store.named_graphs():
        if graph in part_of_graph:
            continue
        match = PLAN_GRAPH.match(graph.value) if isinstance(graph, ox.NamedNode) else None
        if match is None:
            separable = False
            continue
        part_of_graph[graph] = match["ente"]
        graphs.setdefault(match["ente"], []).append(graph)
    described: set[str] = set()
    part_of: dict[str, str] = {}
    linked_from: dict[str, str | None] = {}       # IRI an ente's graph links to -> that ente (None: several)
    typed: dict[str, set[str]] = {expand(curie): set() for curie in FIGURE_CLASSES.values()}
    with_measure: set[str] = set()
    rdf_type = RDF_TYPE.value
    for quad in store:
        subject = quad.subject
        if not isinstance(subject, ox.NamedNode) or not shown(quad):
            continue
        iri, part = subject.value, part_of_graph.get(quad.graph_name)
        described.add(iri)
        if part is None:
            continue
        if part_of.setdefault(iri, part) != part:
            separable = False
        obj = quad.object
        if isinstance(obj, ox.NamedNode):
            predicate = quad.predicate.value
            if predicate == rdf_type and obj.value in typed:
                typed[obj.value].add(iri)
            elif predicate == PNRR_MEASURE:
                with_measure.add(iri)
            elif predicate == PLAN_ENTE and part != SHARED and obj.value != part:
                separable = False        # the objectives' history of an ente follows its plans' piao:ente
            if part != SHARED and linked_from.setdefault(obj.value, part) != part:
                linked_from[obj.value] = None
    for iri, ente in linked_from.items():
        owner = part_of.get(iri)
        if owner not in (None, SHARED) and owner != ente:
            separable = False
            break
    objectives = typed[expand("piao:Objective")]
    figures = {name: len(typed[expand(curie)]) for name, curie in FIGURE_CLASSES.items()}
    figures = {"enti": figures["enti"], "plans": plan_count, **{name: figures[name] for name in
               ("objectives", "indicators", "assignments", "settori", "dirigenti")},
               "pnrr_objectives": len(objectives & with_measure)}
    shared = [graph for graph, part in part_of_graph.items() if part == SHARED]
    return CorpusParts(described, part_of, {ente: sorted(found, key=lambda g: g.value) for ente, found in graphs.items()},
                       figures, separable, shared)


@dataclass
class PartSite(SiteData):
    """:class:`SiteData` of one part: an ente's pages (``index`` of its graphs) or the pages that read the whole
    store a resource at a time; the figures and the versions' order are the whole corpus's, computed once."""

    corpus: CorpusParts | None = None
    order: VersionOrder | None = None
    ente: str | None = None

    @property
    def figures(self) -> dict[str, int]:
        return self.corpus.figures

    @property
    def version_order(self) -> VersionOrder:
        return self.order

    @property
    def history(self) -> ObjectiveHistory:
        """The objectives' history over this ente's plans (the only ones an objective can be matched in)."""
        found = self.__dict__.get("_history")
        if found is None:
            plans = {plan: versions for plan, versions in self.plan_versions.items()
                     if self.corpus.part_of.get(plan) == self.ente}
            rows = (row for versions in plans.values() for version in versions
                    for row in objective_rows(self.store, version))
            found = self.__dict__["_history"] = ObjectiveHistory(self.index, plans, rows)
        return found


def store_index(store: ox.Store, shown: Callable[[ox.Quad], bool]) -> ResourceIndex:
    """An index read from the store a resource at a time, in the order an index of the whole store has."""
    from piao_lod.website.store_site import StoreIndex      # which imports the build, which imports this

    return StoreIndex(store, {graph: rank for rank, graph in enumerate(store.named_graphs())}, shown)


class PartSites:
    """The site data each resource's pages are rendered with: its ente's (one ente's index held at a time, made when
    its first page is asked for) or, for what only the vocabularies describe, one read from the store for the page."""

    def __init__(self, site: PartSite, shown: Callable[[ox.Quad], bool]):
        self.site = site
        self.shown = shown
        self.held: tuple[str | None, PartSite | None] = (None, None)

    def part_of(self, iri: str) -> str:
        return self.site.corpus.part_of.get(iri, SHARED)

    def for_page(self, iri: str) -> PartSite:
        part = self.part_of(iri)
        if part == SHARED:
            return dataclasses.replace(self.site, index=store_index(self.site.store, self.shown))
        if self.held[0] != part:
            self.held = (None, None)           # the previous ente's index goes before the next one is made
            index = self.site.corpus.index_of(self.site.store, self.shown, part)
            self.held = (part, dataclasses.replace(self.site, index=index, ente=part))
        return self.held[1]


class WholeSite:
    """:class:`PartSites` of a corpus whose enti cannot be rendered apart: one site, of one index, for every page."""

    def __init__(self, site: SiteData):
        self.site = site

    def part_of(self, iri: str) -> str:
        return SHARED

    def for_page(self, iri: str) -> SiteData:
        return self.site
