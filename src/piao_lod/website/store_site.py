"""The site's data read from a store on request, so ``piao-lod serve --store`` renders any page without a build.

A national site would be about 16 million pages (issue 14): too many files to write, and rewritten
whenever one plan changes. The static build reads the whole graph into a
:class:`~piao_lod.website.resource_index.ResourceIndex` and renders every page; here the same
index is read resource by resource from an on-disk store (:class:`StoreIndex`), and what the
build computes over the whole corpus is computed for the page asked for: the validation of the
ente it is in, the downloads of its plan, the other versions of its objective among the ente's
plans. :class:`StoreSite` is a :class:`~piao_lod.website.page_context.SiteData`, so the pages
come from the same templates and page contexts as the build's, byte for byte.

What needs the whole corpus at once is left to a build or to the tools that make it: the
validation report (``validazione/``: it also lists the tables' reading problems, which the store
does not keep), the data page and the dumps it lists (``dati/``), the catalogue and VoID, the
full-text index. Facts about the whole corpus that a page shows (the home page's figures and list
of plans) are computed once per store, as the store a server opened never changes
(:mod:`piao_lod.store_directory`).
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pyoxigraph as ox

from piao_lod.graph_inputs import ONTOLOGY_GRAPH, REFERENCE_GRAPHS
from piao_lod.namespaces import expand
from piao_lod.plan_pool import graphs_by_ente
from piao_lod.validation_report import report_data
from piao_lod.website.addresses import DEFAULT_SITE_URL, SiteAddresses, download_names
from piao_lod.website.build import FIXED_PAGE_FOLDERS
from piao_lod.website.page_context import SiteData
from piao_lod.plan_versions import LatestVersionsFilter, versions_by_plan
from piao_lod.website.related import Appearance, ObjectiveHistory, objective_rows
from piao_lod.website.version_changes import VersionOrder
from piao_lod.website.resource_files import (PLAN_DOWNLOADS, download_of, plan_and_versions_quads, plan_download_triples,
                                             serialize_triples)
from piao_lod.website.resource_index import RDF_TYPE, ResourceIndex, ResourceView, Value

VALIDATED_ENTI = 64          # enti whose validation is kept in memory
RESOLVED_PAGES = 100_000     # page folder <-> IRI look-ups kept in memory


class Remembered(OrderedDict):
    """A bounded memo, least recently used out first."""

    def __init__(self, size: int):
        super().__init__()
        self.size = size

    def get_or_make(self, key, make: Callable):
        try:
            self.move_to_end(key)
            return self[key]
        except KeyError:
            value = self[key] = make()
            if len(self) > self.size:
                self.popitem(last=False)
            return value


class Lookup:
    """A read-only mapping that is only ever asked for keys (never listed): ``get`` says what it holds."""

    def get(self, key: str, default=None):
        raise NotImplementedError

    def __getitem__(self, key: str):
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found

    def __contains__(self, key: str) -> bool:
        return self.get(key) is not None


class OnDemand(Lookup):
    """A mapping filled one key at a time by ``load(key)`` (None: no such key)."""

    def __init__(self, load: Callable[[str], object]):
        self.load = load
        self.loaded: dict[str, object] = {}

    def get(self, key: str, default=None):
        if key not in self.loaded:
            self.loaded[key] = self.load(key)
        found = self.loaded[key]
        return default if found is None else found



class StoreIndex(ResourceIndex):
    """A :class:`ResourceIndex` whose entries are read from the store when a page first asks for them.

    The values of a property come in the order a whole-store scan gives them (the build's index is
    made by one): the default graph, then the named graphs in the store's order, and a triple held by
    several graphs where it is first met."""

    def __init__(self, store: ox.Store, graph_rank: dict, shown: Callable[[ox.Quad], bool] = lambda quad: True):
        self.store = store
        self.graph_rank = graph_rank
        self.shown = shown           # what the build's index holds: each plan as its latest version
        self.outgoing = OnDemand(lambda iri: self.subject(iri)[0])
        self.triples = OnDemand(lambda iri: self.subject(iri)[1])
        self.incoming = OnDemand(self.referring)
        self.views: dict[str, ResourceView] = {}
        self.subjects_read: dict[str, tuple] = {}

    def subject(self, iri: str) -> tuple[dict | None, list | None]:
        found = self.subjects_read.get(iri)
        if found is None:
            outgoing: dict[str, list] = {}
            triples = []
            for triple in self.in_scan_order(self.store.quads_for_pattern(ox.NamedNode(iri), None, None, None)):
                triples.append(triple)
                obj = triple.object
                if isinstance(obj, ox.NamedNode):
                    outgoing.setdefault(triple.predicate.value, []).append(obj.value)
                elif isinstance(obj, ox.Literal):
                    language = obj.language
                    outgoing.setdefault(triple.predicate.value, []).append(
                        Value(obj.value, language, None if language else obj.datatype.value))
            found = self.subjects_read[iri] = (outgoing if triples else None, triples or None)
        return found

    def referring(self, iri: str) -> dict | None:
        incoming: dict[str, list[str]] = {}
        for triple in self.in_scan_order(self.store.quads_for_pattern(None, None, ox.NamedNode(iri), None)):
            if isinstance(triple.subject, ox.NamedNode):
                incoming.setdefault(triple.predicate.value, []).append(triple.subject.value)
        return incoming or None

    def in_scan_order(self, quads: Iterable[ox.Quad]) -> list[ox.Triple]:
        rank = self.graph_rank
        ordered = sorted((quad for quad in quads if self.shown(quad)),
                         key=lambda quad: rank.get(quad.graph_name, -1))     # stable: within a graph, as read
        seen: set[ox.Triple] = set()
        triples = []
        for quad in ordered:
            if quad.triple not in seen:
                seen.add(quad.triple)
                triples.append(quad.triple)
        return triples

    def subjects(self) -> list[str]:
        raise TypeError("a store's index is read a resource at a time, never listed whole")

    def describes(self, iri: str) -> bool:
        return iri in self.triples

    def triples_of(self, iri: str) -> list[ox.Triple]:
        return self.triples.get(iri, [])


class StorePages(Lookup):
    """IRI -> page folder, as the build assigns them (:func:`~piao_lod.website.addresses.assign_pages`), for
    the IRIs a page links to, and the reverse for a folder asked for. The build gives a folder shared by two
    IRIs to the first in IRI order: here it goes to the first of the spellings an IRI of that folder can have
    (its segments as written or percent-encoded, with or without a final slash) that the store describes.
    A folder whose name had to be hashed (an IRI segment that is no file name) cannot be read back into its
    IRI: those few resources have no page from the store."""

    def __init__(self, catalogue: StoreCatalogue):
        self.catalogue = catalogue
        self.addresses = catalogue.addresses
        self.folders = Remembered(RESOLVED_PAGES)
        self.owners = Remembered(RESOLVED_PAGES)
        self.lock = threading.RLock()

    def get(self, iri: str, default=None):
        if iri == ONTOLOGY_GRAPH.value:
            return "ontology/"
        with self.lock:
            found = self.folders.get_or_make(iri, lambda: self.folder_of(iri))
        return default if found is None else found

    def folder_of(self, iri: str) -> str | None:
        if iri.startswith(ONTOLOGY_GRAPH.value):
            return None
        folder = self.addresses.page_dir(iri)
        return folder if folder is not None and self.owner(folder) == iri else None

    def owner(self, folder: str) -> str | None:
        """The IRI whose page is ``folder`` (a folder within the Italian edition, ``id/c_d150/``), or None."""
        with self.lock:
            return self.owners.get_or_make(folder, lambda: self.find_owner(folder))

    def find_owner(self, folder: str) -> str | None:
        if folder in FIXED_PAGE_FOLDERS:
            return None
        candidates = sorted(iri for iri in self.spellings(folder) if not iri.startswith(ONTOLOGY_GRAPH.value)
                            and self.addresses.page_dir(iri) == folder and self.catalogue.describes(iri))
        return candidates[0] if candidates else None

    def spellings(self, folder: str) -> set[str]:
        from urllib.parse import quote

        if any(segment.startswith("~") for segment in folder.split("/")):
            return set()
        found = set()
        for root in self.addresses.roots:
            rest = folder[len("id/"):] if root == self.addresses.data_base else folder
            if root == self.addresses.data_base and not folder.startswith("id/"):
                continue
            path = rest.rstrip("/")
            for written in {path, quote(path, safe="/!$&'()*+,;=:@-._~")}:
                found.update({root + written, root + written + "/"})
        return found


@dataclass
class StoreCatalogue:
    """What every page from one store shares, computed once per store (a load swaps in a new store, which a server
    opens anew: :mod:`piao_lod.server.followed_store`):
    the plans in the home page's order, the figures, the download names, each ente's validation."""

    store: ox.Store
    addresses: SiteAddresses
    identity: str                                   # tells this store from any other, and from itself after a load
    modified: float                                 # when the store was written (seconds since the epoch)
    source_files: set[str] = field(default_factory=set)
    generation: tuple[int, int] | None = None       # the store directory it reads (store_directory.store_generation)
    directory: str | None = None                    # the path the store is read through (its kept answers too)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self):
        self.pages = StorePages(self)
        self.validated = Remembered(VALIDATED_ENTI)

    @classmethod
    def open(cls, path: Path, site_url: str | None = None, sources: Path | None = None) -> StoreCatalogue:
        from piao_lod.embedded_store import open_store_for_reading
        from piao_lod.store_directory import pin_for_reading

        store = open_store_for_reading(path)
        pinned = Path(pin_for_reading(path.resolve()))
        held = os.stat(pinned)
        generation = held.st_dev, held.st_ino
        current = (pinned / "CURRENT").read_bytes() if (pinned / "CURRENT").is_file() else b""
        identity = hashlib.sha256(f"{held.st_dev}:{held.st_ino}:{held.st_mtime_ns}:".encode() + current).hexdigest()
        modified = max(held.st_mtime, (pinned / "CURRENT").stat().st_mtime if current else 0)
        names = {entry.name for entry in sources.iterdir() if entry.is_file()} if sources and sources.is_dir() else set()
        addresses = SiteAddresses(site_url or site_url_of_store(store))
        return cls(store, addresses, identity, modified, names, generation, str(pinned))

    def describes(self, iri: str) -> bool:
        try:
            subject = ox.NamedNode(iri)
        except ValueError:          # a spelling no IRI has (a space, as a folder name may hold)
            return False
        return any(self.shown(quad) for quad in self.store.quads_for_pattern(subject, None, None, None))

    @cached_property
    def plan_versions(self) -> dict[str, list[str]]:
        """Plan IRI -> its version IRIs, oldest first."""
        return versions_by_plan(self.store)

    @cached_property
    def version_order(self) -> VersionOrder:
        return VersionOrder(self.store, self.plan_versions)

    @cached_property
    def shown(self) -> LatestVersionsFilter:
        """What the build's index holds of the store: each plan as its latest version."""
        return LatestVersionsFilter(self.plan_versions)

    @cached_property
    def graph_rank(self) -> dict:
        return {graph: rank for rank, graph in enumerate(self.store.named_graphs())}

    @cached_property
    def plan_graphs(self) -> list[ox.NamedNode]:
        """The plans' own graphs, named by the plan IRIs (as the build lists them)."""
        return [ox.NamedNode(plan) for plan in self.plan_versions]

    @cached_property
    def plan_order(self) -> list[str]:
        """Plan IRIs in the order the home page lists them (:attr:`SiteData.plans`)."""
        return [plan.iri for plan in SiteData.plans.func(self.site())]

    @cached_property
    def figures(self) -> dict[str, int]:
        def count(where: str) -> int:
            query = f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {where} FILTER(isIRI(?s)) }}"
            return int(next(iter(self.store.query(query, use_default_graph_as_union=True)))["n"].value)

        def typed(curie: str) -> str:
            return f"?s <{RDF_TYPE.value}> <{expand(curie)}> ."

        return {"enti": count(typed("org:FormalOrganization")), "plans": len(self.plan_graphs),
                "objectives": count(typed("piao:Objective")), "indicators": count(typed("piao:Indicator")),
                "assignments": count(typed("piao:IndicatorAssignment")), "settori": count(typed("org:OrganizationalUnit")),
                "dirigenti": count(typed("foaf:Person")),
                "pnrr_objectives": count(typed("piao:Objective") + f" ?s <{expand('piao:pnrrMeasure')}> ?m . FILTER(isIRI(?m))")}

    @cached_property
    def download_stems(self) -> dict[str, str]:
        """File name (``c_d150-piano-2024.ttl``) -> plan IRI, for the plans' downloads in ``dati/``."""
        stems = download_names((graph.value for graph in self.plan_graphs), self.addresses)
        return {f"{stem}.{suffix}": iri for iri, stem in stems.items() for suffix in PLAN_DOWNLOADS}

    @cached_property
    def enti(self) -> dict[str, list[ox.NamedNode]]:
        """Plan graph IRI -> the graphs validated with it: its ente's (each plan alone when the store's graphs are
        not all plans' and vocabularies')."""
        by_ente = graphs_by_ente(self.store)
        if by_ente is None:
            return {plan: [ox.NamedNode(graph) for graph in [plan, *versions]] for plan, versions in self.plan_versions.items()}
        return {graph.value: graphs for graphs in by_ente.values() for graph in graphs}

    def plan_file(self, name: str) -> bytes | None:
        """A plan's download (``dati/NAME``), as the build writes it; None if there is no such file."""
        plan = self.download_stems.get(name)
        if plan is None:
            return None
        quads = plan_and_versions_quads(self.store, plan, self.plan_versions.get(plan, []))
        return serialize_triples(plan_download_triples(quads), name.rsplit(".", 1)[1])

    def plan_downloads(self, plan: str):
        names = [name for name, iri in self.download_stems.items() if iri == plan]
        return [download_of(f"dati/{name}", self.plan_file(name), name.rsplit(".", 1)[1], plan_iri=plan)
                for name in sorted(names, key=lambda name: PLAN_DOWNLOADS.index(name.rsplit(".", 1)[1]))]

    def validation_results(self, plan: str, lang: str) -> list[dict]:
        """The validation results of a plan, from the validation of its ente's graphs (kept for the next pages)."""
        graphs = self.enti.get(plan)
        if not graphs:
            return []
        key = tuple(graph.value for graph in graphs)
        with self.lock:
            by_plan = self.validated.get(key)
        if by_plan is None:
            by_plan = self.validate(graphs)
            with self.lock:
                self.validated.get_or_make(key, lambda: by_plan)
        return by_plan.get((plan, lang), [])

    def validate(self, graphs: list[ox.NamedNode]) -> dict[tuple[str, str], list[dict]]:
        """(plan IRI, language) -> the plan's validation results, for the plans of ``graphs`` validated together."""
        from piao_lod.messages import LANGUAGES
        from piao_lod.validation import validate_store

        copy = ox.Store()
        copy.bulk_extend(quad for graph in graphs for quad in self.store.quads_for_pattern(None, None, None, graph))
        report = validate_store(copy)
        by_plan: dict[tuple[str, str], list[dict]] = {}
        for lang in LANGUAGES:
            for result in report_data(report, [], lang, "oxigraph")["results"]:
                by_plan.setdefault((result.get("plan"), lang), []).append(result)
        return by_plan

    def site(self, downloads_of: str | None = None) -> StoreSite:
        """The site data for one page (a fresh index: what a page reads is not kept after it)."""
        return StoreSite(self.addresses, StoreIndex(self.store, self.graph_rank, self.shown), self.plan_graphs,
                         self.plan_downloads(downloads_of) if downloads_of else [], {}, self.store,
                         self.source_files, False, self.pages, [], None, self.plan_versions, kept_answers=self.directory, catalogue=self)


@dataclass
class StoreSite(SiteData):
    """:class:`SiteData` over a store: what the build computes for all pages, computed for the page asked for."""

    catalogue: StoreCatalogue | None = None

    @property
    def plans(self) -> list[ResourceView]:
        return [self.index.view(iri) for iri in self.catalogue.plan_order]

    @property
    def figures(self) -> dict[str, int]:
        return self.catalogue.figures

    @property
    def version_order(self) -> VersionOrder:
        return self.catalogue.version_order

    @property
    def history(self) -> EnteHistory:
        return EnteHistory(self)

    def problems_of(self, plan_iri: str, lang: str) -> list[dict]:
        return self.catalogue.validation_results(plan_iri, lang)


class EnteHistory:
    """:class:`ObjectiveHistory` over the versions of one ente's plans: the only ones it can match."""

    def __init__(self, site: StoreSite):
        self.site = site

    def of(self, objective: ResourceView) -> list[Appearance]:
        plan = objective.link("piao:inPlan")
        ente = plan.link("piao:ente") if plan is not None else None
        if ente is None:
            return []
        every = self.site.plan_versions
        plans = {other.iri: every[other.iri] for other in ente.referrers("piao:ente") if other.iri in every}
        rows = [row for versions in plans.values() for version in versions for row in objective_rows(self.site.store, version)]
        return ObjectiveHistory(self.site.index, plans, rows).of(objective)


def site_url_of_store(store: ox.Store) -> str:
    """The site URL the store's plans were converted for: their graphs are ``{site}id/{ente}/piano/{year}``."""
    from piao_lod.errors import UsageError
    from piao_lod.messages import N_
    from piao_lod.plan_pool import PLAN_GRAPH

    bases = set()
    for graph in store.named_graphs():
        match = PLAN_GRAPH.match(graph.value) if isinstance(graph, ox.NamedNode) else None
        if match is not None:
            bases.add(match["ente"].rsplit("/", 1)[0] + "/")
    if not bases:
        return DEFAULT_SITE_URL
    if len(bases) > 1 or not next(iter(bases)).endswith("/id/"):
        raise UsageError(N_("the store's plans are not all under one base ending in /id/: give --site, built for "
                            "them, or load them with one --base (found {bases})"), bases=", ".join(sorted(bases)[:3]))
    return next(iter(bases))[: -len("id/")]
