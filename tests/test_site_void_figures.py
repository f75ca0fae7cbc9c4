"""VoID's figures counted from the build's N-Quads dump, a quad at a time, are those SPARQL gives on the dump loaded
into a store (what the build did before: a second copy of the corpus in memory)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from piao_lod.website import void_figures
from piao_lod.website.catalog import store_figures
from piao_lod.website.resource_files import write_dumps
from piao_lod.website.void_figures import dump_figures

URI_SPACE = "https://example.org/id/"

# Blank nodes in two graphs, a triple in two graphs, a subject whose IRI is a prefix of another's, rdf:type with a
# literal and a blank node as object, literals that differ only by language or datatype, a subject outside the URI space.
DATASET = """
@prefix ex: <https://example.org/id/> .
@prefix o: <https://example.org/ontology#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:plan {
  ex:a a o:Plan ; o:title "Piano"@it, "Plan"@en, "Piano" ; o:size 3, "3"^^xsd:decimal ; o:part <https://example.org/id/a/b> .
  <https://example.org/id/a/b> a o:Part, "not a class" ; o:title "Parte"@it ; o:shape [ o:kind "square" ; o:side [ o:length 2 ] ] .
  <https://example.org/id/a/bc> a o:Part ; o:of ex:a .
}
<https://example.org/id/plan/versione/1> {
  ex:a a o:Plan ; o:title "Piano"@it ; o:shape [ o:kind "square" ] .
  <https://other.example/x> a _:class ; o:about ex:a .
  _:class a o:Class .
}
"""


def dump_of(tmp_path: Path) -> tuple[Path, ox.Store]:
    store = ox.Store()
    store.load(DATASET.encode(), format=ox.RdfFormat.TRIG)
    downloads = write_dumps(store, {}, tmp_path / "dati", lambda iri: "x")
    dump = next(download for download in downloads if download.path.endswith(".nq"))
    return tmp_path / dump.path, store


def loaded(dump: Path) -> ox.Store:
    store = ox.Store()
    store.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
    return store


def test_figures_counted_from_the_dump_are_those_sparql_gives_on_it(tmp_path):
    dump, _ = dump_of(tmp_path)
    counted = dump_figures(dump, URI_SPACE, tmp_path)
    assert counted == store_figures(loaded(dump), URI_SPACE)
    assert counted.entities == 3 and counted.graph_triples["https://example.org/id/plan/versione/1"] > 0
    assert not list(tmp_path.glob(".void-*")), "the temporary files are removed"


def test_distinct_objects_are_counted_across_runs_on_disk(tmp_path, monkeypatch):
    """More objects than one run holds, and more runs than are merged at once."""
    monkeypatch.setattr(void_figures, "RUN_TERMS", 2)
    monkeypatch.setattr(void_figures, "RUNS_MERGED_AT_ONCE", 2)
    dump, _ = dump_of(tmp_path)
    assert dump_figures(dump, URI_SPACE, tmp_path) == store_figures(loaded(dump), URI_SPACE)


def test_an_empty_dump_has_no_figures(tmp_path):
    dump = tmp_path / "empty.nq"
    dump.write_bytes(b"")
    counted = dump_figures(dump, URI_SPACE, tmp_path)
    assert counted == store_figures(ox.Store(), URI_SPACE)
    assert counted.triples == counted.distinct_objects == 0
