"""The whole site's dumps are written from quads sorted a run at a time on disk and merged
(``resource_files.SortedQuads``), never all in memory: the files are those of sorting every quad at once."""

from __future__ import annotations

import gzip
from pathlib import Path

import pyoxigraph as ox
import pytest

from answers import BASE, PLANS
from piao_lod.graph_inputs import load_dataset
from piao_lod.plan_versions import versions_by_plan
from piao_lod.website import resource_files
from piao_lod.website.resource_files import plan_quads, rdf_prefixes, write_dumps

SITE_DUMPS = ("piao-lod.trig", "piao-lod.nq", "piao-lod.ttl", "piao-lod.jsonld", "piao-lod.nt.gz")


@pytest.fixture(scope="module")
def store() -> ox.Store:
    return load_dataset(PLANS, BASE).store


def dumps(store: ox.Store, folder: Path) -> tuple[dict[str, bytes], list]:
    downloads = write_dumps(store, versions_by_plan(store), folder / "dati", lambda iri: iri.rsplit("/", 2)[-2])
    return {path.name: path.read_bytes() for path in sorted((folder / "dati").iterdir())}, downloads


def test_dumps_from_many_runs_merged_are_those_from_one_run(tmp_path, store, monkeypatch):
    one_run = dumps(store, tmp_path / "one")
    monkeypatch.setattr(resource_files, "RUN_QUADS", 700)
    monkeypatch.setattr(resource_files, "RUNS_MERGED_AT_ONCE", 3)       # merged in several rounds
    assert dumps(store, tmp_path / "many") == one_run
    assert sorted(path.name for path in tmp_path.iterdir()) == ["many", "one"]     # no run file left behind
    assert len(store) > 10 * 700


def test_the_site_dumps_are_every_quad_sorted_and_their_union(tmp_path, store):
    files, downloads = dumps(store, tmp_path)
    everything = sorted((quad for graph in store.named_graphs() for quad in plan_quads(store, graph)), key=str)
    union = sorted({quad.triple for quad in everything}, key=str)
    assert files["piao-lod.nq"] == ox.serialize(everything, format=ox.RdfFormat.N_QUADS)
    assert files["piao-lod.trig"] == ox.serialize(everything, format=ox.RdfFormat.TRIG,
                                                  prefixes=rdf_prefixes(ox.RdfFormat.TRIG))
    assert files["piao-lod.ttl"] == ox.serialize(union, format=ox.RdfFormat.TURTLE,
                                                 prefixes=rdf_prefixes(ox.RdfFormat.TURTLE))
    assert files["piao-lod.nt.gz"] == gzip.compress(ox.serialize(union, format=ox.RdfFormat.N_TRIPLES), mtime=0)
    described = {download.path.rsplit("/", 1)[1]: download for download in downloads}
    for name in SITE_DUMPS:
        assert described[name].size == len(files[name]) > 0
    assert len(union) < len(everything)          # what several graphs say is written once in the union
