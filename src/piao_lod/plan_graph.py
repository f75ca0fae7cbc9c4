"""Build the RDF graph of a plan from its records, under the piao-lod ontology."""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import DCTERMS, FOAF, ORG, PROV, RDF, RDFS, SKOS, TIME, XSD, Dataset, Graph, Literal, URIRef

from piao_lod.iris import PlanIris
from piao_lod.namespaces import CITIES, COV, DEFAULT_BASE_IRI, INDICATOR, PIAO, PNRR, PREFIXES
from piao_lod.records import Assignment, Objective, Plan, RowRef, SettoreMention
from piao_lod.values import TargetKind

TARGET_KINDS = {
    TargetKind.NUMBER: PIAO.NumberTarget,
    TargetKind.PERCENTAGE: PIAO.PercentageTarget,
    TargetKind.BOOLEAN: PIAO.BooleanTarget,
}
LATEX_MEDIA_TYPE = "application/x-latex"


def bind_prefixes(graph: Graph) -> None:
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True)


def plan_to_graph(plan: Plan, base: str = DEFAULT_BASE_IRI, graph: Graph | None = None) -> Graph:
    """Add the triples of one plan to ``graph`` (a new Graph by default) and return it."""
    graph = Graph() if graph is None else graph
    bind_prefixes(graph)
    PlanGraphBuilder(plan, PlanIris(base, plan.ente.ipa_code, plan.year), graph).build()
    return graph


def plans_to_dataset(plans: Iterable[Plan], base: str = DEFAULT_BASE_IRI) -> Dataset:
    """One named graph per plan, named by the plan's IRI."""
    dataset = Dataset()
    bind_prefixes(dataset)
    for plan in plans:
        iris = PlanIris(base, plan.ente.ipa_code, plan.year)
        plan_to_graph(plan, base, dataset.graph(iris.plan))
    return dataset


class PlanGraphBuilder:
    def __init__(self, plan: Plan, iris: PlanIris, graph: Graph):
        self.plan, self.iris, self.graph = plan, iris, graph
        self.add = graph.add

    def build(self) -> None:
        self.add_ente()
        self.add_plan()
        for objective in self.plan.objectives:
            self.add_objective(objective)

    def row(self, row: RowRef) -> URIRef:
        node = self.iris.row(row.line, row.sheet, row.page)
        self.add((node, RDF.type, PIAO.SourceRow))
        self.add((node, PIAO.inDocument, self.iris.source))
        self.add((node, PIAO.lineNumber, Literal(row.line)))
        if row.sheet:
            self.add((node, PIAO.sheet, Literal(row.sheet)))
        if row.page is not None:
            self.add((node, PIAO.pageNumber, Literal(row.page)))
        return node

    def derived_from(self, node: URIRef, row: RowRef) -> None:
        self.add((node, PROV.wasDerivedFrom, self.row(row)))

    def add_ente(self) -> None:
        ente, node = self.plan.ente, self.iris.ente
        self.add((node, RDF.type, ORG.FormalOrganization))
        self.add((node, RDF.type, COV.PublicOrganization))
        self.add((node, SKOS.prefLabel, Literal(ente.name, lang="it")))
        self.add((node, COV.IPAcode, Literal(ente.ipa_code)))
        self.add((node, DCTERMS.identifier, Literal(ente.ipa_code)))
        if ente.istat_code:
            self.add((node, PIAO.istatCode, Literal(ente.istat_code)))
        if ente.city_id:
            self.add((node, DCTERMS.spatial, CITIES[ente.city_id]))

    def add_plan(self) -> None:
        plan, node, source = self.plan, self.iris.plan, self.iris.source
        self.add((node, RDF.type, PIAO.Plan))
        self.add((node, PIAO.ente, self.iris.ente))
        self.add((node, PIAO.year, Literal(str(plan.year), datatype=XSD.gYear)))
        self.add((node, DCTERMS.title, Literal(f"Piano degli obiettivi {plan.year} – {plan.ente.name}", lang="it")))
        self.add((node, DCTERMS.title, Literal(f"Objectives plan {plan.year} – {plan.ente.name}", lang="en")))
        self.add((node, PROV.wasDerivedFrom, source))
        document = plan.source
        self.add((source, RDF.type, PIAO.SourceDocument))
        self.add((source, PIAO.fileName, Literal(document.file_name)))
        self.add((source, DCTERMS.format, Literal(document.media_type)))
        self.add((source, PIAO.sha256, Literal(document.sha256)))
        if document.title:
            self.add((source, DCTERMS.title, Literal(document.title, lang="it")))
        if document.section:
            self.add((source, PIAO.section, Literal(document.section, lang="it")))

    def add_objective(self, objective: Objective) -> None:
        node = self.iris.objective(objective.key)
        self.add((node, RDF.type, PIAO.Objective))
        self.add((self.iris.plan, PIAO.hasObjective, node))
        self.add((node, PIAO.inPlan, self.iris.plan))
        if objective.code:
            self.add((node, DCTERMS.identifier, Literal(objective.code)))
        self.add((node, DCTERMS.title, Literal(objective.title, lang="it")))
        if objective.definition:
            self.add((node, DCTERMS.description, Literal(objective.definition, lang="it")))
        self.derived_from(node, objective.row)
        if objective.settore:
            self.add((node, PIAO.ownedBy, self.add_settore(objective.settore)))
        if objective.dirigente:
            self.add((node, PIAO.dirigente, self.add_dirigente(objective.dirigente)))
        if objective.settore:
            self.add_incarico(objective.dirigente, objective.settore)
        for reference in objective.pnrr:
            self.add((node, PIAO.pnrrCodeAsWritten, Literal(reference.as_written)))
            if reference.linked_notation:
                self.add((node, PIAO.pnrrMeasure, PNRR[reference.linked_notation]))
        for assignment in objective.assignments:
            self.add_assignment(node, assignment)

    def add_settore(self, mention: SettoreMention) -> URIRef:
        node = self.iris.settore(mention.name.name)
        self.add((node, RDF.type, ORG.OrganizationalUnit))
        self.add((node, SKOS.prefLabel, Literal(mention.name.name, lang="it")))
        self.add((node, ORG.unitOf, self.iris.ente))
        self.add((self.iris.ente, ORG.hasUnit, node))
        return node

    def add_dirigente(self, name: str) -> URIRef:
        node = self.iris.dirigente(name)
        self.add((node, RDF.type, FOAF.Person))
        self.add((node, FOAF.name, Literal(name)))
        self.add((node, RDFS.label, Literal(name.title() if name.isupper() else name)))
        return node

    def add_incarico(self, dirigente: str | None, mention: SettoreMention) -> None:
        """Who leads the settore in this plan; written even with no dirigente, so the
        settore cell as written (with its validity date) is kept and validation can
        report the missing dirigente."""
        node = self.iris.incarico(dirigente, mention.name.name)
        self.add((node, RDF.type, ORG.Membership))
        if dirigente:
            self.add((node, ORG.member, self.iris.dirigente(dirigente)))
        self.add((node, ORG.organization, self.iris.settore(mention.name.name)))
        self.add((node, ORG.role, PIAO.Dirigente))
        self.add((node, PIAO.inPlan, self.iris.plan))
        self.add((node, PIAO.settoreAsWritten, Literal(mention.name.raw)))
        self.derived_from(node, mention.row)
        if mention.name.valid_from:
            interval, start = URIRef(f"{node}/periodo"), URIRef(f"{node}/periodo/inizio")
            self.add((node, ORG.memberDuring, interval))
            self.add((interval, RDF.type, TIME.Interval))
            self.add((interval, TIME.hasBeginning, start))
            self.add((start, RDF.type, TIME.Instant))
            self.add((start, TIME.inXSDDate, Literal(mention.name.valid_from.isoformat(), datatype=XSD.date)))

    def add_assignment(self, objective: URIRef, assignment: Assignment) -> None:
        node = self.iris.assignment(objective, assignment.key)
        self.add((node, RDF.type, PIAO.IndicatorAssignment))
        self.add((objective, PIAO.hasAssignment, node))
        self.add((node, PIAO.objective, objective))
        self.derived_from(node, assignment.row)
        if assignment.indicator_title:
            self.add((node, PIAO.indicatorTitleAsWritten, Literal(assignment.indicator_title)))
        if assignment.indicator_code:
            self.add((node, PIAO.indicator, self.add_indicator(assignment)))
        if assignment.formula:
            formula = URIRef(f"{node}/formula")
            self.add((node, PIAO.formula, formula))
            self.add((formula, RDF.type, INDICATOR.CalculationMethod))
            self.add((formula, PIAO.formulaText, Literal(assignment.formula.text, lang="it")))
            self.add((formula, PIAO.formulaAsWritten, Literal(assignment.formula.raw)))
            if assignment.formula.is_latex:
                self.add((formula, DCTERMS.format, Literal(LATEX_MEDIA_TYPE)))
        if assignment.purpose:
            purpose = URIRef(f"{node}/finalita")
            self.add((node, PIAO.purpose, purpose))
            self.add((purpose, RDF.type, INDICATOR.Purpose))
            self.add((purpose, DCTERMS.description, Literal(assignment.purpose, lang="it")))
        if assignment.target:
            self.add((node, PIAO.targetKind, TARGET_KINDS[assignment.target.kind]))
            self.add((node, PIAO.targetAsWritten, Literal(assignment.target.raw)))
            if assignment.target.value is not None:
                self.add((node, PIAO.targetValue, Literal(assignment.target.value)))
        if assignment.weight:
            self.add((node, PIAO.weightAsWritten, Literal(assignment.weight.raw)))
            if assignment.weight.value is not None:
                self.add((node, PIAO.weight, Literal(assignment.weight.value)))

    def add_indicator(self, assignment: Assignment) -> URIRef:
        node = self.iris.indicator(assignment.indicator_code)
        self.add((node, RDF.type, PIAO.Indicator))
        self.add((node, DCTERMS.identifier, Literal(assignment.indicator_code)))
        self.add((node, PIAO.definedBy, self.iris.ente))
        if assignment.indicator_title:
            self.add((node, DCTERMS.title, Literal(assignment.indicator_title, lang="it")))
        self.derived_from(node, assignment.row)
        return node
