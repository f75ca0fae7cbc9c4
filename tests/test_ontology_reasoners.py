"""The ontology, the PNRR scheme and converted plans under two OWL 2 DL reasoners, HermiT and Pellet.

The graphs checked: the ontology with the project's vocabularies (PNRR, budget missions and programmes,
units), and those with the Cremona example, the workbook fixture and a layout with yearly targets,
baselines, deadlines and the DUP cascade, each converted by ``piao-lod convert``. Each graph must be in the
OWL 2 DL profile (the OWL API's checker: declarations, no punning between property kinds, no
reserved vocabulary), and consistent in HermiT and in Pellet, Pellet ignoring nothing.

HermiT refuses literals of datatypes outside the OWL 2 datatype map. The plan graphs carry exactly
years (xsd:gYear) and dates (xsd:date) of them (docs/data-model.md, "Datatypes"): plan, target and
baseline years, deadlines and the start date of an incarico. On the plan graphs HermiT runs with its option that leaves those
assertions out, and a test pins that list; Pellet, which supports both datatypes, checks them.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal, Namespace, URIRef

import owl_reasoners
from conftest import DATA, EXAMPLE
from piao_lod.graph_inputs import REFERENCE_GRAPHS
from piao_lod.resources import ontology_file

pytestmark = pytest.mark.skipif(
    owl_reasoners.java() is None,
    reason="no Java runtime on PATH: tools/setup-test-tools.sh installs Debian's default-jre-headless",
)

PIAO = Namespace("https://w3id.org/piao-lod/ontology#")
TIME = Namespace("http://www.w3.org/2006/time#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")  # an open Namespace: rdflib's closed XSD warns under pytest
WORKBOOK = DATA / "formats" / "cremona-2024.xlsx"
LAYOUT = DATA / "layouts" / "dup-cascade.csv"

# The OWL 2 datatype map (OWL 2 Structural Specification, section 4): what every OWL 2 DL reasoner supports.
OWL2_DATATYPE_MAP = {
    RDF.PlainLiteral, RDF.XMLLiteral, RDFS.Literal, OWL.real, OWL.rational,
    *(XSD[name] for name in (
        "decimal", "integer", "nonNegativeInteger", "nonPositiveInteger", "positiveInteger", "negativeInteger",
        "long", "int", "short", "byte", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte",
        "double", "float", "string", "normalizedString", "token", "language", "Name", "NCName", "NMTOKEN",
        "boolean", "hexBinary", "base64Binary", "anyURI", "dateTime", "dateTimeStamp")),
}
# The literals of the plan graphs outside that map, each with the property that writes it.
OUTSIDE_THE_MAP = {(PIAO.year, XSD.gYear), (TIME.inXSDDate, XSD.date), (PIAO.targetYear, XSD.gYear),
                   (PIAO.baselineYear, XSD.gYear), (PIAO.targetDate, XSD.date)}


def vocabulary() -> Graph:
    graph = Graph()
    for name in REFERENCE_GRAPHS.values():
        with ontology_file(name).open("rb") as handle:
            graph.parse(handle, format="turtle")
    return graph


def converted(source: Path, folder: Path, *options: str) -> Graph:
    """One plan table converted by the CLI (exit 1 is fine: the plans carry data warnings)."""
    output = folder / f"{source.stem}.ttl"
    result = subprocess.run([sys.executable, "-m", "piao_lod", "convert", str(source), "-o", str(output), *options],
                            capture_output=True, text=True, check=False)
    assert result.returncode in (0, 1) and output.is_file(), result.stderr
    return Graph().parse(output, format="turtle")


def written(graph: Graph, path: Path) -> Path:
    """RDF/XML, the syntax every OWL API parser reads the same way."""
    graph.serialize(path, format="xml")
    return path


@pytest.fixture(scope="module")
def graphs(tmp_path_factory) -> dict[str, Graph]:
    folder = tmp_path_factory.mktemp("plans")
    return {"example": converted(EXAMPLE, folder), "workbook": converted(WORKBOOK, folder),
            "layout": converted(LAYOUT, folder, "--ente", "x_valleverde", "--year", "2025")}


@pytest.fixture(scope="module")
def reasoner_inputs(graphs, tmp_path_factory) -> dict[str, Path]:
    """The files the reasoners read: the ontology with the PNRR scheme, alone and with each plan."""
    folder = tmp_path_factory.mktemp("owl")
    inputs = {"ontology+pnrr": written(vocabulary(), folder / "ontology+pnrr.owl")}
    for name, plan in graphs.items():
        inputs[f"ontology+pnrr+{name}"] = written(vocabulary() + plan, folder / f"ontology+pnrr+{name}.owl")
    return inputs


CASES = ["ontology+pnrr", "ontology+pnrr+example", "ontology+pnrr+workbook", "ontology+pnrr+layout"]


@pytest.mark.parametrize("case", CASES)
def test_graph_is_in_the_owl2_dl_profile(reasoner_inputs, case):
    violations = owl_reasoners.owl2_dl_violations(reasoner_inputs[case])
    assert not violations, f"{len(violations)} OWL 2 DL violations:\n" + "\n".join(violations[:20])


def test_regression_hermit_refused_the_gyear_range(reasoner_inputs):
    """HermiT, with no option, loads the ontology and the PNRR scheme and finds them consistent."""
    verdict = owl_reasoners.hermit(reasoner_inputs["ontology+pnrr"])
    assert verdict.consistent, verdict.output


@pytest.mark.parametrize("case", CASES[1:])
def test_plan_graph_is_consistent_in_hermit(reasoner_inputs, case):
    verdict = owl_reasoners.hermit(reasoner_inputs[case], ignore_unsupported_datatypes=True)
    assert verdict.consistent, verdict.output


@pytest.mark.parametrize("case", CASES)
def test_regression_pellet_called_the_data_inconsistent_over_langstring_ranges(reasoner_inputs, case):
    """Pellet finds every graph consistent and ignores nothing (it once read piao:formulaText as an object property)."""
    verdict = owl_reasoners.pellet(reasoner_inputs[case])
    assert verdict.consistent, verdict.output
    assert not owl_reasoners.pellet_warnings(verdict), verdict.output


def literals_outside_the_owl2_datatype_map(graph: Graph) -> set[tuple[URIRef, URIRef]]:
    return {(predicate, obj.datatype) for predicate, obj in graph.predicate_objects()
            if isinstance(obj, Literal) and obj.datatype is not None and obj.datatype not in OWL2_DATATYPE_MAP}


def test_only_years_and_dates_are_outside_the_owl2_datatype_map(graphs):
    """What HermiT leaves out of the plan graphs is exactly the documented list, and nothing of the vocabulary."""
    assert not literals_outside_the_owl2_datatype_map(vocabulary())
    found = set().union(*(literals_outside_the_owl2_datatype_map(plan) for plan in graphs.values()))
    assert found == OUTSIDE_THE_MAP


def test_reasoners_report_a_plan_graph_that_breaks_the_ontology(tmp_path):
    """The verdicts are read right: a source row with two line numbers (piao:lineNumber is functional)."""
    row = URIRef("https://w3id.org/piao-lod/id/c_d150/piano/2024/fonte/riga/1")
    graph = vocabulary()
    graph.add((row, RDF.type, PIAO.SourceRow))
    graph.add((row, PIAO.lineNumber, Literal(1)))
    graph.add((row, PIAO.lineNumber, Literal(2)))
    path = written(graph, tmp_path / "two-line-numbers.owl")
    assert not owl_reasoners.hermit(path).consistent
    verdict = owl_reasoners.pellet(path)
    assert not verdict.consistent
    assert "lineNumber" in verdict.output
