"""One RDF format registry: every format ``convert`` writes is read back by every command that takes RDF."""

from __future__ import annotations

import json

import pytest
from rdflib import SH, Dataset, Graph, Literal
from rdflib.compare import isomorphic

from piao_lod.rdf_formats import FORMATS, format_of_media_type, format_of_path, output_format
from piao_lod.errors import UsageError

from conftest import EXAMPLE

NAMES = [fmt.name for fmt in FORMATS]


@pytest.fixture(scope="module")
def turtle_graph(tmp_path_factory):
    from typer.testing import CliRunner

    from piao_lod.cli import app

    out = tmp_path_factory.mktemp("reference") / "plan.ttl"
    CliRunner().invoke(app, ["convert", str(EXAMPLE), "-o", str(out)], catch_exceptions=False)
    return Graph().parse(out)


@pytest.mark.parametrize("name", NAMES)
def test_every_written_format_is_read_by_every_rdf_command(name, run_cli, tmp_path, turtle_graph):
    fmt = next(f for f in FORMATS if f.name == name)
    for suffix in fmt.suffixes:
        out = tmp_path / f"plan{suffix}"
        converted = run_cli("convert", EXAMPLE, "-o", out)
        assert converted.exit_code == 1, converted.output          # the example's data problems
        assert output_format(None, str(out)) is fmt

    out = tmp_path / f"plan{fmt.suffix}"
    parsed = Dataset() if fmt.named_graphs else Graph()
    parsed.parse(out, format={"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "rdf": "xml", "trig": "trig",
                              "nq": "nquads"}[name])
    triples = Graph()
    for triple in parsed.triples((None, None, None)) if not fmt.named_graphs else parsed.quads((None, None, None, None)):
        triples.add(triple[:3])
    assert isomorphic(triples, turtle_graph), f"{name}: not the same graph as Turtle"

    validated = run_cli("validate", out, "--format", "json")
    report = json.loads(validated.stdout)
    assert validated.exit_code == 1 and report["conforms"] is False
    assert [result["rule"] for result in report["results"] if result["severity"] == "violation"] == ["BooleanTarget01"]

    store = tmp_path / "store"
    loaded = run_cli("load", out, "--store", store)
    assert loaded.exit_code == 0, loaded.output
    counted = run_cli("query", "plan-counts", "--store", store, "--format", "json")
    rows = json.loads(counted.stdout)["results"]["bindings"]
    assert [row["objectives"]["value"] for row in rows] == ["37"]

    in_memory = run_cli("query", "plan-counts", "--data", out, "--format", "csv")
    cells = in_memory.stdout.splitlines()[1].split(",")
    assert in_memory.exit_code == 0 and cells[:2] + cells[3:] == ["c_d150", "2024", "37", "67", "28", "14"]
    assert cells[2].startswith("aggiornamento-")           # the example's version: an update that states no date

    site = tmp_path / "site"
    built = run_cli("build", out, "-o", site, "--no-search", "--contact-email", "dati@example.org")
    assert built.exit_code == 1, built.output
    assert (site / "id" / "c_d150" / "piano" / "2024" / "obiettivo" / "1.3.2_0003" / "index.html").is_file()


def test_every_report_format_states_the_same_verdict(run_cli, tmp_path):
    """A table with a reading error (a ragged row) and no SHACL violation: every format says it does not conform."""
    table = tmp_path / "plan.csv"
    table.write_text("Codice Obiettivo;Titolo Obiettivo;Settore;Codice Ind;Titolo Indicatore;Formula;Finalità;Target;Peso\n"
                     "1.1_0001;Obiettivo;Settore A;101;Indicatore;numero;scopo;10;100;troppo\n", encoding="utf-8")
    verdicts = {}
    for report_format in ("text", "json", "ttl"):
        result = run_cli("validate", table, "--ente", "c_d150", "--year", "2024", "--format", report_format)
        assert result.exit_code == 1, result.output
        verdicts[report_format] = result.stdout
    assert json.loads(verdicts["json"])["conforms"] is False
    assert "non conforme" in verdicts["text"]
    report = Graph().parse(data=verdicts["ttl"], format="turtle")
    assert set(report.objects(None, SH.conforms)) == {Literal(False)}
    assert "ragged-row" in verdicts["ttl"]


def test_lookups_by_suffix_and_media_type():
    assert format_of_path("x.JSON").name == "jsonld"
    assert format_of_path("x.owl").name == "rdf"
    assert format_of_path("x.csv") is None
    assert format_of_media_type("application/n-quads; charset=utf-8").name == "nq"
    assert format_of_media_type("text/html") is None
    assert output_format(None, "-").name == "ttl"
    with pytest.raises(UsageError, match="non è un suffisso RDF"):
        output_format(None, "plan.txt")
