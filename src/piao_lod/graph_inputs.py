"""Load inputs that may be RDF files or plan tables into an Oxigraph store, one named graph per plan.

Commands that work on graphs (``validate``, ``load``, ``query``, ``publish``)
accept both: plan tables are converted on the way in and their reading problems
are kept for the report; RDF files keep their graphs.

Where the triples go:

- a plan converted from a table: the graph named by its version's IRI
  (``{plan}/versione/{key}``, see :mod:`piao_lod.plan_versions`);
- an RDF file with named graphs (TriG, N-Quads written by ``convert``): the
  graphs it names;
- triples outside any named graph (Turtle, N-Triples, JSON-LD, RDF/XML, or the
  default graph of a TriG file): the version's graph when they describe exactly
  one ``piao:PlanVersion``, else a graph named after the file (``file:///…/x.ttl``),
  since the triples of several plans cannot be told apart (indicators, settori
  and dirigenti belong to the ente, not to one plan).

Each plan's own graph (named by the plan IRI: its versions, their order, the latest) is made
again after every load from the versions the store then holds.

Every graph a load writes is emptied in the target store first: loading a plan
again replaces its graph, never duplicates it (inputs of one load that name the
same graph add to each other).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from piao_lod.conversion import Conversion, PlanOutline, plans_read
from piao_lod.plan_pool import unpacked
from piao_lod.converters import check_readable
from piao_lod.errors import SourceError, outcome_exit_code
from piao_lod.messages import N_
from piao_lod.namespaces import OX, PIAO
from piao_lod.plan_graph import plan_graph_name, plan_triples
from piao_lod.iris import version_iri
from piao_lod.plan_versions import refresh_indexes
from piao_lod.problems import counts_as_data_problem
from piao_lod.rdf_formats import format_of_path
from piao_lod.xml_entities import check_entity_expansion
from piao_lod.reading import DEFAULT_READING, ReadingOptions
from piao_lod.resources import ontology_file
from piao_lod.work_cache import WorkCache

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
PLAN_CLASS = ox.NamedNode(str(PIAO.Plan))
VERSION_CLASS = ox.NamedNode(str(PIAO.PlanVersion))
IS_VERSION_OF = ox.NamedNode("http://purl.org/dc/terms/isVersionOf")

ONTOLOGY_GRAPH = ox.NamedNode("https://w3id.org/piao-lod/ontology")
PNRR_GRAPH = ox.NamedNode("https://w3id.org/piao-lod/pnrr/scheme")
BUDGET_GRAPH = ox.NamedNode("https://w3id.org/piao-lod/bilancio/scheme")
UNITS_GRAPH = ox.NamedNode("https://w3id.org/piao-lod/units")
# The project's own vocabularies, each in a named graph of its own beside the plans.
REFERENCE_GRAPHS = {ONTOLOGY_GRAPH: "piao.ttl", PNRR_GRAPH: "pnrr.ttl", BUDGET_GRAPH: "bilancio.ttl",
                    UNITS_GRAPH: "units.ttl"}

GraphName = ox.NamedNode | ox.BlankNode


@dataclass
class LoadedInputs:
    store: ox.Store
    conversion: Conversion
    graphs: list[GraphName] = field(default_factory=list)   # the graphs the inputs wrote, in order
    plans: list[str] = field(default_factory=list)          # the plans whose own graph (versions) was made again

    @property
    def exit_code(self) -> int:
        """2 if an input was unusable (the others are loaded) or none was given, 1 if a table had data problems."""
        return outcome_exit_code(bool(self.conversion.unusable) or not self.graphs,
                                 any(counts_as_data_problem(problem) for problem in self.conversion.problems))


def is_rdf(path: Path) -> bool:
    return format_of_path(path) is not None


def rdf_input_format(path: Path) -> ox.RdfFormat:
    """The format an RDF input is parsed in, once it is known to be a readable file (and, in RDF/XML, to declare
    no entities that would expand without bound)."""
    check_readable(path)
    rdf_format = format_of_path(path).oxigraph
    if rdf_format == ox.RdfFormat.RDF_XML:
        check_entity_expansion(path)
    return rdf_format


PARSER_POSITION = re.compile(r"^Parser error (?:at|between) line [^:]*: ")   # Oxigraph's, kept in lineno and offset
# What Oxigraph's parsers raise on a file they cannot read; MemoryError is a statement longer than the
# 16 MB a parser buffers ("Reached the buffer maximal size"), which Oxigraph says without a line.
PARSE_ERRORS = (SyntaxError, OSError, ValueError, MemoryError)


def parse_rdf_file(loading: ox.Store, path: Path, rdf_format: ox.RdfFormat, default_graph: ox.NamedNode) -> None:
    """Parse a file into ``loading``, its default-graph triples into ``default_graph``; all or nothing."""
    try:
        loading.load(path=str(path), format=rdf_format, to_graph=default_graph)
    except PARSE_ERRORS as error:
        raise rdf_syntax_error(path, error) from None


def rdf_syntax_error(path: Path, error: Exception) -> SourceError:
    """The parser's reason, at the line and column it gives (then not repeated in the text)."""
    if isinstance(error, SyntaxError):
        reason = PARSER_POSITION.sub("", error.msg or str(error), count=1)
        return SourceError(N_("not valid RDF: {error}"), str(path), error.lineno, column_number=error.offset,
                           error=reason)
    if isinstance(error, MemoryError):
        return SourceError(N_("cannot read RDF: a statement is longer than the parser can hold ({error}); a literal "
                              "this long does not belong in a plan"), str(path), error=str(error))
    return SourceError(N_("cannot read RDF ({error})"), str(path), error=str(error))


def load_rdf_file(loading: ox.Store, path: Path) -> list[GraphName]:
    """Parse one RDF file into ``loading`` and say which graphs it wrote.

    Named graphs keep their names. The other triples are parsed into a graph
    named after the file; when they describe exactly one plan they are parsed
    again into that plan's graph (a one-plan file is small; a big file of many
    plans is parsed once)."""
    rdf_format, file_graph = rdf_input_format(path), ox.NamedNode(path.resolve().as_uri())
    before = set(loading.named_graphs())
    parse_rdf_file(loading, path, rdf_format, file_graph)
    graphs = sorted(set(loading.named_graphs()) - before, key=str)
    described = DescribedPlans()
    for quad in loading.quads_for_pattern(None, RDF_TYPE, None, file_graph):
        described.see(quad)
    target, added = described.target(path)
    if target != file_graph:
        loading.remove_graph(file_graph)
        parse_rdf_file(loading, path, rdf_format, target)
        loading.extend(added)
        graphs = [target if graph == file_graph else graph for graph in graphs]
    return graphs


@dataclass
class DescribedPlans:
    """The plans and plan versions an RDF file's default graph types, gathered while the file is read."""

    plans: set = field(default_factory=set)
    versions: set = field(default_factory=set)

    def see(self, quad: ox.Quad | ox.Triple) -> None:
        if quad.predicate == RDF_TYPE:
            if quad.object == PLAN_CLASS:
                self.plans.add(quad.subject)
            elif quad.object == VERSION_CLASS:
                self.versions.add(quad.subject)

    def target(self, path: Path) -> tuple[ox.NamedNode, list[ox.Quad]]:
        return default_graph_of(path, self.plans, self.versions)


def marks_own_graph(quad: ox.Quad) -> bool:
    """The statement that makes a named graph a plan's own graph (its versions' order): the plan typed in it."""
    return quad.subject == quad.graph_name and quad.predicate == RDF_TYPE and quad.object == PLAN_CLASS


def own_graph_mark(graph: GraphName) -> ox.Quad:
    """The quad :func:`marks_own_graph` finds in a named graph (to look for it in a list of quads at C speed)."""
    return ox.Quad(graph, RDF_TYPE, PLAN_CLASS, graph)


def default_graph_of(path: Path, plans: set, versions: set) -> tuple[ox.NamedNode, list[ox.Quad]]:
    """Where an RDF file's default-graph triples go, given the plans and versions they describe, and what to add
    there: the graph of the one version they describe; for one plan written before plans had versions, an
    undated version of it (``{plan}/versione/versione-{8 hex digits of the file's SHA-256}``), said so in its
    graph; else a graph named after the file. The one rule of every way inputs are read."""
    if not versions and len(plans) == 1 and isinstance(plan := next(iter(plans)), ox.NamedNode):
        with path.open("rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
        version = ox.NamedNode(version_iri(plan.value, f"versione-{digest[:8]}"))
        return version, [ox.Quad(version, RDF_TYPE, VERSION_CLASS, version),
                         ox.Quad(version, IS_VERSION_OF, plan, version),
                         ox.Quad(plan, OX["dcterms"].hasVersion, version, version)]
    if len(versions) == 1 and isinstance(version := next(iter(versions)), ox.NamedNode):
        return version, []
    return ox.NamedNode(path.resolve().as_uri()), []


def replace_graphs(store: ox.Store, loading: ox.Store, graphs: Sequence[GraphName]) -> None:
    """Empty each graph in ``store``, then write what was loaded in one bulk load."""
    for graph in graphs:
        store.clear_graph(graph)
    store.bulk_load(loading.dump(format=ox.RdfFormat.N_QUADS), format=ox.RdfFormat.N_QUADS)


def load_inputs(paths: Sequence[Path], base: str, options: ReadingOptions = DEFAULT_READING,
                store: ox.Store | None = None, workers: int | None = None, cache: WorkCache | None = None) -> LoadedInputs:
    """Load RDF files and plan tables (converted on the way in, in ``workers`` processes, unchanged ones taken
    from ``cache``), replacing their graphs in ``store`` (by default a new in-memory store). Everything is first
    read into an in-memory store of its own, so an unusable input leaves ``store`` untouched and an on-disk
    store gets one bulk write. Of each plan converted, only its outline is kept (its triples are in the store)."""
    loading = ox.Store()
    written: dict[GraphName, None] = {}   # ordered set
    conversion, rdf_unusable = Conversion(base=base), []
    for path in paths:
        if is_rdf(path):
            try:
                written.update(dict.fromkeys(load_rdf_file(loading, path)))
            except SourceError as error:
                rdf_unusable.append(error.without_frames())
    tables = [path for path in paths if not is_rdf(path)]
    for read in plans_read(tables, conversion, options, base, workers, cache):    # each plan loaded as it arrives
        plan, name = read.plan, plan_graph_name(read.plan, base)
        if read.packed_triples is not None:
            loading.load(unpacked(read.packed_triples), format=ox.RdfFormat.N_TRIPLES, to_graph=name)
        else:
            loading.extend(ox.Quad(t.subject, t.predicate, t.object, name) for t in plan_triples(plan, base))
        written[name] = None
        conversion.plans.append(PlanOutline.of(plan))
    conversion.unusable.extend(rdf_unusable)
    drop_version_indexes(loading, written)
    versions = [graph.value for graph in written if isinstance(graph, ox.NamedNode)]
    plans = plans_of_versions(loading, versions)
    target = loading if store is None else store
    if store is not None:
        replace_graphs(store, loading, list(written))
    refresh_indexes(target, plans, versions)
    return LoadedInputs(target, conversion, list(written), sorted(plans))


INDEX_PREDICATES = tuple(ox.NamedNode(iri) for iri in (str(PIAO.latestVersion), str(PIAO.versionOrder),
                                                         "http://www.w3.org/ns/prov#wasRevisionOf"))


def drop_version_indexes(loading: ox.Store, written: dict) -> None:
    """A plan's own graph (its versions' order, the latest) read from a file is not taken as it is: it is
    made again from the versions the store will hold (and what a union file said of it is dropped)."""
    for graph in list(written):
        if not isinstance(graph, ox.NamedNode):
            continue
        if next(loading.quads_for_pattern(graph, RDF_TYPE, PLAN_CLASS, graph), None):
            loading.remove_graph(graph)
            del written[graph]
            continue
        for predicate in INDEX_PREDICATES:
            for quad in list(loading.quads_for_pattern(None, predicate, None, graph)):
                loading.remove(quad)


def plans_of_versions(store: ox.Store, versions: Sequence[str]) -> set[str]:
    return {quad.object.value for version in versions
            for quad in store.quads_for_pattern(ox.NamedNode(version), IS_VERSION_OF, None, ox.NamedNode(version))}


@lru_cache(maxsize=None)
def reference_graph_bytes(file_name: str) -> bytes:
    return ontology_file(file_name).read_bytes()


@lru_cache(maxsize=1)
def reference_graph_quads() -> bytes:
    """The reference graphs as N-Quads, parsed from their Turtle once per process: validation loads them into a store
    per ente, and N-Quads that Oxigraph wrote load without a second check in 0.6 of the time."""
    store = ox.Store()
    for graph, file_name in REFERENCE_GRAPHS.items():
        store.load(reference_graph_bytes(file_name), format=ox.RdfFormat.TURTLE, to_graph=graph)
    return store.dump(format=ox.RdfFormat.N_QUADS)


def blank_free(quads: Iterable[ox.Quad]) -> Counter:
    """Quads as a multiset with every blank node the same: a store renames blank nodes as it loads them."""
    return Counter(tuple(None if isinstance(term, ox.BlankNode) else term for term in quad) for quad in quads)


@lru_cache(maxsize=1)
def reference_shape() -> Counter:
    return blank_free(ox.parse(reference_graph_quads(), format=ox.RdfFormat.N_QUADS))


def ensure_reference_graphs(store: ox.Store) -> None:
    """:func:`load_reference_graphs`, unless the store already holds them as loaded (≈ 5,000 quads to compare): a
    store opened read-only, as ``build``'s is once loaded, is then validated as it is."""
    held = (quad for graph in REFERENCE_GRAPHS for quad in store.quads_for_pattern(None, None, None, graph))
    if blank_free(held) != reference_shape():
        load_reference_graphs(store)


def load_reference_graphs(store: ox.Store) -> None:
    """The ontology, the PNRR scheme, the budget scheme and the units, each in its own named graph,
    replaced if already there."""
    for graph in REFERENCE_GRAPHS:
        store.clear_graph(graph)
    store.load(reference_graph_quads(), format=ox.RdfFormat.N_QUADS, lenient=True)


def load_dataset(paths: Sequence[Path], base: str, options: ReadingOptions = DEFAULT_READING,
                 store: ox.Store | None = None, workers: int | None = None, cache: WorkCache | None = None) -> LoadedInputs:
    """The inputs plus the ontology and the PNRR scheme: what ``load``, ``query --data`` and ``publish`` work on."""
    loaded = load_inputs(paths, base, options, store=store, workers=workers, cache=cache)
    load_reference_graphs(loaded.store)
    return loaded
