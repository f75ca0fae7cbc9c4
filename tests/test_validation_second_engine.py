"""The shapes are standard SHACL: an independent engine agrees on the core shapes.

rdf-validate-shacl (JavaScript, from npm, installed by run-tests.sh into
tests/shacl-js) validates the same data against the shapes with their
SHACL-SPARQL constraints removed (it implements SHACL Core only); it must report
the same (focus node, shape, constraint component) triples as piao-lod's engine
does for those shapes.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from rdflib import SH, Graph

from conftest import DATA, EXAMPLE, SPARQL_PREFIXES
from piao_lod import plan_to_graph, read_plan_table
from piao_lod.graph_inputs import REFERENCE_GRAPHS, reference_graph_bytes
from piao_lod.validation import Engine, shapes_graph, validate_graph

JS_CHECK = Path(__file__).resolve().parent / "shacl-js"
PREFIXES = SPARQL_PREFIXES
# several core-SHACL violations at once, on the clean fixture
BREAKAGES = """
DELETE { ?a piao:weight 60 } INSERT { ?a piao:weight 160 } WHERE { ?a piao:weight 60 } ;
DELETE { ?e cov:IPAcode ?c } INSERT { ?e cov:IPAcode "C D150" } WHERE { ?e cov:IPAcode ?c } ;
DELETE WHERE { ?p foaf:name "BIANCHI ANNA" } ;
DELETE { ?r piao:lineNumber 2 } INSERT { ?r piao:lineNumber 0 } WHERE { ?r piao:lineNumber 2 } ;
DELETE { ?o piao:pnrrMeasure ?m } INSERT { ?o piao:pnrrMeasure <https://w3id.org/piao-lod/pnrr/M9> } WHERE { ?o piao:pnrrMeasure ?m } ;
INSERT { ?s skos:prefLabel "Settore B"@it } WHERE { ?s skos:prefLabel "Settore Beta"@it } ;
DELETE { ?i dcterms:title ?t } INSERT { ?i dcterms:title "Monthly reports"@en } WHERE { ?i dcterms:identifier "104" ; dcterms:title ?t }
"""


@pytest.fixture(scope="module")
def node_engine() -> Path:
    if shutil.which("node") is None or not (JS_CHECK / "node_modules" / "rdf-validate-shacl").exists():
        pytest.fail("node and tests/shacl-js/node_modules are installed by run-tests.sh; run it first")
    return JS_CHECK / "validate.js"


def core_shapes(tmp_path: Path) -> Path:
    shapes = Graph()
    shapes += shapes_graph()
    for triple in list(shapes.triples((None, SH.sparql, None))):
        shapes.remove(triple)
    path = tmp_path / "core-shapes.ttl"
    shapes.serialize(path, format="turtle")
    return path


def javascript_results(node_engine: Path, shapes: Path, graph: Graph, tmp_path: Path) -> set:
    data = Graph()
    data += graph
    for file_name in REFERENCE_GRAPHS.values():
        data.parse(data=reference_graph_bytes(file_name), format="turtle")
    data_path = tmp_path / "data.nt"
    data.serialize(data_path, format="nt", encoding="utf-8")
    run = subprocess.run(["node", str(node_engine), str(shapes), str(data_path)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    return {(row["focus"], row["shape"], row["component"]) for row in map(json.loads, run.stdout.splitlines())}


def our_core_results(graph: Graph) -> set:
    report = validate_graph(graph, Engine.oxigraph)
    return {(str(finding.focus), str(finding.shape), str(finding.component))
            for finding, _ in report.findings if finding.constraint is None}


@pytest.mark.parametrize("case", ["cremona-example", "broken-clean-fixture"])
def test_independent_engine_agrees_on_core_shapes(case, node_engine, tmp_path):
    if case == "cremona-example":
        graph = plan_to_graph(read_plan_table(EXAMPLE))
    else:
        graph = plan_to_graph(read_plan_table(DATA / "validation" / "clean-plan.csv"))
        graph.update(PREFIXES + BREAKAGES)
    ours = our_core_results(graph)
    theirs = javascript_results(node_engine, core_shapes(tmp_path), graph, tmp_path)
    assert ours == theirs
    if case == "broken-clean-fixture":
        assert len(ours) >= 7
