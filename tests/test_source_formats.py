"""The same Cremona table as text, CSV and XLSX gives the same graph, provenance aside.

The fixtures in tests/data/formats/ were written from the example text without
piao_lod (see tests/data/README.md): other column orders, English headers,
filled-in or empty continuation rows, the PDF's shifted rows put back, numbers
as spreadsheet numbers.
"""

from __future__ import annotations

import codecs
from decimal import Decimal

import openpyxl
import pytest
from rdflib import DCTERMS, FOAF, ORG, PROV, RDF, Graph, Literal
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from typer.testing import CliRunner

from conftest import DATA, EXAMPLE
from piao_lod.cli import app
from piao_lod.namespaces import PIAO

FORMATS = DATA / "formats"
ENTE_YEAR = ("--ente", "c_d150", "--year", "2024")


def without_provenance(graph: Graph) -> Graph:
    """The plan itself: no source rows or document, no version (an undated document's version is named by
    its digest), no derivation links, no text as written.

    XLSX numbers have no "as written" text, so those triples differ by design.
    """
    provenance = (set(graph.subjects(RDF.type, PIAO.SourceRow)) | set(graph.subjects(RDF.type, PIAO.SourceDocument))
                  | set(graph.subjects(RDF.type, PIAO.PlanVersion)))
    kept = Graph()
    for s, p, o in graph:
        if s in provenance or o in provenance or p == PROV.wasDerivedFrom or str(p).endswith("AsWritten"):
            continue
        kept.add((s, p, o))
    return kept


def convert(run_cli, source, out, *options) -> tuple[int, str, Graph]:
    result = run_cli("convert", source, "-o", out, "--lang", "en", *options)
    assert "Traceback" not in result.output
    graph = Graph().parse(out) if out.exists() else Graph()
    return result.exit_code, result.stderr, graph


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Graph:
    """The text example's graph, converted once for the module (same call as ``run_cli``)."""
    out = tmp_path_factory.mktemp("reference") / "text.ttl"
    result = CliRunner().invoke(app, ["convert", str(EXAMPLE), "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 1, result.stderr
    return without_provenance(Graph().parse(out))


def assert_same_plan(expected: Graph, actual: Graph) -> None:
    if isomorphic(expected, actual):
        return
    _, only_expected, only_actual = graph_diff(to_isomorphic(expected), to_isomorphic(actual))
    lines = ["graphs differ;", "only in the text example's graph:"]
    lines += [f"  {triple}" for triple in sorted(only_expected)[:20]]
    lines += ["only in this source's graph:"]
    lines += [f"  {triple}" for triple in sorted(only_actual)[:20]]
    pytest.fail("\n".join(lines))


@pytest.mark.parametrize("name, options", [
    ("cremona-2024.csv", ENTE_YEAR),
    ("cremona-2024-comma.csv", ENTE_YEAR),
    ("cremona-2024.xlsx", ()),
])
def test_fixture_gives_the_text_examples_graph(run_cli, tmp_path, reference, name, options):
    exit_code, stderr, graph = convert(run_cli, FORMATS / name, tmp_path / "x.ttl", *options)
    assert exit_code == 1, stderr
    assert "[realigned-row]" not in stderr
    assert "[duplicate-objective-code]" not in stderr
    assert "37 objectives, 67 indicator rows" in stderr
    assert_same_plan(reference, without_provenance(graph))


def test_filled_in_csv_keeps_numbers_as_written_and_every_record(run_cli, tmp_path):
    _, stderr, graph = convert(run_cli, FORMATS / "cremona-2024.csv", tmp_path / "x.ttl", *ENTE_YEAR)
    written = {node for node in graph.subjects(PIAO.targetAsWritten, Literal("3.800"))
               if (node, RDF.type, PIAO.IndicatorAssignment) in graph}
    assert len(written) == 1, stderr
    assert graph.value(written.pop(), PIAO.targetValue) == Literal(3800)

    def count(rdf_type):
        return len(set(graph.subjects(RDF.type, rdf_type)))

    assert (count(PIAO.Objective), count(PIAO.IndicatorAssignment), count(PIAO.Indicator)) == (37, 67, 28)
    assert (count(ORG.OrganizationalUnit), count(FOAF.Person)) == (14, 14)


@pytest.mark.parametrize("variant", ["cr-line-ends", "utf-16"])
def test_csv_variants_of_the_comma_fixture(run_cli, tmp_path, reference, variant):
    text = (FORMATS / "cremona-2024-comma.csv").read_text(encoding="utf-8")
    source = tmp_path / f"{variant}.csv"
    if variant == "cr-line-ends":
        source.write_bytes(text.replace("\n", "\r").encode("utf-8"))
    else:
        source.write_bytes(text.encode("utf-16"))
        assert source.read_bytes()[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    exit_code, stderr, graph = convert(run_cli, source, tmp_path / "x.ttl", *ENTE_YEAR)
    assert exit_code == 1, stderr
    assert "[encoding]" not in stderr
    assert f"{source}:46 [Objective title, column 4]: warning:" in stderr
    assert_same_plan(reference, without_provenance(graph))


def test_comma_is_detected_when_cells_hold_semicolons(run_cli, tmp_path):
    """More semicolons than commas, but only a comma split gives a plan header."""
    source = tmp_path / "semicolons.csv"
    purpose = "; ".join(["Più accessi", "meno code", "orari", "sedi", "servizi", "eventi", "mostre", "corsi",
                         "laboratori", "letture", "concerti", "incontri", "archivi", "podcast", "visite guidate"])
    text = (
        "Objective code,Objective title,Indicator code,Indicator title,Calculation method,Purpose,Target,Weight,"
        "Manager,Department\n"
        f'1.1_0001,"Rete; scuole; musei; teatri",7,Accessi; visite; prestiti,A / B; x 100,{purpose},"3,5",100,'
        "ROSSI MARIO,Cultura\n"
    )
    assert text.count(";") > text.count(",")
    source.write_text(text, encoding="utf-8")
    exit_code, stderr, graph = convert(run_cli, source, tmp_path / "x.ttl", *ENTE_YEAR)
    assert exit_code == 0, stderr
    objective = next(graph.objects(None, PIAO.hasObjective))
    assert str(graph.value(objective, DCTERMS.title)) == "Rete; scuole; musei; teatri"
    assignment = graph.value(objective, PIAO.hasAssignment)
    assert graph.value(assignment, PIAO.targetValue).toPython() == Decimal("3.5")
    assert graph.value(assignment, PIAO.indicatorTitleAsWritten) == Literal("Accessi; visite; prestiti")


def test_xlsx_numeric_cells_are_read_as_numbers(run_cli, tmp_path):
    """openpyxl gives 0.00001 as the float 1e-05: the target must not become "not a number"."""
    workbook = openpyxl.Workbook()
    workbook.active.append(["Ente", "Anno", "Dirigente", "Settore", "Codice Obiettivo", "Titolo Obiettivo", "Codice Ind",
                            "Titolo Indicatore", "Formula Indicatore", "Finalità Indicatore", "Target Atteso", "Peso"])
    for code, target, weight in (("1", 0.00001, 12.5), ("2", 1234.5, 87.5), ("3", 1.5e-7, 0)):
        workbook.active.append(["c_d150", 2024, "ROSSI MARIO", "Settore Sport", "1_1", "Uno", code,
                                "Misura", "Valore misurato", "Misurare", target, weight])
    workbook.save(tmp_path / "numbers.xlsx")
    exit_code, stderr, graph = convert(run_cli, tmp_path / "numbers.xlsx", tmp_path / "x.ttl")
    assert exit_code == 0, stderr
    targets = {literal.toPython() for literal in graph.objects(None, PIAO.targetValue)}
    weights = {literal.toPython() for literal in graph.objects(None, PIAO.weight)}
    assert targets == {Decimal("0.00001"), Decimal("1234.5"), Decimal("0.00000015")}
    assert weights == {Decimal("12.5"), Decimal("87.5"), 0}


def test_xlsx_without_suffix_is_recognised_by_its_bytes(run_cli, tmp_path, reference):
    source = tmp_path / "cremona-2024"
    source.write_bytes((FORMATS / "cremona-2024.xlsx").read_bytes())
    exit_code, stderr, graph = convert(run_cli, source, tmp_path / "x.ttl")
    assert exit_code == 1, stderr
    assert_same_plan(reference, without_provenance(graph))
