"""Build the RDF of a plan from its records, under the piao-lod ontology, as Oxigraph triples.

The pipeline keeps graphs in Oxigraph only: :func:`plan_triples` feeds stores and
serialisers directly. :func:`plan_to_graph` and :func:`plans_to_dataset` give rdflib
objects for the Python API, converted at that edge.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

import json

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef

from piao_lod.iris import PlanIris, segment
from piao_lod.messages import LANGUAGES, N_, gettext
from piao_lod.namespaces import CITIES, DEFAULT_BASE_IRI, OX, PNRR, PREFIXES
from piao_lod.plan_table import title_key
from piao_lod.rdflib_edge import add_triples
from piao_lod.records import Assignment, Objective, PersonName, Plan, RowRef, SettoreMention, YearFigures
from piao_lod.values import Target, TargetBound, TargetKind

PIAO, RDF, RDFS, DCTERMS, FOAF, ORG, PROV, SKOS, TIME, XSD, COV, INDICATOR = (
    OX[prefix] for prefix in ("piao", "rdf", "rdfs", "dcterms", "foaf", "org", "prov", "skos", "time", "xsd", "cov",
                              "indicator"))
TARGET_KINDS = {
    TargetKind.NUMBER: PIAO.NumberTarget,
    TargetKind.PERCENTAGE: PIAO.PercentageTarget,
    TargetKind.BOOLEAN: PIAO.BooleanTarget,
    TargetKind.DATE: PIAO.DateTarget,
    TargetKind.TEXT: PIAO.TextTarget,
}
TARGET_BOUNDS = {
    TargetBound.AT_LEAST: PIAO.AtLeast,
    TargetBound.AT_MOST: PIAO.AtMost,
    TargetBound.MORE_THAN: PIAO.MoreThan,
    TargetBound.LESS_THAN: PIAO.LessThan,
}
# rdfs:label of the resources that have no name of their own, composed as a person would call them
LABELS = {
    "assignment": N_("Indicator {indicator} in objective {objective}"),
    "formula": N_("Formula of indicator {indicator} in objective {objective}"),
    "purpose": N_("Purpose of indicator {indicator} in objective {objective}"),
    "year": N_("Target {year} of indicator {indicator} in objective {objective}"),
    "row": N_("Row {line} of {file}"),
    "page_row": N_("Page {page}, row {line} of {file}"),
    "sheet_row": N_("Row {line} of sheet {sheet} of {file}"),
    "document": N_("Source document {file}"),
    "pnrr_column": N_("PNRR code {code} in column “{header}” of objective {objective}"),
    "version": N_("{version} of the {year} plan – {ente}{when}"),
    "incarico": N_("{dirigente} heading {settore} ({year})"),
    "incarico_vacant": N_("{settore} without a dirigente ({year})"),
    "period": N_("Period of the appointment: {dirigente} heading {settore} ({year})"),
    "start": N_("Start of the appointment: {dirigente} heading {settore}, {date}"),
}
SHORT_NAME = 60
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


def short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= SHORT_NAME else flat[: SHORT_NAME - 1] + "…"


def objective_name(objective: Objective) -> str:
    return objective.code or short(objective.title)


def indicator_name(assignment: Assignment) -> str:
    return assignment.indicator_code or short(assignment.indicator_title or assignment.key)


def plan_iris(plan: Plan, base: str = DEFAULT_BASE_IRI) -> PlanIris:
    return PlanIris(base, plan.ente.ipa_code, plan.year, plan.version.key)


def plan_graph_name(plan: Plan, base: str = DEFAULT_BASE_IRI) -> ox.NamedNode:
    """The named graph a plan is written to: its version's IRI, so the versions of a plan live side by side."""
    return ox.NamedNode(plan_iris(plan, base).version)


def plan_triples(plan: Plan, base: str = DEFAULT_BASE_IRI) -> list[ox.Triple]:
    """Every triple of one plan version (duplicates removed, in no particular order)."""
    builder = PlanGraphBuilder(plan, plan_iris(plan, base))
    builder.build()
    return list(builder.triples)


def plan_to_graph(plan: Plan, base: str = DEFAULT_BASE_IRI, graph: Graph | None = None) -> Graph:
    """Add the triples of one plan to ``graph`` (a new rdflib Graph by default) and return it: what
    ``convert`` writes for it, its version and the plan's own statements of its versions included."""
    from piao_lod.rdf_output import plan_version_indexes

    graph = Graph() if graph is None else graph
    bind_prefixes(graph)
    return add_triples(graph, [*plan_triples(plan, base), *(quad.triple for quad in plan_version_indexes([plan], base))])


def plans_to_dataset(plans: Iterable[Plan], base: str = DEFAULT_BASE_IRI) -> Dataset:
    """One named graph per plan version, named by the version's IRI, and one per plan with its versions (an
    rdflib Dataset): as ``convert`` writes TriG."""
    from piao_lod.rdf_output import plan_version_indexes

    plans = list(plans)
    dataset = Dataset()
    bind_prefixes(dataset)
    for plan in plans:
        add_triples(dataset.graph(URIRef(plan_graph_name(plan, base).value)), plan_triples(plan, base))
    for quad in plan_version_indexes(plans, base):
        add_triples(dataset.graph(URIRef(quad.graph_name.value)), [quad.triple])
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
        file_name = self.plan.source.file_name
        if row.sheet:
            self.add(node, PIAO.sheet, text(row.sheet))
            self.label(node, "sheet_row", line=row.line, sheet=row.sheet, file=file_name)
        elif row.page is not None:
            self.label(node, "page_row", line=row.line, page=row.page, file=file_name)
        else:
            self.label(node, "row", line=row.line, file=file_name)
        if row.page is not None:
            self.add(node, PIAO.pageNumber, number(row.page))
        if row.cells:
            self.add(node, PIAO.cells, text(json.dumps(list(row.cells), ensure_ascii=False)))
        if row.header is not None and row.header.line != row.line:
            self.add(node, PIAO.headerRow, self.row(row.header))
        return node

    def derived_from(self, node: str, row: RowRef, continuations: list[RowRef] = ()) -> None:
        self.add(node, PROV.wasDerivedFrom, self.row(row))
        for extra in continuations:
            self.add(node, PROV.wasDerivedFrom, self.row(extra))

    def label(self, node: str, kind: str, **params) -> None:
        """An rdfs:label in each language, from the message catalogue."""
        for lang in LANGUAGES:
            self.add(node, RDFS.label, text(gettext(lang, LABELS[kind], **params), lang))

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
        self.add_version(source)
        if plan.objective_weights_per == "dirigente" and any(objective.weight for objective in plan.objectives):
            self.add(node, PIAO.objectiveWeightsPer, text("dirigente"))
        document = plan.source
        self.add(source, RDF.type, PIAO.SourceDocument)
        self.add(source, PIAO.fileName, text(document.file_name))
        self.add(source, DCTERMS.format, text(document.media_type))
        self.add(source, PIAO.sha256, text(document.sha256))
        self.label(source, "document", file=document.file_name)
        if document.title:
            self.add(source, DCTERMS.title, text(document.title, "it"))
        if document.section:
            self.add(source, PIAO.section, text(document.section, "it"))

    def add_version(self, source: str) -> None:
        """The version this document is of the plan: what it says of itself, and the document it comes from."""
        plan, version, node = self.plan, self.plan.version, self.iris.version
        self.add(node, RDF.type, PIAO.PlanVersion)
        self.add(node, DCTERMS.isVersionOf, self.iris.plan)
        self.add(self.iris.plan, DCTERMS.hasVersion, node)
        self.add(node, PIAO.versionKey, text(version.key))
        self.add(node, PROV.wasDerivedFrom, source)
        name = version.label or gettext("it", N_("Version"))
        for lang in LANGUAGES:
            label = version.label if version.label else gettext(lang, N_("Version"))
            when = f", {version.adopted.strftime('%d/%m/%Y')}" if version.adopted else ""
            self.add(node, RDFS.label, text(gettext(lang, LABELS["version"], version=label, year=plan.year,
                                                    ente=plan.ente.name, when=when), lang))
        if version.label:
            self.add(node, PIAO.versionLabel, text(name, "it"))
        if version.adopted:
            self.add(node, DCTERMS.issued, typed(version.adopted.isoformat(), XSD.date))
        if version.act:
            self.add(node, PIAO.adoptingAct, text(version.act, "it"))

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
        self.derived_from(node, objective.row, objective.rows)
        for mention in objective.settori:
            self.add(node, PIAO.ownedBy, self.add_settore(mention))
        if objective.dirigente:
            self.add(node, PIAO.dirigente, self.add_dirigente(objective.dirigente, objective.row))
        for mention in objective.settori:
            self.add_incarico(objective.dirigente, mention)
        for reference in objective.pnrr:
            self.add(node, PIAO.pnrrCodeAsWritten, text(reference.as_written))
            if reference.column:
                self.add_pnrr_column(node, reference, objective_name(objective))
            if reference.linked_notation:
                self.add(node, PIAO.pnrrMeasure, str(PNRR[reference.linked_notation]))
        if objective.weight:
            self.add_weight(node, objective.weight)
        self.add_budget(node, objective)
        if objective.strategic:
            self.add(node, PIAO.strategicObjective, self.add_strategic(objective))
        for assignment in objective.assignments:
            self.add_assignment(node, objective, assignment)

    def add_pnrr_column(self, node: str, reference, objective: str) -> None:
        """Where a code of a PNRR column was written: validation names the column instead of the title."""
        number, header = reference.column
        cell = f"{node}/pnrr/colonna/{number}"
        self.add(node, PIAO.pnrrCodeInColumn, cell)
        self.add(cell, RDF.type, PIAO.ColumnValue)
        self.add(cell, RDF.value, text(reference.as_written))
        self.add(cell, PIAO.columnHeader, text(header))
        self.label(cell, "pnrr_column", code=reference.as_written, header=header, objective=objective)

    def add_weight(self, node: str, weight) -> None:
        self.add(node, PIAO.weightAsWritten, text(weight.raw))
        if weight.value is not None:
            self.add(node, PIAO.weight, number(weight.value))

    def add_budget(self, node: str, objective: Objective) -> None:
        mission, programme = objective.missione, objective.programma
        if mission is not None:
            self.add(node, PIAO.missionAsWritten, text(mission.as_written))
        if programme is not None:
            self.add(node, PIAO.programmeAsWritten, text(programme.as_written))
            if programme.iri:
                self.add(node, PIAO.budgetProgramme, programme.iri)
                mission_iri = programme.iri.replace("/programma/", "/missione/").rsplit(".", 1)[0]
                self.add(node, PIAO.budgetMission, mission_iri)
        if mission is not None and mission.iri and not (programme is not None and programme.iri):
            self.add(node, PIAO.budgetMission, mission.iri)

    def add_strategic(self, objective: Objective) -> str:
        """Strategic objectives and mandate lines belong to the ente (the DUP spans the mandate), like indicators."""
        strategic = objective.strategic
        node = f"{self.iris.ente}/obiettivo-strategico/{segment(strategic.code) if strategic.code else title_key(strategic.title)}"
        self.add(node, RDF.type, PIAO.StrategicObjective)
        self.add(node, PIAO.definedBy, self.iris.ente)
        if strategic.code:
            self.add(node, DCTERMS.identifier, text(strategic.code))
        self.add(node, DCTERMS.title, text(strategic.title, "it"))
        self.derived_from(node, objective.row)
        if strategic.mandate_line:
            line = f"{self.iris.ente}/linea-di-mandato/{title_key(strategic.mandate_line)}"
            self.add(line, RDF.type, PIAO.MandateLine)
            self.add(line, PIAO.definedBy, self.iris.ente)
            self.add(line, DCTERMS.title, text(strategic.mandate_line, "it"))
            self.derived_from(line, objective.row)
            if line != node:
                self.add(node, PIAO.mandateLine, line)
        return node

    def add_settore(self, mention: SettoreMention) -> str:
        node = self.iris.settore(mention.name.name)
        self.derived_from(node, mention.row)
        self.add(node, RDF.type, ORG.OrganizationalUnit)
        self.add(node, SKOS.prefLabel, text(mention.name.name, "it"))
        self.add(node, ORG.unitOf, self.iris.ente)
        self.add(self.iris.ente, ORG.hasUnit, node)
        return node

    def add_dirigente(self, person: PersonName, row: RowRef) -> str:
        name = person.name
        node = self.iris.dirigente(name)
        self.derived_from(node, row)
        self.add(node, RDF.type, FOAF.Person)
        self.add(node, FOAF.name, text(name))
        self.add(node, RDFS.label, text(display_name(name)))
        if person.honorific:
            self.add(node, FOAF.title, text(person.honorific))
        return node

    def add_incarico(self, dirigente: PersonName | None, mention: SettoreMention) -> None:
        """Who leads the settore in this plan; written even with no dirigente, so the
        settore cell as written (with its validity date) is kept and validation can
        report the missing dirigente."""
        name = dirigente.name if dirigente else None
        settore, year = mention.name.name, self.plan.year
        node = self.iris.incarico(name, settore)
        self.add(node, RDF.type, ORG.Membership)
        if name:
            self.add(node, ORG.member, self.iris.dirigente(name))
            self.label(node, "incarico", dirigente=display_name(name), settore=settore, year=year)
        else:
            self.label(node, "incarico_vacant", settore=settore, year=year)
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
            who = display_name(name) if name else "—"
            self.label(interval, "period", dirigente=who, settore=settore, year=year)
            self.label(start, "start", dirigente=who, settore=settore, date=mention.name.valid_from.strftime("%d/%m/%Y"))

    def add_assignment(self, objective_node: str, objective: Objective, assignment: Assignment) -> None:
        node = self.iris.assignment(objective_node, assignment.key)
        names = {"indicator": indicator_name(assignment), "objective": objective_name(objective)}
        self.add(node, RDF.type, PIAO.IndicatorAssignment)
        self.add(objective_node, PIAO.hasAssignment, node)
        self.add(node, PIAO.objective, objective_node)
        self.label(node, "assignment", **names)
        self.derived_from(node, assignment.row, assignment.rows)
        if assignment.indicator_title:
            self.add(node, PIAO.indicatorTitleAsWritten, text(assignment.indicator_title))
        if assignment.indicator_key:
            self.add(node, PIAO.indicator, self.add_indicator(assignment))
        if assignment.formula:
            formula = f"{node}/formula"
            self.add(node, PIAO.formula, formula)
            self.add(formula, RDF.type, INDICATOR.CalculationMethod)
            self.add(formula, PIAO.formulaText, text(assignment.formula.text, "it"))
            self.add(formula, PIAO.formulaAsWritten, text(assignment.formula.raw))
            self.label(formula, "formula", **names)
            if assignment.formula.is_latex:
                self.add(formula, DCTERMS.format, text(LATEX_MEDIA_TYPE))
        if assignment.purpose:
            purpose = f"{node}/finalita"
            self.add(node, PIAO.purpose, purpose)
            self.add(purpose, RDF.type, INDICATOR.Purpose)
            self.add(purpose, DCTERMS.description, text(assignment.purpose, "it"))
            self.label(purpose, "purpose", **names)
        if assignment.target:
            self.add_target(node, assignment.target)
        if assignment.weight:
            self.add_weight(node, assignment.weight)
        if assignment.unit:
            self.add(node, PIAO.unitAsWritten, text(assignment.unit.raw))
            if assignment.unit.unit and assignment.unit.unit.iri:
                self.add(node, PIAO.unit, assignment.unit.unit.iri)
        if assignment.baseline:
            self.add(node, PIAO.baselineAsWritten, text(assignment.baseline.raw))
            self.add_reading(node, assignment.baseline, PIAO.baselineValue, PIAO.baselineDate)
            if assignment.baseline_year is not None:
                self.add(node, PIAO.baselineYear, typed(str(assignment.baseline_year), XSD.gYear))
        for figures in assignment.years:
            self.add_year(node, assignment, figures, names)

    def add_target(self, node: str, target: Target) -> None:
        self.add(node, PIAO.targetKind, TARGET_KINDS[target.kind])
        if target.bound is not None:
            self.add(node, PIAO.targetBound, TARGET_BOUNDS[target.bound])
        self.add(node, PIAO.targetAsWritten, text(target.raw))
        self.add_reading(node, target, PIAO.targetValue, PIAO.targetDate)
        if target.upper is not None:
            self.add(node, PIAO.targetUpperValue, number(target.upper))
        if target.change_from is not None:
            self.add(node, PIAO.changeFromYear, typed(str(target.change_from), XSD.gYear))

    def add_reading(self, node: str, reading: Target, value_property, date_property) -> None:
        if reading.value is not None:
            self.add(node, value_property, number(reading.value))
        if reading.date is not None:
            self.add(node, date_property, typed(reading.date.isoformat(), XSD.date))

    def add_year(self, assignment_node: str, assignment: Assignment, figures: YearFigures, names: dict) -> None:
        """One year of the triennium: its target, and what was achieved where the table says."""
        node = f"{assignment_node}/anno/{figures.year}"
        self.add(node, RDF.type, PIAO.AnnualTarget)
        self.add(assignment_node, PIAO.hasAnnualTarget, node)
        self.add(node, PIAO.assignment, assignment_node)
        self.add(node, PIAO.targetYear, typed(str(figures.year), XSD.gYear))
        self.label(node, "year", year=figures.year, **names)
        self.derived_from(node, assignment.row)
        if figures.target:
            self.add_target(node, figures.target)
        if figures.achieved:
            self.add(node, PIAO.achievedAsWritten, text(figures.achieved.raw))
            self.add_reading(node, figures.achieved, PIAO.achievedValue, PIAO.achievedDate)
        if figures.achievement_rate:
            self.add(node, PIAO.achievementRateAsWritten, text(figures.achievement_rate.raw))
            if figures.achievement_rate.value is not None:
                self.add(node, PIAO.achievementRate, number(figures.achievement_rate.value))

    def add_indicator(self, assignment: Assignment) -> str:
        node = self.iris.indicator(assignment.indicator_key)
        self.add(node, RDF.type, PIAO.Indicator)
        if assignment.indicator_code:
            self.add(node, DCTERMS.identifier, text(assignment.indicator_code))
        self.add(node, PIAO.definedBy, self.iris.ente)
        if assignment.indicator_title:
            self.add(node, DCTERMS.title, text(assignment.indicator_title, "it"))
        self.derived_from(node, assignment.row)
        return node


def display_name(name: str) -> str:
    """``STOPPA EMANUELE`` -> ``Stoppa Emanuele``; names written in mixed case stay as written."""
    return name.title() if name.isupper() else name
