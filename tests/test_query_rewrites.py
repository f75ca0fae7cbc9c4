"""The saved queries rewritten to start from the ente they are given (so they do not scan every plan) give the rows
they gave before (``tests/data/queries/before-rewrite/``), on the example with two other plans and on a synthetic
corpus of several comuni and years: the listings over every plan, given an ente or a year, give the old rows of
that ente or year, and without them all the old rows; and parameters reach the sub-selects that name them."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from answers import BASE, PLANS, QUERY_DATA, oxigraph_rows
from piao_lod.graph_inputs import load_dataset
from piao_lod.query_parameters import bind_parameters
from piao_lod.saved_queries import parse_query, resolve_query, saved_query
from piao_lod.sparql_query import prepare

ROOT = Path(__file__).resolve().parents[1]
BEFORE = QUERY_DATA / "before-rewrite"


def generated_corpus(folder: Path) -> list[Path]:
    spec = importlib.util.spec_from_file_location("piao_lod_benchmark_generate", ROOT / "benchmarks" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    module.generate(folder, "small", 1)
    return sorted((folder / "plans").iterdir())


@pytest.fixture(scope="module")
def stores(tmp_path_factory) -> dict[str, ox.Store]:
    synthetic = generated_corpus(tmp_path_factory.mktemp("corpus") / "small")
    return {"example": load_dataset(PLANS, BASE).store, "synthetic": load_dataset(synthetic, BASE).store}


def rows(store: ox.Store, query, parameters: dict[str, str]) -> list:
    text, _ = prepare(query, parameters)
    return oxigraph_rows(store.query(text, use_default_graph_as_union=True))


def named_rows(store: ox.Store, query, parameters: dict[str, str]) -> list[dict]:
    text, _ = prepare(query, parameters)
    answer = store.query(text, use_default_graph_as_union=True)
    names = [variable.value for variable in answer.variables]
    return [dict(zip(names, row)) for row in oxigraph_rows(answer)]


def enti(store: ox.Store) -> list[str]:
    answer = store.query("SELECT DISTINCT ?code WHERE { ?plan <https://w3id.org/piao-lod/ontology#ente> ?ente . "
                         "?ente <http://purl.org/dc/terms/identifier> ?code } ORDER BY ?code",
                         use_default_graph_as_union=True)
    return [solution["code"].value for solution in answer]


@pytest.mark.parametrize("corpus", ["example", "synthetic"])
def test_indicator_targets_gives_the_rows_it_gave_before(stores, corpus):
    store = stores[corpus]
    before, after = resolve_query(str(BEFORE / "indicator-targets.rq")), saved_query("indicator-targets")
    checked = 0
    for ente in enti(store):
        codes = [solution["code"].value for solution in store.query(
            "SELECT DISTINCT ?code WHERE { ?i a <https://w3id.org/piao-lod/ontology#Indicator> ; "
            "<http://purl.org/dc/terms/identifier> ?code } ORDER BY ?code LIMIT 6", use_default_graph_as_union=True)]
        for indicator in codes:
            given = {"ente": ente, "indicator": indicator}
            expected = rows(store, before, given)
            assert rows(store, after, given) == expected
            checked += bool(expected)
    assert checked >= 2                     # real answers compared, not only empty ones


@pytest.mark.parametrize("corpus", ["example", "synthetic"])
def test_shared_pnrr_measures_gives_the_rows_it_gave_before(stores, corpus):
    store = stores[corpus]
    before, after = resolve_query(str(BEFORE / "shared-pnrr-measures.rq")), saved_query("shared-pnrr-measures")
    codes = enti(store)
    cases = [{}, {"ente1": codes[0]}, {"ente2": codes[-1]}, {"ente1": codes[0], "ente2": codes[-1]},
             {"ente1": codes[-1], "ente2": codes[0]}, {"ente1": "x_nessuno"}]
    answers = [rows(store, before, given) for given in cases]
    assert [rows(store, after, given) for given in cases] == answers
    assert answers[0] and answers[3]


LISTINGS = ["dirigenti-over-time", "objectives-by-programme", "objectives-by-settore", "objectives-dropped", "plan-counts",
            "pnrr-indicators", "source-table", "targets-by-unit", "weights-not-100"]


def plan_of_file(store: ox.Store) -> dict[str, tuple[str, str]]:
    """(ente, year) of the plan each source file was read into: source-table's rows name only the file."""
    answer = store.query(
        "PREFIX piao: <https://w3id.org/piao-lod/ontology#> PREFIX dcterms: <http://purl.org/dc/terms/> "
        "SELECT ?file ?ente ?year WHERE { GRAPH ?g { ?plan piao:ente/dcterms:identifier ?ente ; piao:year ?year . "
        "?document piao:fileName ?file } }")
    return {solution["file"].value: (solution["ente"].value, solution["year"].value) for solution in answer}


def ente_and_year(row: dict, files: dict[str, tuple[str, str]]) -> tuple[str, str]:
    if "file" in row:
        return files[row["file"]]
    return row["ente"], row.get("year", row.get("planYear"))


@pytest.mark.parametrize("corpus", ["example", "synthetic"])
@pytest.mark.parametrize("name", LISTINGS)
def test_a_listing_given_an_ente_or_a_year_gives_the_old_rows_of_that_ente_or_year(stores, corpus, name):
    store = stores[corpus]
    before, after = resolve_query(str(BEFORE / f"{name}.rq")), saved_query(name)
    declared = {parameter.name for parameter in after.parameters}
    assert "ente" in declared and (name == "objectives-dropped") != ("year" in declared)
    old = named_rows(store, before, {})
    assert named_rows(store, after, {}) == old              # the defaults give exactly the rows they gave
    files = plan_of_file(store)
    codes = enti(store)
    years = sorted({year for _, year in files.values()})
    cases = ([{"ente": code} for code in codes] + [{"year": year} for year in years]
             + [{"ente": codes[0], "year": years[-1]}, {"ente": "x_nessuno"}, {"year": "1990"}])
    cases = [given for given in cases if set(given) <= declared]
    for given in cases:
        ente, year = given.get("ente"), given.get("year")
        expected = [row for row in old
                    if ente in (None, ente_and_year(row, files)[0]) and year in (None, ente_and_year(row, files)[1])]
        assert sorted(named_rows(store, after, given), key=repr) == sorted(expected, key=repr), given
    assert old or corpus == "synthetic"     # the synthetic corpus has no budget programmes, units or bad weights


def test_parameters_are_bound_in_the_sub_selects_that_name_them():
    query = parse_query(
        "# parameters: code (default x): a code\n"
        "SELECT * WHERE {\n"
        "  { SELECT ?s WHERE { ?s <http://example.org/code> ?_code } }\n"
        "  { SELECT ?o WHERE { ?s <http://example.org/other> ?o } }\n"
        "}\n")
    bound = bind_parameters(query)
    assert bound.count('VALUES (?_code) { ("x") }') == 2
    assert 'WHERE { VALUES (?_code) { ("x") } ?s <http://example.org/code>' in bound
    assert '{ SELECT ?o WHERE { ?s <http://example.org/other> ?o } }' in bound
    assert bound.count("\n") == query.text.count("\n")
    one = parse_query("# parameters: code (default x): a code\n"
                      "SELECT ?s WHERE { { SELECT ?s WHERE { ?s <http://example.org/code> ?_code } } }\n")
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://example.org/a"), ox.NamedNode("http://example.org/code"), ox.Literal("x")))
    store.add(ox.Quad(ox.NamedNode("http://example.org/b"), ox.NamedNode("http://example.org/code"), ox.Literal("y")))
    assert [solution["s"].value for solution in store.query(bind_parameters(one))] == ["http://example.org/a"]
