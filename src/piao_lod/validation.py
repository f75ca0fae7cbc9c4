"""Validate plan graphs against the SHACL shapes in ``shapes/``.

Two engines give the same results: ``oxigraph`` (default) runs every shape as
one SPARQL query over an Oxigraph store (see :mod:`piao_lod.shacl_sparql`);
``pyshacl`` is the reference implementation the tests compare against. Each
result is located in the source (plan, objective, file, line) through the
provenance the converter wrote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from enum import Enum
from functools import lru_cache

import pyoxigraph as ox
from rdflib import DCTERMS, PROV, RDF, SH, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from piao_lod.graph_inputs import ensure_reference_graphs, reference_graph_quads
from piao_lod.namespaces import PIAO
from piao_lod.resources import ontology_file, packaged
from piao_lod.rdflib_edge import add_triples, sparql_texts_translated_once, to_oxigraph, to_rdflib
from piao_lod.shacl_sparql import ConstraintQuery, Finding, compile_shapes, constraint_queries, run_constraints

SEVERITY_ORDER = {SH.Violation: 0, SH.Warning: 1, SH.Info: 2}
PIAOSH = Namespace("https://w3id.org/piao-lod/shapes#")


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
def compiled_shapes() -> tuple[ConstraintQuery, ...]:
    return tuple(constraint_queries(compile_shapes(shapes_graph())))


@dataclass(frozen=True)
class Located:
    plan: URIRef | None = None
    objective: URIRef | None = None
    objective_code: str | None = None
    objective_title: str | None = None
    file: str | None = None
    lines: tuple[int, ...] = ()
    indicator_code: str | None = None
    indicator_title: str | None = None
    pages: tuple[int | None, ...] = ()      # the PDF page of each line (None for other sources)
    sheets: tuple[str | None, ...] = ()     # the XLSX sheet of each line (None for other sources)


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


def prepare_validation() -> None:
    """Compile the shapes and parse the reference graphs now, before worker processes are forked, so that each
    worker does not do it again."""
    compiled_shapes()
    related_rows_queries()
    reference_graph_quads()


def validate_store(store: ox.Store, engine: Engine = Engine.oxigraph) -> ValidationReport:
    """Validate the union of the store's graphs, each version of a plan on its own (see :func:`one_version_views`);
    the ontology and the vocabularies (PNRR, budget, units) are added in graphs of their own."""
    ensure_reference_graphs(store)
    located: dict[tuple[Finding, Located], None] = {}
    for view in one_version_views(store):
        if engine is Engine.pyshacl:
            findings = pyshacl_findings(store_as_graph(view))
        else:
            findings = sorted(set(run_constraints(view, compiled_shapes())), key=finding_order)
        located.update(dict.fromkeys(located_report(findings, view).findings))
    return ValidationReport(sorted(located, key=lambda pair: (finding_order(pair[0]), pair[1].file or "", pair[1].lines)))


VERSION_GRAPH = re.compile(r"^(?P<plan>.+/piano/\d{4})/versione/[^/]+$")


def one_version_views(store: ox.Store) -> list[ox.Store]:
    """The store as many times as its plans have versions at most, each copy with one version of every plan.

    The versions of a plan share the IRIs of the plan and of its objectives, so in the union an objective
    given in an adopted plan and again in its update has every indicator twice (weights totalling 200), two
    titles, two settori: each version is a document of its own and is checked as one. A plan with fewer
    versions repeats its last (the findings it gives again are the same and counted once); the plan's own
    graph keeps only what it says of the version shown. Just the store when no plan has two versions."""
    versions: dict[str, list[ox.NamedNode]] = {}
    for graph in store.named_graphs():
        if isinstance(graph, ox.NamedNode) and (match := VERSION_GRAPH.match(graph.value)):
            versions.setdefault(match["plan"], []).append(graph)
    several = [sorted(graphs, key=lambda graph: graph.value) for graphs in versions.values() if len(graphs) > 1]
    if not several:
        return [store]
    views = []
    for shown in range(max(map(len, several))):
        hidden = {graph for graphs in several for position, graph in enumerate(graphs)
                  if position != min(shown, len(graphs) - 1)}
        view = ox.Store()
        view.bulk_extend(quad for quad in store if quad.graph_name not in hidden
                         and quad.subject not in hidden and quad.object not in hidden)
        views.append(view)
    return views


def validate_graph(graph: Graph, engine: Engine = Engine.oxigraph) -> ValidationReport:
    return validate_store(store_from_graph(graph), engine)


@lru_cache(maxsize=1)
def reference_graphs_for_pyshacl() -> Graph:
    """The reference graphs' triples in one rdflib graph, made once per process from Oxigraph's parse (rdflib's
    Turtle parser took a quarter of a pyshacl run)."""
    quads = ox.parse(reference_graph_quads(), format=ox.RdfFormat.N_QUADS)
    return add_triples(Graph(), (quad.triple for quad in quads))


def pyshacl_findings(graph: Graph) -> list[Finding]:
    import pyshacl

    data = Graph()
    data += graph
    data += reference_graphs_for_pyshacl()
    with sparql_texts_translated_once():
        _, results, _ = pyshacl.validate(data, shacl_graph=shapes_graph(), allow_warnings=True, allow_infos=True)
    findings = set()
    shapes = shapes_graph()
    top_level = (result for report in results.subjects(RDF.type, SH.ValidationReport) for result in results.objects(report, SH.result))
    for result in top_level:
        value = results.value
        templates = [message for node in (value(result, SH.sourceConstraint), value(result, SH.sourceShape))
                     if node is not None for message in shapes.objects(node, SH.message)]
        findings.add(Finding(
            value(result, SH.focusNode), value(result, SH.sourceShape), value(result, SH.sourceConstraintComponent),
            value(result, SH.sourceConstraint), value(result, SH.resultSeverity), value(result, SH.resultPath),
            value(result, SH.value), with_languages(results.objects(result, SH.resultMessage), templates)))
    return sorted(findings, key=finding_order)


PLACEHOLDER = re.compile(r"\{[?$][A-Za-z_][A-Za-z0-9_]*\}")


@lru_cache(maxsize=512)
def filled_template(template: str) -> re.Pattern:
    """What a message template matches once its ``{?name}`` are filled in."""
    parts = PLACEHOLDER.split(template)
    return re.compile("(?s:.*?)".join(re.escape(part) for part in parts) + r"\Z")


def with_languages(messages, templates: list[Literal]) -> tuple[Literal, ...]:
    """pyshacl gives back the messages it fills in (``{?value}``) without their language: each takes back the
    language of the shape's template it fills, so ``--lang`` chooses among them as it does for Oxigraph's."""
    tagged = []
    for message in messages:
        if isinstance(message, Literal) and message.language is None:
            language = next((template.language for template in templates if template.language
                             and filled_template(str(template)).match(str(message))), None)
            message = Literal(str(message), lang=language) if language else message
        tagged.append(message)
    return tuple(sorted(tagged))


def finding_order(finding: Finding):
    """Severity, focus, rule and value; then the rest of the result, so that two results alike in those four (a
    value failing a datatype and a pattern, one rule's results with different messages) come in one order, not in
    the order of a set of this process."""
    return (SEVERITY_ORDER.get(finding.severity, 3), str(finding.focus), str(finding.rule), str(finding.value),
            str(finding.component), str(finding.shape), str(finding.path),
            tuple((str(message), message.language or "") for message in finding.messages))


def located_report(findings: list[Finding], store: ox.Store) -> ValidationReport:
    locations = locate(store, {finding.focus for finding in findings if isinstance(finding.focus, URIRef)})
    related = RelatedRows(store)
    return ValidationReport([(finding, related.widen(finding, locations.get(finding.focus, Located())))
                             for finding in findings])


@lru_cache(maxsize=1)
def related_rows_queries() -> dict[URIRef, str]:
    """Rule -> the SPARQL (``piaosh:relatedRows`` in the shapes) giving every source row a result involves:
    the rows of all the weights a sum adds, of every objective sharing a code, of every title of an indicator."""
    shapes = shapes_graph()
    prefixes = "\n".join(f"PREFIX {prefix}: <{namespace}>" for prefix, namespace in shapes.namespaces())
    return {rule: prefixes + "\n" + str(text) for rule, text in shapes.subject_objects(PIAOSH.relatedRows)}


class RelatedRows:
    """Adds to a result's location the lines (and file) of every row the rule's ``piaosh:relatedRows`` names."""

    def __init__(self, store: ox.Store):
        self.store, self.nav = store, StoreNavigator(store)

    def widen(self, finding: Finding, located: Located) -> Located:
        query = related_rows_queries().get(finding.rule)
        if query is None or not isinstance(finding.focus, URIRef):
            return located
        text = query.replace("$this", finding.focus.n3())
        if "$value" in text:
            if finding.value is None:
                return located
            text = text.replace("$value", to_oxigraph(finding.value).__str__())
        rows = [solution["row"] for solution in self.store.query(text, use_default_graph_as_union=True)]
        count = len(located.lines)
        places = {(page or 0, sheet or "", line) for page, sheet, line
                  in zip(located.pages or (None,) * count, located.sheets or (None,) * count, located.lines)}
        file = located.file
        for row in rows:
            node = to_rdflib(row)
            if (place := row_place(self.nav, node)) is not None:
                places.add(place)
            if file is None and (document := self.nav.value(node, PIAO.inDocument)) is not None:
                file = text_of(self.nav.value(document, PIAO.fileName))
        return replace(located, file=file, **row_places(sorted(places)))


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
        places = sorted(place for row in rows if (place := row_place(nav, row)) is not None)
        document = next((doc for row in rows if (doc := nav.value(row, PIAO.inDocument)) is not None), None)
        if document is None:               # a version: derived from its document; a plan: from its versions'
            sources = rows + [source for version in nav.objects(focus, DCTERMS.hasVersion)
                              for source in nav.objects(version, PROV.wasDerivedFrom)]
            document = next((row for row in sources if nav.has_type(row, PIAO.SourceDocument)), None)
        objective = (focus if nav.has_type(focus, PIAO.Objective) else nav.value(focus, PIAO.objective)
                     or nav.value(nav.value(focus, PIAO.assignment), PIAO.objective))
        plan = nav.value(objective, PIAO.inPlan) or nav.value(focus, PIAO.inPlan) or (
            focus if nav.has_type(focus, PIAO.Plan) else None)
        assignment = focus if nav.has_type(focus, PIAO.IndicatorAssignment) else nav.value(focus, PIAO.assignment)
        indicator = nav.value(assignment, PIAO.indicator)
        located[focus] = Located(plan, objective, text_of(nav.value(objective, DCTERMS.identifier)),
                                 text_of(nav.value(objective, DCTERMS.title)), text_of(nav.value(document, PIAO.fileName)),
                                 indicator_code=text_of(nav.value(indicator, DCTERMS.identifier)),
                                 indicator_title=text_of(nav.value(assignment, PIAO.indicatorTitleAsWritten)),
                                 **row_places(places))
    return located


def row_place(nav: StoreNavigator, row: Node) -> tuple[int, str, int] | None:
    """(page or 0, sheet or "", line) of a source row: sorted, the rows of a PDF by page, of a workbook by sheet."""
    if (line := nav.value(row, PIAO.lineNumber)) is None:
        return None
    page, sheet = nav.value(row, PIAO.pageNumber), nav.value(row, PIAO.sheet)
    return (int(page) if page is not None else 0), (str(sheet) if sheet is not None else ""), int(line)


def row_places(places: list[tuple[int, str, int]]) -> dict[str, tuple]:
    """The ``lines``, ``pages`` and ``sheets`` of a :class:`Located`, from sorted places."""
    return {"lines": tuple(line for _, _, line in places), "pages": tuple(page or None for page, _, _ in places),
            "sheets": tuple(sheet or None for _, sheet, _ in places)}


def text_of(node: Node | None) -> str | None:
    return str(node) if node is not None else None


def message(finding: Finding, lang: str) -> str:
    for candidate in finding.messages:
        if isinstance(candidate, Literal) and candidate.language == lang:
            return str(candidate)
    return str(finding.messages[0]) if finding.messages else str(finding.component).rsplit("#", 1)[-1]
