"""Build the RDF of a plan from its records, under the piao-lod ontology, as Oxigraph triples.

The pipeline keeps graphs in Oxigraph only: :func:`plan_triples` feeds stores and
serialisers directly. :func:`plan_to_graph` and :func:`plans_to_dataset` give rdflib
objects for the Python API, converted at that edge.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef

from piao_lod.iris import PlanIris
from piao_lod.namespaces import CITIES, DEFAULT_BASE_IRI, OX, PNRR, PREFIXES
from piao_lod.rdflib_edge import add_triples
from piao_lod.records import Assignment, Objective, Plan, RowRef, SettoreMention
from piao_lod.values import TargetKind

PIAO, RDF, RDFS, DCTERMS, FOAF, ORG, PROV, SKOS, TIME, XSD, COV, INDICATOR = (
    OX[prefix] for prefix in ("piao", "rdf", "rdfs", "dcterms", "foaf", "org", "prov", "skos", "time", "xsd", "cov",
                              "indicator"))
TARGET_KINDS = {
    TargetKind.NUMBER: PIAO.NumberTarget,
    TargetKind.PERCENTAGE: PIAO.PercentageTarget,
    TargetKind.BOOLEAN: PIAO.BooleanTarget,
}
LATEX_MEDIA_TYPE = "application/x-latex"


def text(value: str, language: str | None = None) -> ox.Literal:
    return ox.Literal(value, language=language) if language else ox.Literal(value)


def number(value: int | Decimal) -> ox.Literal:
    """Whole numbers as ``xsd:integer``, others as ``xsd:decimal`` in canonical form (no exponent)."""
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=XSD.integer)
    return ox.Literal(format(value, "f"), datatype=XSD.decimal)


def typed(value: str, datatype: ox.NamedNode) -> ox.Literal:
    return ox.Literal(value, datatype=datatype)


def plan_graph_name(plan: Plan, base: str = DEFAULT_BASE_IRI) -> ox.NamedNode:
    """The named graph a plan is written to: its plan IRI."""
    return ox.NamedNode(PlanIris(base, plan.ente.ipa_code, plan.year).plan)


def plan_triples(plan: Plan, base: str = DEFAULT_BASE_IRI) -> list[ox.Triple]:
    """Every triple of one plan (duplicates removed, in no particular order)."""
    builder = PlanGraphBuilder(plan, PlanIris(base, plan.ente.ipa_code, plan.year))
    builder.build()
    return list(builder.triples)


def plan_to_graph(plan: Plan, base: str = DEFAULT_BASE_IRI, graph: Graph | None = None) -> Graph:
    """Add the triples of one plan to ``graph`` (a new rdflib Graph by default) and return it."""
    graph = Graph() if graph is None else graph
    bind_prefixes(graph)
    return add_triples(graph, plan_triples(plan, base))


def plans_to_dataset(plans: Iterable[Plan], base: str = DEFAULT_BASE_IRI) -> Dataset:
    """One named graph per plan, named by the plan's IRI (an rdflib Dataset)."""
    dataset = Dataset()
    bind_prefixes(dataset)
    for plan in plans:
        add_triples(dataset.graph(URIRef(plan_graph_name(plan, base).value)), plan_triples(plan, base))
    return dataset


def bind_prefixes(graph: Graph) -> None:
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True)


class PlanGraphBuilder:
    def __init__(self, plan: Plan, iris: PlanIris):
        self.plan, self.iris = plan, iris
        self.triples: dict[ox.Triple, None] = {}     # an ordered set

    def add(self, subject: ox.NamedNode | str, predicate: ox.NamedNode, obj) -> None:
        subject = ox.NamedNode(subject) if isinstance(subject, str) else subject
        obj = ox.NamedNode(obj) if isinstance(obj, str) else obj
        self.triples[ox.Triple(subject, predicate, obj)] = None

    def build(self) -> None:
        self.add_ente()
        self.add_plan()
        for objective in self.plan.objectives:
            self.add_objective(objective)

    def row(self, row: RowRef) -> str:
        node = self.iris.row(row.line, row.sheet, row.page)
        self.add(node, RDF.type, PIAO.SourceRow)
        self.add(node, PIAO.inDocument, self.iris.source)
        self.add(node, PIAO.lineNumber, number(row.line))
        if row.sheet:
            self.add(node, PIAO.sheet, text(row.sheet))
        if row.page is not None:
            self.add(node, PIAO.pageNumber, number(row.page))
        return node

    def derived_from(self, node: str, row: RowRef) -> None:
        self.add(node, PROV.wasDerivedFrom, self.row(row))

    def add_ente(self) -> None:
        ente, node = self.plan.ente, self.iris.ente
        self.add(node, RDF.type, ORG.FormalOrganization)
        self.add(node, RDF.type, COV.PublicOrganization)
        self.add(node, SKOS.prefLabel, text(ente.name, "it"))
        self.add(node, COV.IPAcode, text(ente.ipa_code))
        self.add(node, DCTERMS.identifier, text(ente.ipa_code))
        if ente.istat_code:
            self.add(node, PIAO.istatCode, text(ente.istat_code))
        if ente.city_id:
            self.add(node, DCTERMS.spatial, str(CITIES[ente.city_id]))

    def add_plan(self) -> None:
        plan, node, source = self.plan, self.iris.plan, self.iris.source
        self.add(node, RDF.type, PIAO.Plan)
        self.add(node, PIAO.ente, self.iris.ente)
        self.add(node, PIAO.year, typed(str(plan.year), XSD.gYear))
        self.add(node, DCTERMS.title, text(f"Piano degli obiettivi {plan.year} – {plan.ente.name}", "it"))
        self.add(node, DCTERMS.title, text(f"Objectives plan {plan.year} – {plan.ente.name}", "en"))
        self.add(node, PROV.wasDerivedFrom, source)
        document = plan.source
        self.add(source, RDF.type, PIAO.SourceDocument)
        self.add(source, PIAO.fileName, text(document.file_name))
        self.add(source, DCTERMS.format, text(document.media_type))
        self.add(source, PIAO.sha256, text(document.sha256))
        if document.title:
            self.add(source, DCTERMS.title, text(document.title, "it"))
        if document.section:
            self.add(source, PIAO.section, text(document.section, "it"))

    def add_objective(self, objective: Objective) -> None:
        node = self.iris.objective(objective.key)
        self.add(node, RDF.type, PIAO.Objective)
        self.add(self.iris.plan, PIAO.hasObjective, node)
        self.add(node, PIAO.inPlan, self.iris.plan)
        if objective.code:
            self.add(node, DCTERMS.identifier, text(objective.code))
        self.add(node, DCTERMS.title, text(objective.title, "it"))
        if objective.definition:
            self.add(node, DCTERMS.description, text(objective.definition, "it"))
        self.derived_from(node, objective.row)
        if objective.settore:
            self.add(node, PIAO.ownedBy, self.add_settore(objective.settore))
        if objective.dirigente:
            self.add(node, PIAO.dirigente, self.add_dirigente(objective.dirigente))
        if objective.settore:
            self.add_incarico(objective.dirigente, objective.settore)
        for reference in objective.pnrr:
            self.add(node, PIAO.pnrrCodeAsWritten, text(reference.as_written))
            if reference.linked_notation:
                self.add(node, PIAO.pnrrMeasure, str(PNRR[reference.linked_notation]))
        for assignment in objective.assignments:
            self.add_assignment(node, assignment)

    def add_settore(self, mention: SettoreMention) -> str:
        node = self.iris.settore(mention.name.name)
        self.add(node, RDF.type, ORG.OrganizationalUnit)
        self.add(node, SKOS.prefLabel, text(mention.name.name, "it"))
        self.add(node, ORG.unitOf, self.iris.ente)
        self.add(self.iris.ente, ORG.hasUnit, node)
        return node

    def add_dirigente(self, name: str) -> str:
        node = self.iris.dirigente(name)
        self.add(node, RDF.type, FOAF.Person)
        self.add(node, FOAF.name, text(name))
        self.add(node, RDFS.label, text(name.title() if name.isupper() else name))
        return node

    def add_incarico(self, dirigente: str | None, mention: SettoreMention) -> None:
        """Who leads the settore in this plan; written even with no dirigente, so the
        settore cell as written (with its validity date) is kept and validation can
        report the missing dirigente."""
        node = self.iris.incarico(dirigente, mention.name.name)
        self.add(node, RDF.type, ORG.Membership)
        if dirigente:
            self.add(node, ORG.member, self.iris.dirigente(dirigente))
        self.add(node, ORG.organization, self.iris.settore(mention.name.name))
        self.add(node, ORG.role, PIAO.Dirigente)
        self.add(node, PIAO.inPlan, self.iris.plan)
        self.add(node, PIAO.settoreAsWritten, text(mention.name.raw))
        self.derived_from(node, mention.row)
        if mention.name.valid_from:
            interval, start = f"{node}/periodo", f"{node}/periodo/inizio"
            self.add(node, ORG.memberDuring, interval)
            self.add(interval, RDF.type, TIME.Interval)
            self.add(interval, TIME.hasBeginning, start)
            self.add(start, RDF.type, TIME.Instant)
            self.add(start, TIME.inXSDDate, typed(mention.name.valid_from.isoformat(), XSD.date))

    def add_assignment(self, objective: str, assignment: Assignment) -> None:
        node = self.iris.assignment(objective, assignment.key)
        self.add(node, RDF.type, PIAO.IndicatorAssignment)
        self.add(objective, PIAO.hasAssignment, node)
        self.add(node, PIAO.objective, objective)
        self.derived_from(node, assignment.row)
        if assignment.indicator_title:
            self.add(node, PIAO.indicatorTitleAsWritten, text(assignment.indicator_title))
        if assignment.indicator_code:
            self.add(node, PIAO.indicator, self.add_indicator(assignment))
        if assignment.formula:
            formula = f"{node}/formula"
            self.add(node, PIAO.formula, formula)
            self.add(formula, RDF.type, INDICATOR.CalculationMethod)
            self.add(formula, PIAO.formulaText, text(assignment.formula.text, "it"))
            self.add(formula, PIAO.formulaAsWritten, text(assignment.formula.raw))
            if assignment.formula.is_latex:
                self.add(formula, DCTERMS.format, text(LATEX_MEDIA_TYPE))
        if assignment.purpose:
            purpose = f"{node}/finalita"
            self.add(node, PIAO.purpose, purpose)
            self.add(purpose, RDF.type, INDICATOR.Purpose)
            self.add(purpose, DCTERMS.description, text(assignment.purpose, "it"))
        if assignment.target:
            self.add(node, PIAO.targetKind, TARGET_KINDS[assignment.target.kind])
            self.add(node, PIAO.targetAsWritten, text(assignment.target.raw))
            if assignment.target.value is not None:
                self.add(node, PIAO.targetValue, number(assignment.target.value))
        if assignment.weight:
            self.add(node, PIAO.weightAsWritten, text(assignment.weight.raw))
            if assignment.weight.value is not None:
                self.add(node, PIAO.weight, number(assignment.weight.value))

    def add_indicator(self, assignment: Assignment) -> str:
        node = self.iris.indicator(assignment.indicator_code)
        self.add(node, RDF.type, PIAO.Indicator)
        self.add(node, DCTERMS.identifier, text(assignment.indicator_code))
        self.add(node, PIAO.definedBy, self.iris.ente)
        if assignment.indicator_title:
            self.add(node, DCTERMS.title, text(assignment.indicator_title, "it"))
        self.derived_from(node, assignment.row)
        return node
