"""Validate plan graphs against the SHACL shapes in ``shapes/``.

Two engines give the same results: ``oxigraph`` (default) runs every shape as
one SPARQL query over an Oxigraph store (see :mod:`piao_lod.shacl_sparql`);
``pyshacl`` is the reference implementation the tests compare against. Each
result is located in the source (plan, objective, file, line) through the
provenance the converter wrote.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache

import pyoxigraph as ox
from rdflib import DCTERMS, PROV, RDF, SH, Graph, Literal, URIRef
from rdflib.term import Node

from piao_lod.graph_inputs import PNRR_GRAPH
from piao_lod.namespaces import PIAO
from piao_lod.resources import ontology_file, packaged
from piao_lod.shacl_sparql import CompiledConstraint, Finding, compile_shapes, run_constraints, to_rdflib

SEVERITY_ORDER = {SH.Violation: 0, SH.Warning: 1, SH.Info: 2}


class Engine(str, Enum):
    oxigraph = "oxigraph"
    pyshacl = "pyshacl"


@lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    graph = Graph()
    for shapes_file in sorted(packaged("shapes").iterdir(), key=lambda item: item.name):
        if shapes_file.name.endswith(".ttl"):
            with shapes_file.open("rb") as handle:
                graph.parse(handle, format="turtle")
    return graph


@lru_cache(maxsize=1)
def compiled_shapes() -> tuple[CompiledConstraint, ...]:
    return tuple(compile_shapes(shapes_graph()))


def pnrr_scheme_bytes() -> bytes:
    return ontology_file("pnrr.ttl").read_bytes()


@dataclass(frozen=True)
class Located:
    plan: URIRef | None = None
    objective: URIRef | None = None
    objective_code: str | None = None
    objective_title: str | None = None
    file: str | None = None
    lines: tuple[int, ...] = ()
    pages: tuple[int | None, ...] = ()      # the PDF page of each line (None for other sources)


@dataclass
class ValidationReport:
    findings: list[tuple[Finding, Located]] = field(default_factory=list)

    @property
    def conforms(self) -> bool:
        return not any(finding.severity == SH.Violation for finding, _ in self.findings)

    def count(self, severity: URIRef) -> int:
        return sum(finding.severity == severity for finding, _ in self.findings)


def store_from_graph(graph: Graph) -> ox.Store:
    store = ox.Store()
    store.load(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    return store


def store_as_graph(store: ox.Store) -> Graph:
    """The union of the store's graphs as an rdflib Graph (for the reference engine)."""
    triples = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", use_default_graph_as_union=True)
    return Graph().parse(data=triples.serialize(format=ox.RdfFormat.N_TRIPLES), format="nt")


def validate_store(store: ox.Store) -> ValidationReport:
    """Validate the union of the store's graphs; the PNRR scheme is added in a graph of its own."""
    store.load(pnrr_scheme_bytes(), format=ox.RdfFormat.TURTLE, to_graph=PNRR_GRAPH)
    findings = sorted(set(run_constraints(store, compiled_shapes())), key=finding_order)
    return located_report(findings, store)


def validate_graph(graph: Graph, engine: Engine = Engine.oxigraph) -> ValidationReport:
    if engine is Engine.pyshacl:
        return located_report(pyshacl_findings(graph), store_from_graph(graph))
    return validate_store(store_from_graph(graph))


def pyshacl_findings(graph: Graph) -> list[Finding]:
    import pyshacl

    data = Graph()
    data += graph
    data.parse(data=pnrr_scheme_bytes(), format="turtle")
    _, results, _ = pyshacl.validate(data, shacl_graph=shapes_graph(), allow_warnings=True, allow_infos=True)
    findings = set()
    top_level = (result for report in results.subjects(RDF.type, SH.ValidationReport) for result in results.objects(report, SH.result))
    for result in top_level:
        value = results.value
        findings.add(Finding(
            value(result, SH.focusNode), value(result, SH.sourceShape), value(result, SH.sourceConstraintComponent),
            value(result, SH.sourceConstraint), value(result, SH.resultSeverity), value(result, SH.resultPath),
            value(result, SH.value), tuple(sorted(results.objects(result, SH.resultMessage)))))
    return sorted(findings, key=finding_order)


def finding_order(finding: Finding):
    return (SEVERITY_ORDER.get(finding.severity, 3), str(finding.focus), str(finding.rule), str(finding.value))


def located_report(findings: list[Finding], store: ox.Store) -> ValidationReport:
    locations = locate(store, {finding.focus for finding in findings if isinstance(finding.focus, URIRef)})
    return ValidationReport([(finding, locations.get(finding.focus, Located())) for finding in findings])


class StoreNavigator:
    """Direct index look-ups in the store: locating a few hundred focus nodes this way
    takes milliseconds, where a SPARQL query joining them with VALUES took minutes."""

    def __init__(self, store: ox.Store):
        self.store = store

    def objects(self, subject: URIRef, predicate: URIRef) -> list[Node]:
        quads = self.store.quads_for_pattern(ox.NamedNode(str(subject)), ox.NamedNode(str(predicate)), None)
        return sorted({to_rdflib(quad.object) for quad in quads}, key=str)

    def value(self, subject: Node | None, predicate: URIRef) -> Node | None:
        if not isinstance(subject, URIRef):
            return None
        found = self.objects(subject, predicate)
        return found[0] if found else None

    def has_type(self, subject: URIRef, rdf_type: URIRef) -> bool:
        return rdf_type in self.objects(subject, RDF.type)


def locate(store: ox.Store, focus_nodes: set[URIRef]) -> dict[Node, Located]:
    """Plan, objective, file and lines of each focus node, from the converter's provenance."""
    nav = StoreNavigator(store)
    located = {}
    for focus in focus_nodes:
        rows = nav.objects(focus, PROV.wasDerivedFrom)
        places = sorted(((int(page) if (page := nav.value(row, PIAO.pageNumber)) is not None else 0), int(line))
                        for row in rows if (line := nav.value(row, PIAO.lineNumber)) is not None)
        lines = tuple(line for _, line in places)
        pages = tuple(page or None for page, _ in places)
        document = next((doc for row in rows if (doc := nav.value(row, PIAO.inDocument)) is not None), None)
        objective = focus if nav.has_type(focus, PIAO.Objective) else nav.value(focus, PIAO.objective)
        plan = nav.value(objective, PIAO.inPlan) or nav.value(focus, PIAO.inPlan) or (
            focus if nav.has_type(focus, PIAO.Plan) else None)
        located[focus] = Located(plan, objective, text(nav.value(objective, DCTERMS.identifier)),
                                 text(nav.value(objective, DCTERMS.title)), text(nav.value(document, PIAO.fileName)), lines, pages)
    return located


def text(node: Node | None) -> str | None:
    return str(node) if node is not None else None


def message(finding: Finding, lang: str) -> str:
    for candidate in finding.messages:
        if isinstance(candidate, Literal) and candidate.language == lang:
            return str(candidate)
    return str(finding.messages[0]) if finding.messages else str(finding.component).rsplit("#", 1)[-1]
