"""The ontology (ontology/piao.ttl) and the PNRR scheme (ontology/pnrr.ttl) against the data they describe.

The graphs are built through the public API from the bundled Cremona plan and
from a small workbook written here, so a term the graph builder starts using
without declaring it, or a property whose values stop matching its declared
type, domain or range, fails here.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import openpyxl
import pytest
from rdflib import DCTERMS, OWL, RDF, RDFS, SKOS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic

from conftest import DATA, EXAMPLE, ROOT
from piao_lod import plan_to_graph, read_plan_table
from piao_lod.namespaces import PIAO as BUILDER_PIAO
from piao_lod.resources import ontology_file

PIAO = Namespace("https://w3id.org/piao-lod/ontology#")
ONTOLOGY = URIRef("https://w3id.org/piao-lod/ontology")
PNRR = Namespace("https://w3id.org/piao-lod/pnrr/")
PNRR_SCHEME = URIRef("https://w3id.org/piao-lod/pnrr/scheme")
VANN = Namespace("http://purl.org/vocab/vann/")
ORG = Namespace("http://www.w3.org/ns/org#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")  # an open Namespace: rdflib's closed XSD warns under pytest

# Integer-valued XSD types are subtypes of xsd:decimal.
DECIMAL_TYPES = {XSD.decimal, XSD.integer, XSD.long, XSD.int, XSD.short, XSD.byte, XSD.nonNegativeInteger,
                 XSD.positiveInteger, XSD.nonPositiveInteger, XSD.negativeInteger, XSD.unsignedLong,
                 XSD.unsignedInt, XSD.unsignedShort, XSD.unsignedByte}


@pytest.fixture(scope="module")
def ontology() -> Graph:
    with ontology_file("piao.ttl").open("rb") as handle:
        return Graph().parse(handle, format="turtle")


@pytest.fixture(scope="module")
def pnrr_scheme() -> Graph:
    return Graph().parse(ROOT / "ontology" / "pnrr.ttl", format="turtle")


@pytest.fixture(scope="module")
def example() -> Graph:
    return plan_to_graph(read_plan_table(EXAMPLE))


# A small workbook for what the text example lacks: sheet rows, a decimal target, a LaTeX formula.
WORKBOOK_ROWS = [
    ["Ente", "Anno", "Dirigente", "Settore", "Codice Obiettivo", "Titolo Obiettivo", "Definizione Obiettivo",
     "Codice Ind", "Titolo Indicatore", "Formula Indicatore", "Finalità Indicatore", "Target Atteso", "Peso"],
    ["c_d150", 2024, "ROSSI MARIO", "Settore Alfa (dal 01/01/24)", "1.1_0001", "PNRR - M5C2-I2.3 - Centro civico",
     "Riqualificare il centro", "101", "Quota di spesa", r"$(\text{spesa} / \text{stanziato}) * 100$",
     "Misurare la spesa", "12,5%", 60],
    ["c_d150", 2024, "ROSSI MARIO", None, None, None, None, "102", "Relazione finale", "1 = fatto 0 = non fatto",
     "Chiudere il progetto", "1", 40],
]


@pytest.fixture(scope="module")
def workbook_graph(tmp_path_factory) -> Graph:
    book = openpyxl.Workbook()
    book.active.title = "Obiettivi"
    for row in WORKBOOK_ROWS:
        book.active.append(row)
    path = tmp_path_factory.mktemp("workbook") / "piano.xlsx"
    book.save(path)
    return plan_to_graph(read_plan_table(path))


# A table with what the other graphs lack: a dirigente's objective weights, a baseline and an achieved value
# that are dates, a mandate line above its strategic objective, qualitative targets.
FULLER_TABLE = (
    "Linea di mandato;Obiettivo strategico;Codice obiettivo;Obiettivo;Responsabile;Peso obiettivo;Indicatore;"
    "Unità di misura;Baseline 2024;Target 2025;Valore raggiunto 2025\n"
    "Città digitale;Servizi online;OB-1;Portale dei servizi;Dott. Mario Rossi;60;Avvio del portale;data;"
    "30/06/2024;31/12/2025;15/12/2025\n"
    "Città digitale;Servizi online;OB-2;Ascolto dei cittadini;Dott. Mario Rossi;40;Qualità percepita;;"
    "sufficiente;buona;buona\n"
)


@pytest.fixture(scope="module")
def layout_graphs(tmp_path_factory) -> Graph:
    """The synthetic layouts of tests/data/layouts and a table with the remaining terms, in one graph."""
    folder = tmp_path_factory.mktemp("fuller")
    fuller = folder / "piano.csv"
    fuller.write_text(FULLER_TABLE, encoding="utf-8")
    graph = Graph()
    comuni = DATA / "layouts" / "comuni"
    for path in (DATA / "layouts" / "dup-cascade.csv", DATA / "layouts" / "relazione-performance.csv",
                 comuni / "soglie-totali-note.csv", comuni / "colonne-pnrr.csv", comuni / "valdora-sezioni-cp1252.csv",
                 fuller):
        plan_to_graph(read_plan_table(path, ente="x_test", year=2025), graph=graph)
    return graph


@pytest.fixture(params=["example", "workbook_graph", "layout_graphs"])
def data(request) -> Graph:
    """Each converted graph the data tests run on."""
    return request.getfixturevalue(request.param)


def piao_terms(graph: Graph) -> set[URIRef]:
    return {node for node in graph.subjects() if isinstance(node, URIRef) and node.startswith(str(PIAO))}


def piao_iris_used(graph: Graph) -> set[URIRef]:
    return {node for triple in graph for node in triple if isinstance(node, URIRef) and node.startswith(str(PIAO))}


def languages(graph: Graph, subject: URIRef, *predicates: URIRef) -> set[str]:
    return {obj.language for predicate in predicates for obj in graph.objects(subject, predicate)
            if isinstance(obj, Literal) and obj.language and str(obj).strip()}


def class_set(ontology: Graph, expression) -> set[URIRef]:
    """A named class, or the members of an owl:unionOf of named classes."""
    union = ontology.value(expression, OWL.unionOf) if isinstance(expression, BNode) else None
    return set(Collection(ontology, union)) if union is not None else {expression}


def superclasses(ontology: Graph, cls: URIRef) -> set[URIRef]:
    return set(ontology.transitive_objects(cls, RDFS.subClassOf))


def types_of(node, graphs: tuple[Graph, ...], ontology: Graph) -> set[URIRef]:
    direct = {cls for graph in graphs for cls in graph.objects(node, RDF.type)}
    return {sup for cls in direct for sup in superclasses(ontology, cls)}


def literal_fits(literal: Literal, datatype: URIRef) -> bool:
    if datatype == RDFS.Literal:
        return True
    if datatype == RDF.PlainLiteral:  # OWL 2's text with or without a language tag
        return literal.language is not None or literal.datatype in (None, XSD.string)
    if datatype == XSD.string:
        return literal.language is None and literal.datatype in (None, XSD.string)
    if datatype == XSD.decimal:
        return literal.datatype in DECIMAL_TYPES and literal.value is not None
    return literal.datatype == datatype and literal.value is not None


# -- 1. header ------------------------------------------------------------------


def test_ontology_parses_with_its_header(ontology):
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(ONTOLOGY, OWL.versionIRI) == URIRef("https://w3id.org/piao-lod/ontology/0.1.0")
    assert ontology.value(ONTOLOGY, OWL.versionInfo) == Literal("0.1.0")
    assert ontology.value(ONTOLOGY, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert ontology.value(ONTOLOGY, VANN.preferredNamespacePrefix) == Literal("piao")
    assert str(ontology.value(ONTOLOGY, VANN.preferredNamespaceUri)) == str(PIAO) == str(BUILDER_PIAO)
    assert languages(ontology, ONTOLOGY, DCTERMS.title) >= {"it", "en"}
    assert languages(ontology, ONTOLOGY, DCTERMS.description) >= {"it", "en"}
    assert not list(ontology.objects(ONTOLOGY, OWL.imports)), "the ontology is meant to be self-contained"


# -- 2. documentation -----------------------------------------------------------


def test_every_piao_term_is_labelled_and_defined_in_italian_and_english(ontology):
    terms = piao_terms(ontology)
    assert len(terms) >= 41
    missing = []
    for term in sorted(terms):
        if languages(ontology, term, RDFS.label) < {"it", "en"}:
            missing.append(f"{term}: rdfs:label @it/@en")
        if languages(ontology, term, RDFS.comment, SKOS.definition) < {"it", "en"}:
            missing.append(f"{term}: rdfs:comment or skos:definition @it/@en")
        if ontology.value(term, RDFS.isDefinedBy) != ONTOLOGY:
            missing.append(f"{term}: rdfs:isDefinedBy")
    assert not missing, "\n".join(missing)


def test_target_kinds_are_a_documented_skos_scheme(ontology):
    kinds = {PIAO.NumberTarget, PIAO.PercentageTarget, PIAO.BooleanTarget, PIAO.DateTarget, PIAO.TextTarget}
    assert (PIAO.TargetKinds, RDF.type, SKOS.ConceptScheme) in ontology
    assert set(ontology.objects(PIAO.TargetKinds, SKOS.hasTopConcept)) == kinds
    for kind in kinds:
        assert (kind, RDF.type, SKOS.Concept) in ontology
        assert (kind, SKOS.inScheme, PIAO.TargetKinds) in ontology
        assert languages(ontology, kind, SKOS.prefLabel) == {"it", "en"}
        assert languages(ontology, kind, SKOS.definition) == {"it", "en"}
    assert (PIAO.Dirigente, RDF.type, ORG.Role) in ontology


def test_every_property_has_a_type_a_domain_and_a_range(ontology):
    properties = {term for term in piao_terms(ontology)
                  if {OWL.ObjectProperty, OWL.DatatypeProperty} & set(ontology.objects(term, RDF.type))}
    assert len(properties) >= 31
    for prop in properties:
        kinds = {OWL.ObjectProperty, OWL.DatatypeProperty} & set(ontology.objects(prop, RDF.type))
        assert len(kinds) == 1, f"{prop} is declared as both object and datatype property"
        assert ontology.value(prop, RDFS.domain) is not None, f"{prop} has no rdfs:domain"
        assert ontology.value(prop, RDFS.range) is not None, f"{prop} has no rdfs:range"


# -- 3. coverage of the data ----------------------------------------------------


def test_workbook_graph_has_what_the_text_example_lacks(workbook_graph):
    assert (None, PIAO.sheet, Literal("Obiettivi")) in workbook_graph
    assert Literal("12.5", datatype=XSD.decimal) in set(workbook_graph.objects(None, PIAO.targetValue))
    assert (None, DCTERMS.format, Literal("application/x-latex")) in workbook_graph
    assert {PIAO.PercentageTarget, PIAO.BooleanTarget} == set(workbook_graph.objects(None, PIAO.targetKind))


def test_every_piao_iri_in_a_converted_graph_is_declared(ontology, data):
    used = piao_iris_used(data)
    assert {PIAO.Plan, PIAO.Objective, PIAO.IndicatorAssignment, PIAO.targetKind, PIAO.Dirigente} <= used
    undeclared = sorted(used - piao_terms(ontology))
    assert not undeclared, f"used by the graph builder but not in ontology/piao.ttl: {undeclared}"


def change_set_graph(folder: Path) -> Graph:
    """What ``piao-lod diff --format ttl`` writes for a target that changed between two small tables, with
    the graph of the first, which names the act that adopted it."""
    from piao_lod.plan_diff import diff, render_turtle
    from piao_lod.reading import DEFAULT_READING

    header = "Ente;Anno;Settore;Dirigente;Codice Obiettivo;Titolo Obiettivo;Codice Ind;Titolo Indicatore;Target Atteso;Peso"
    sides = []
    for name, target in (("old.csv", "10"), ("new.csv", "8")):
        (folder / name).write_text(f"Piano della performance 2025, deliberazione di Giunta n. 4 del 12/01/2025\n{header}\n"
                                   f"c_d150;2025;Settore Uno;Rossi Maria;1_1;Obiettivo;1;Pratiche;{target};100\n", encoding="utf-8")
        sides.append(str(folder / name))
    changes = Graph().parse(data=render_turtle(diff(*sides, "https://w3id.org/piao-lod/id/", DEFAULT_READING)), format="turtle")
    return changes + plan_to_graph(read_plan_table(sides[0]))


def test_every_declared_term_is_written_by_the_graph_builder(ontology, example, workbook_graph, layout_graphs, tmp_path):
    """The ontology has no dead terms: all but the scheme itself appear in the converted graphs
    (the text example, the workbook, the layouts, and the example's PDF for piao:pageNumber)."""
    pdf_graph = plan_to_graph(read_plan_table(EXAMPLE.with_suffix(".pdf")))
    used = (piao_iris_used(example) | piao_iris_used(workbook_graph) | piao_iris_used(layout_graphs)
            | piao_iris_used(pdf_graph) | piao_iris_used(change_set_graph(tmp_path)))
    change_kinds = set(ontology.subjects(SKOS.inScheme, PIAO.ChangeKinds))    # each written when that change happens
    bounds = set(ontology.subjects(SKOS.inScheme, PIAO.TargetBounds))         # each written when a target has it
    unused = piao_terms(ontology) - used - {PIAO.TargetKinds, PIAO.ChangeKinds, PIAO.TargetBounds} - change_kinds - bounds
    assert not unused, f"declared but never written: {sorted(unused)}"


# -- 4. types, domains and ranges against the data ----------------------------------


def test_property_types_match_the_values(ontology, data):
    problems = []
    predicates = {p for p in data.predicates() if p.startswith(str(PIAO))}
    assert len(predicates) >= 25
    for prop in sorted(predicates):
        declared = set(ontology.objects(prop, RDF.type))
        values = set(data.objects(None, prop))
        if OWL.ObjectProperty in declared:
            wrong = [v for v in values if not isinstance(v, URIRef)]
        elif OWL.DatatypeProperty in declared:
            datatype = ontology.value(prop, RDFS.range)
            wrong = [v for v in values if not isinstance(v, Literal) or not literal_fits(v, datatype)]
        else:
            wrong = ["not declared as owl:ObjectProperty or owl:DatatypeProperty"]
        if wrong:
            problems.append(f"{prop}: {sorted(map(repr, wrong))[:3]}")
    assert not problems, "\n".join(problems)


@pytest.fixture(scope="module")
def vocabularies() -> Graph:
    """The reference graphs beside the plans: the PNRR scheme, the budget scheme, the units."""
    graph = Graph()
    for name in ("pnrr.ttl", "bilancio.ttl", "units.ttl"):
        graph.parse(ROOT / "ontology" / name, format="turtle")
    return graph


def test_domains_and_ranges_hold(ontology, data, vocabularies):
    """Each subject is typed with the domain, and each object with the range, of every piao: property it uses."""
    graphs = (data, ontology, vocabularies)
    problems = []
    for prop in sorted({p for p in data.predicates() if p.startswith(str(PIAO))}):
        domains = [class_set(ontology, d) for d in ontology.objects(prop, RDFS.domain)]
        ranges = [class_set(ontology, r) for r in ontology.objects(prop, RDFS.range)]
        object_property = (prop, RDF.type, OWL.ObjectProperty) in ontology
        for subject, obj in data.subject_objects(prop):
            subject_types = types_of(subject, graphs, ontology)
            for allowed in domains:
                if not allowed & subject_types:
                    problems.append(f"{prop} domain {sorted(allowed)}: {subject} is {sorted(subject_types)}")
            if object_property:
                object_types = types_of(obj, graphs, ontology)
                for allowed in ranges:
                    if not allowed & object_types:
                        problems.append(f"{prop} range {sorted(allowed)}: {obj} is {sorted(object_types)}")
    assert not problems, "\n".join(sorted(set(problems))[:20])


def test_declared_inverses_hold_in_the_example(example):
    assignment_links = set(example.subject_objects(PIAO.hasAssignment))
    assert assignment_links
    assert {(a, o) for o, a in assignment_links} == set(example.subject_objects(PIAO.objective))
    objective_links = set(example.subject_objects(PIAO.hasObjective))
    assert len(objective_links) == 37
    objectives_in_plan = {(o, p) for o, p in example.subject_objects(PIAO.inPlan)
                          if (o, RDF.type, PIAO.Objective) in example}
    assert {(o, p) for p, o in objective_links} == objectives_in_plan


def test_inplan_and_hasobjective_are_not_declared_full_inverses(ontology, example):
    """piao:inPlan also links incarichi, so a full owl:inverseOf would make every incarico an objective."""
    memberships = set(example.subjects(RDF.type, ORG.Membership))
    assert memberships and all(example.value(m, PIAO.inPlan) is not None for m in memberships)
    for a, b in ((PIAO.hasObjective, PIAO.inPlan), (PIAO.inPlan, PIAO.hasObjective)):
        assert (a, OWL.inverseOf, b) not in ontology
    assert ontology.value(PIAO.hasObjective, RDFS.subPropertyOf) is not None
    inverse = ontology.value(PIAO.hasObjective, RDFS.subPropertyOf)
    assert ontology.value(inverse, OWL.inverseOf) == PIAO.inPlan


def test_owl_rl_closure_keeps_the_kinds_of_resource_apart(ontology, data):
    """Reasoning with the ontology must not give one resource two of the model's kinds."""
    owlrl = pytest.importorskip("owlrl")
    closed = Graph()
    for triple in data:
        closed.add(triple)
    for triple in ontology:
        closed.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(closed)
    kinds = [PIAO.Plan, PIAO.SourceDocument, PIAO.SourceRow, PIAO.Objective, PIAO.Indicator,
             PIAO.IndicatorAssignment, ORG.Membership, ORG.OrganizationalUnit]
    clashes = sorted(f"{node}: {[k for k in kinds if (node, RDF.type, k) in closed]}"
                     for node in set(data.subjects())
                     if sum((node, RDF.type, k) in closed for k in kinds) > 1)
    assert not clashes, "\n".join(clashes[:10])
    assert (PIAO.Dirigente, RDF.type, ORG.Role) in closed


# -- 5. the PNRR scheme -----------------------------------------------------------


def load_pnrr_builder():
    path = ROOT / "tools" / "build_pnrr_scheme.py"
    spec = importlib.util.spec_from_file_location("build_pnrr_scheme", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_pnrr_scheme_is_what_the_tool_generates(pnrr_scheme):
    builder = load_pnrr_builder()
    assert Path(builder.SOURCE).is_file()
    generated = builder.build_scheme(builder.SOURCE)
    assert len(generated) == len(pnrr_scheme)
    assert isomorphic(generated, pnrr_scheme), "ontology/pnrr.ttl is stale: run python tools/build_pnrr_scheme.py"


def test_pnrr_scheme_has_the_six_missions_and_the_measures_the_example_links(pnrr_scheme, example):
    missions = {PNRR[f"M{n}"] for n in range(1, 7)}
    assert set(pnrr_scheme.objects(PNRR_SCHEME, SKOS.hasTopConcept)) == missions
    for mission in missions:
        assert (mission, SKOS.topConceptOf, PNRR_SCHEME) in pnrr_scheme
        assert languages(pnrr_scheme, mission, SKOS.prefLabel) == {"it"}
    for notation in ("M5C2-I2.1", "M5C2-I2.3"):
        measure = PNRR[notation]
        assert (measure, RDF.type, SKOS.Concept) in pnrr_scheme
        assert (measure, SKOS.inScheme, PNRR_SCHEME) in pnrr_scheme
        assert PNRR.M5 in set(pnrr_scheme.transitive_objects(measure, SKOS.broader))
    linked = set(example.objects(None, PIAO.pnrrMeasure))
    assert linked == {PNRR["M5C2-I2.1"], PNRR["M5C2-I2.3"]}
    assert all((measure, RDF.type, SKOS.Concept) in pnrr_scheme for measure in linked)


def test_budget_scheme_and_units_match_their_sources():
    spec = importlib.util.spec_from_file_location("build_vocabularies", ROOT / "tools" / "build_vocabularies.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    budget = Graph().parse(ROOT / "ontology" / "bilancio.ttl", format="turtle")
    assert isomorphic(tool.build_budget_scheme(tool.BUDGET_SOURCE), budget), \
        "ontology/bilancio.ttl is stale: run python tools/build_vocabularies.py"
    units = Graph().parse(ROOT / "ontology" / "units.ttl", format="turtle")
    assert isomorphic(tool.build_units(tool.UNITS_SOURCE), units), "ontology/units.ttl is stale: run python tools/build_vocabularies.py"
    missions = set(budget.subjects(SKOS.topConceptOf, None))
    programmes = {node for node in budget.subjects(SKOS.broader, None)}
    assert (len(missions), len(programmes)) == (23, 99)
    assert budget.value(URIRef("https://w3id.org/piao-lod/bilancio/programma/01.08"), SKOS.prefLabel) == \
        Literal("Statistica e sistemi informativi", lang="it")
