"""`piao-lod build` renders ente by ente, each ente's pages from an index of its own graphs and the vocabularies: the
site is the one an index of the whole corpus gives, and a corpus whose enti link to each other is rendered whole."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
from bs4 import BeautifulSoup

from example_sites import CONTACT
from piao_lod.graph_inputs import load_dataset
from piao_lod.plan_versions import LatestVersionsFilter, versions_by_plan
from piao_lod.website.corpus_parts import corpus_parts

DATA = Path(__file__).parent / "data"
EXAMPLE = Path(__file__).parents[1] / "examples" / "cremona-piao-2024-2026-obiettivi.txt"
OTHER = DATA / "queries" / "synthetic-x_999999-2024.csv"
BASE = "https://w3id.org/piao-lod/id/"
TITLE = "http://purl.org/dc/terms/title"
CREMONA_OBJECTIVE = BASE + "c_d150/piano/2024/obiettivo/1.3.2_0003"
# The build as it was before it rendered ente by ente: every page from one index of the whole corpus.
WHOLE_INDEX = ("import dataclasses, sys; import piao_lod.website.build as build; parts = build.corpus_parts; "
               "build.corpus_parts = lambda *a: dataclasses.replace(parts(*a), separable=False); "
               "from piao_lod.cli import app; sys.argv[0] = 'piao-lod'; app()")


def build(out: Path, *inputs: Path, whole: bool = False) -> subprocess.CompletedProcess:
    start = ["-c", WHOLE_INDEX] if whole else ["-m", "piao_lod"]
    return subprocess.run([sys.executable, *start, "build", *map(str, inputs), "-o", str(out), "--no-search",
                           "--workers", "2", "--contact-email", CONTACT], capture_output=True, text=True, check=False)


def tree_digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and p.name != ".piao-lod-site"}


def test_a_build_of_two_enti_rendered_ente_by_ente_equals_one_from_the_whole_index(tmp_path):
    loaded = load_dataset([EXAMPLE, OTHER], BASE)
    versions = versions_by_plan(loaded.store)
    assert corpus_parts(loaded.store, LatestVersionsFilter(versions), len(versions)).separable
    by_ente, whole = tmp_path / "by-ente", tmp_path / "whole"
    first = build(by_ente, EXAMPLE, OTHER)
    assert first.returncode == 1 and "Traceback" not in first.stderr, first.stderr[-3000:]
    second = build(whole, EXAMPLE, OTHER, whole=True)
    assert second.returncode == 1 and "Traceback" not in second.stderr, second.stderr[-3000:]
    files = tree_digest(by_ente)
    assert len(files) > 1000 and any(name.startswith("id/x_999999/") for name in files)
    assert files == tree_digest(whole)


def test_an_ente_linking_to_another_entes_objective_shows_it_by_its_title(tmp_path):
    other = tmp_path / "x_999999.nq"
    converted = subprocess.run([sys.executable, "-m", "piao_lod", "convert", str(OTHER), "-o", str(other)],
                               capture_output=True, text=True, check=False)
    assert converted.returncode in (0, 1), converted.stderr
    linking = BASE + "x_999999/piano/2024/obiettivo/1.1_0001"
    graph = next(line.rsplit(" ", 2)[-2] for line in other.read_text(encoding="utf-8").splitlines()
                 if line.startswith(f"<{linking}> "))      # the plan's version graph
    with other.open("a", encoding="utf-8") as quads:
        quads.write(f"<{linking}> <http://www.w3.org/2000/01/rdf-schema#seeAlso> <{CREMONA_OBJECTIVE}> {graph} .\n")
    out = tmp_path / "site"
    built = build(out, EXAMPLE, other)
    assert built.returncode == 1 and "Traceback" not in built.stderr, built.stderr[-3000:]
    page = BeautifulSoup((out / "id/x_999999/piano/2024/obiettivo/1.1_0001/index.html").read_text(encoding="utf-8"),
                         "html.parser")
    links = [a for a in page.find_all("a") if a.get("href", "").endswith("c_d150/piano/2024/obiettivo/1.3.2_0003/")]
    store = load_dataset([EXAMPLE], BASE).store
    title = next(store.quads_for_pattern(ox.NamedNode(CREMONA_OBJECTIVE), ox.NamedNode(TITLE), None, None)).object.value
    assert title in [a.get_text(strip=True) for a in links]    # an index of x_999999's graphs alone shows the IRI
