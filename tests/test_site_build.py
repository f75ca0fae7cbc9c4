"""`piao-lod build`: the static site of the bundled example, through the CLI, checked file by file."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pyoxigraph as ox
import pytest
from bs4 import BeautifulSoup

from example_sites import CONTACT, WITH_SEARCH, shared_example_site
from piao_lod.website.addresses import url_path

DATA = Path(__file__).parent / "data"
EXAMPLE = Path(__file__).parents[1] / "examples" / "cremona-piao-2024-2026-obiettivi.txt"
BASE = "https://w3id.org/piao-lod/id/"
OBJECTIVE = "id/c_d150/piano/2024/obiettivo/1.3.2_0003/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
PRIMARY_TOPIC = "http://xmlns.com/foaf/0.1/primaryTopic"
LICENSE = "http://purl.org/dc/terms/license"
PAGE_TYPES = {"ontology", "sparql", "home", "plan", "objective", "indicator", "settore", "dirigente", "ente", "pnrr", "pnrr-scheme",
              "assignment", "annual-target", "source-row", "source", "formula", "purpose", "incarico", "validation", "queries",
              "query", "data", "budget", "budget-scheme", "accessibility", "legal-notes"}


def build(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "piao_lod", "build", *arguments, "--contact-email", CONTACT],
                          capture_output=True, text=True, check=False)


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def tree_digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The example's site with search, shared with the browser tests; tests that change a site build their own."""
    return shared_example_site(tmp_path_factory, "example-site-with-search", WITH_SEARCH)


@pytest.fixture(scope="module")
def pages(site) -> dict[Path, BeautifulSoup]:
    return {path: soup(path) for path in site.rglob("*.html") if "pagefind" not in path.parts}


def page_type(page: BeautifulSoup) -> str | None:
    meta = page.find("meta", attrs={"name": "piao:page-type"})
    return meta["content"] if meta else None


def test_every_page_type_is_built(pages):
    assert PAGE_TYPES <= {page_type(page) for page in pages.values()}


def test_objective_page_shows_indicators_targets_weights_and_its_source_line(site):
    page = soup(site / OBJECTIVE / "index.html")
    assert "Realizzazione di 2 piste ciclabili" in page.h1.get_text()
    rows = [[cell.get_text(" ", strip=True) for cell in row.find_all("td")] for row in page.select("main table")[0].tbody.find_all("tr")]
    by_code = {row[0].split(" ")[0]: row for row in rows}
    assert set(by_code) == {"774", "844"}
    assert by_code["844"][3].startswith("3.800") and by_code["844"][4] == "50"
    assert page.find("a", string="riga 23") is not None
    weights = page.select_one("figure.weights")
    assert weights.figcaption.get_text(" ", strip=True).startswith("Pesi degli indicatori")
    bars = {item.select_one(".weight-label").get_text(): item.select_one(".weight-bar")["width"] for item in weights.select("li")}
    assert bars["774 – Stato avanzamento lavori"] == "50"      # on a 0–100 scale, not scaled to the largest
    measure = page.find("a", href=lambda href: href and "pnrr/M5C2-I2.1/" in href)
    assert measure is not None


def test_indicator_page_lists_its_objectives_with_targets(site):
    page = soup(site / "id/c_d150/indicatore/844/index.html")
    rows = page.select("main table")[0].tbody.find_all("tr")
    assert [row.find_all("td")[0].get_text() for row in rows] == ["2024"]
    headers = [cell.get_text() for cell in page.select("main table")[0].thead.find_all("th")]
    assert rows[0].find_all("td")[headers.index("Target 2024")].get_text() == "3.800"


def test_validation_page_names_the_genuine_problem_with_its_line(site):
    text = soup(site / "validazione/index.html").get_text(" ", strip=True)
    assert "978_0005" in text and "95" in text


def test_every_page_has_alternates_and_schema_org(site, pages):
    for path, page in pages.items():
        if page_type(page) in {"home", "validation", "queries", "query", "data", "not-found", "sparql", "accessibility",
                               "legal-notes", None}:
            continue
        alternates = {link["type"]: link["href"] for link in page.find_all("link", rel="alternate", type=True)}
        assert set(alternates) == {"text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml"}, path
        for href in alternates.values():
            assert (path.parent / href).is_file(), (path, href)
        embedded = json.loads(page.find("script", type="application/ld+json").string)
        assert embedded["@context"] == "https://schema.org" and embedded["@id"].startswith("https://w3id.org/piao-lod/")


def test_resource_turtle_matches_the_store(site):
    """Every page's Turtle parses and holds exactly the triples about that resource in the published dump."""
    store = ox.Store()
    store.load(path=str(site / "dati" / "piao-lod.nq"), format=ox.RdfFormat.N_QUADS)
    checked = 0
    for ttl in site.glob("id/**/index.ttl"):
        document = ox.NamedNode("https://w3id.org/piao-lod/" + url_path(str(ttl.parent.relative_to(site))) + "/")
        triples = {ox.Triple(t.subject, t.predicate, t.object) for t in ox.parse(path=str(ttl), format=ox.RdfFormat.TURTLE)}
        about = {triple for triple in triples if triple.subject == document}
        topic = next(triple.object for triple in about if triple.predicate.value.endswith("primaryTopic"))
        assert {triple.predicate.value for triple in about} == {RDF_TYPE, PRIMARY_TOPIC, LICENSE}, ttl
        expected = {quad.triple for quad in store.quads_for_pattern(topic, None, None, None)}
        assert triples - about == expected, ttl
        checked += 1
    assert checked > 300


def internal_targets(path: Path, page: BeautifulSoup, root: Path):
    for element in page.find_all(["a", "link", "script", "img"]):
        reference = element.get("href") or element.get("src")
        if not reference or reference.startswith(("#", "mailto:")) or urlsplit(reference).scheme:
            continue
        target = (path.parent / unquote(urlsplit(reference).path)).resolve()
        yield reference, target


def broken_links(site: Path, pages: dict[Path, BeautifulSoup]) -> list[str]:
    broken = []
    for path, page in pages.items():
        if path.name == "404.html":
            continue
        for reference, target in internal_targets(path, page, site):
            if not (target.is_file() or (target / "index.html").is_file()):
                broken.append(f"{path.relative_to(site)} -> {reference}")
    return broken


def test_no_broken_internal_link(site, pages):
    assert not broken_links(site, pages)[:20]


def test_builds_from_the_rdf_convert_wrote(site, tmp_path):
    trig = tmp_path / "cremona.trig"
    converted = subprocess.run([sys.executable, "-m", "piao_lod", "convert", str(EXAMPLE), "-o", str(trig)],
                               capture_output=True, text=True, check=False)
    assert converted.returncode == 1, converted.stderr
    out = tmp_path / "_site"
    assert build(str(trig), "-o", str(out), "--no-search").returncode == 1
    assert (out / OBJECTIVE / "index.ttl").read_bytes() == (site / OBJECTIVE / "index.ttl").read_bytes()
    assert not list((out / "dati" / "fonti").iterdir())      # an RDF input does not carry its source document
    rdf_pages = {path: soup(path) for path in out.rglob("*.html")}
    assert not broken_links(out, rdf_pages)[:20]


def test_no_page_requests_another_host(pages):
    for path, page in pages.items():
        for element in page.find_all(["link", "script", "img"]):
            reference = element.get("href") if element.name == "link" and "stylesheet" in element.get("rel", []) else element.get("src")
            assert not reference or not urlsplit(reference).scheme, (path, reference)


def test_dumps_catalog_and_hosting_files_are_written(site):
    for name in ("dati/piao-lod.trig", "dati/piao-lod.ttl", "dati/piao-lod.jsonld", "dati/piao-lod.nt.gz",
                 "catalog.ttl", "catalog.rdf", "void.ttl", "sitemap.xml", "robots.txt", ".htaccess", "_redirects",
                 "_headers", "dati/fonti/cremona-piao-2024-2026-obiettivi.txt", "ontology/index.html",
                 "pagefind/pagefind-ui.js"):
        assert (site / name).is_file(), name
    dump = ox.Store()
    dump.load(path=str(site / "dati" / "piao-lod.trig"), format=ox.RdfFormat.TRIG)
    assert sorted(g.value for g in dump.named_graphs()) == [
        "https://w3id.org/piao-lod/bilancio/scheme", BASE + "c_d150/piano/2024",
        BASE + "c_d150/piano/2024/versione/aggiornamento-e97ce4cb", "https://w3id.org/piao-lod/ontology",
        "https://w3id.org/piao-lod/pnrr/scheme", "https://w3id.org/piao-lod/units"]


def test_same_input_gives_identical_site(site, tmp_path):
    again = tmp_path / "again"
    assert build("-o", str(again)).returncode == 1
    first, second = tree_digest(site), tree_digest(again)
    assert len(first) > 4000
    assert second == first


def test_failed_build_leaves_the_previous_site_untouched(tmp_path):
    out = tmp_path / "_site"
    assert build(str(DATA / "site" / "hostile.csv"), "-o", str(out), "--no-search").returncode in (0, 1)
    before = tree_digest(out)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    failed = build(str(empty), "-o", str(out))
    assert failed.returncode == 2 and "Traceback" not in failed.stderr
    assert "empty.csv" in failed.stderr
    assert tree_digest(out) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("._site")]


def test_refuses_to_replace_a_folder_it_did_not_build(tmp_path):
    (tmp_path / "precious.txt").write_text("mine")
    completed = build("-o", str(tmp_path), "--no-search")
    assert completed.returncode == 2 and "non è un sito generato da piao-lod" in completed.stderr
    assert (tmp_path / "precious.txt").read_text() == "mine"


def test_hostile_values_render_as_text(tmp_path):
    out = tmp_path / "_site"
    assert build(str(DATA / "site" / "hostile.csv"), "-o", str(out), "--no-search").returncode in (0, 1)
    objective = soup(out / "id/c_d150/piano/2025/obiettivo/X_0001/index.html")
    assert objective.h1.get_text() == "<script>alert('titolo')</script> {{ 7*7 }} ${7*7}"
    texts = " ".join(p.get_text(" ") for p in [objective])
    assert "javascript:alert(1) <img src=x onerror=alert(2)>" in texts
    for path in out.rglob("*.html"):
        page = soup(path)
        for script in page.find_all("script"):
            body = script.string or ""
            if script.get("type") == "application/ld+json":
                assert "</" not in body, (path, body[:200])   # the data cannot close the element
                json.loads(body)
            else:
                assert "alert" not in body, (path, body[:200])
        for element in page.find_all(True):
            assert not any(name.startswith("on") for name in element.attrs), (path, element)
            for attribute in ("href", "src"):
                assert not str(element.get(attribute, "")).lower().startswith("javascript:"), (path, element)
        assert "49" not in page.h1.get_text() if page.h1 else True
    indicator = soup(out / "id/c_d150/indicatore/901/index.html")
    assert "\u202eRTL override" in indicator.h1.get_text()


def indexed_urls(bundle: Path) -> list[str]:
    """The URLs of the pages a Pagefind bundle holds (each fragment is gzip'd JSON after a signature)."""
    urls = []
    for fragment in sorted((bundle / "fragment").glob("*.pf_fragment")):
        data = gzip.decompress(fragment.read_bytes())
        urls.append(json.loads(data[data.index(b"{"):])["url"])
    return urls


def test_search_finds_every_page_pagefind_finds_in_the_whole_site_split_into_parts_by_ente(site, tmp_path):
    """The build gives Pagefind only the pages meant for search, the enti's in parts of their own: together they
    hold every page Pagefind indexes when given the whole site, each once, an ente's pages all in one part."""
    whole = tmp_path / "pagefind"
    subprocess.run([sys.executable, "-m", "pagefind", "--site", str(site), "--output-path", str(whole), "--silent"],
                   check=True, capture_output=True)
    parts = sorted((site / "pagefind" / "parti").iterdir())
    assert parts and all(part.name.isdigit() for part in parts)
    in_parts = [indexed_urls(part) for part in parts]
    found = indexed_urls(site / "pagefind") + [url for urls in in_parts for url in urls]
    assert sorted(found) == sorted(indexed_urls(whole))
    assert len(found) == len(set(found)) > 500
    assert all(url.split("/")[1:3] == ["id", "c_d150"] or url.split("/")[1:4] == ["en", "id", "c_d150"]
               for urls in in_parts for url in urls)
    home = soup(site / "index.html").find(id="search")
    assert home["data-parts"].split() == [f"pagefind/parti/{part.name}/" for part in parts]
    assert soup(site / "en" / "index.html").find(id="search")["data-parts"].split() == [
        f"../pagefind/parti/{part.name}/" for part in parts]
    assert not (site / ".search-input").exists()


def test_rebuild_after_one_plan_changed_equals_a_full_build_and_keeps_the_other_entes_pages(tmp_path):
    other = DATA / "queries" / "synthetic-x_999999-2024.csv"
    out = tmp_path / "_site"
    assert build(str(EXAMPLE), str(other), "-o", str(out)).returncode == 1
    kept_page = out / OBJECTIVE / "index.html"
    inode = kept_page.stat().st_ino
    plan_download = out / "dati" / "c_d150-piano-2024.ttl"
    download_inode = plan_download.stat().st_ino
    changed = tmp_path / other.name
    changed.write_text(other.read_text(encoding="utf-8").replace(";40;100", ";45;100", 1), encoding="utf-8")
    assert changed.read_text(encoding="utf-8") != other.read_text(encoding="utf-8")
    rebuilt = build(str(EXAMPLE), str(changed), "-o", str(out))
    assert rebuilt.returncode == 1, rebuilt.stderr
    reused = int(re.search(r"\((\d+) invariat", rebuilt.stderr).group(1))
    assert reused > 300                                   # every page of c_d150
    assert kept_page.stat().st_ino == inode               # linked from the previous build, not written again
    full = tmp_path / "full"
    assert build(str(EXAMPLE), str(changed), "-o", str(full)).returncode == 1
    assert tree_digest(out) == tree_digest(full)
    assert plan_download.stat().st_ino == download_inode  # an unchanged plan's downloads are linked too
    (out / OBJECTIVE / "index.ttl").unlink()              # a previous site someone edited: its ente is rendered again
    (out / "id" / "c_d150" / "stray.html").write_text("<p>not a page</p>", encoding="utf-8")
    again = build(str(EXAMPLE), str(changed), "-o", str(out))
    assert int(re.search(r"\((\d+) invariat", again.stderr).group(1)) < reused
    assert tree_digest(out) == tree_digest(full)


def test_rebuild_in_place_deletes_the_pages_of_a_plan_dropped_from_the_input_and_leaves_nothing_behind(tmp_path):
    """An unchanged ente's pages stay where they are (the same files); the dropped plan's ente, its search part and
    downloads go; the site equals a full build of what is left, with no journal or staging folder beside it."""
    out = tmp_path / "_site"
    assert build(str(EXAMPLE), str(DATA / "queries" / "synthetic-x_999999-2024.csv"), "-o", str(out)).returncode == 1
    assert (out / "id" / "x_999999").is_dir()
    kept_page = out / OBJECTIVE / "index.html"
    inode = kept_page.stat().st_ino
    rebuilt = build(str(EXAMPLE), "-o", str(out))
    assert rebuilt.returncode == 1, rebuilt.stderr
    assert int(re.search(r"\((\d+) invariat", rebuilt.stderr).group(1)) > 300
    assert kept_page.stat().st_ino == inode
    full = tmp_path / "full"
    assert build(str(EXAMPLE), "-o", str(full), "--full").returncode == 1
    assert tree_digest(out) == tree_digest(full)
    assert not (out / "id" / "x_999999").exists() and not (out / "en" / "id" / "x_999999").exists()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["_site", "full"]
    assert not (out / ".piao-lod-updating").exists()


@pytest.mark.parametrize("cut", [KeyboardInterrupt, OSError(28, "No space left on device")], ids=["killed", "disk-full"])
def test_a_rebuild_cut_short_while_it_updates_the_site_is_made_again_in_full_by_the_next_build(tmp_path, monkeypatch,
                                                                                                  cut):
    """A rebuild killed (or out of disk) after some of its files replaced the old ones leaves a journal in the site,
    and says so: the next build takes nothing from that site (not even the pages of unchanged enti) and gives the
    site a full build gives."""
    from piao_lod.errors import BuildError
    from piao_lod.website.build import build_site

    other = DATA / "queries" / "synthetic-x_999999-2024.csv"
    out = tmp_path / "_site"
    assert build(str(EXAMPLE), str(other), "-o", str(out)).returncode == 1
    changed = tmp_path / other.name
    changed.write_text(other.read_text(encoding="utf-8").replace(";40;100", ";45;100", 1), encoding="utf-8")
    replace, moved = os.replace, []

    def killed_half_way(source, target):
        if str(target).startswith(str(out) + os.sep):
            moved.append(target)
            if len(moved) > 20:
                raise cut
        replace(source, target)

    monkeypatch.setattr(os, "replace", killed_half_way)
    with pytest.raises(BuildError if isinstance(cut, OSError) else KeyboardInterrupt) as stopped:
        build_site([EXAMPLE, changed], out, contact_email=CONTACT, workers=1)
    monkeypatch.undo()
    if isinstance(cut, OSError):
        assert "the next build makes it again in full" in stopped.value.message("en")
    assert (out / ".piao-lod-updating").exists()
    again = build(str(EXAMPLE), str(changed), "-o", str(out))
    assert again.returncode == 1, again.stderr
    assert re.search(r"\(0 invariat", again.stderr)
    full = tmp_path / "full"
    assert build(str(EXAMPLE), str(changed), "-o", str(full)).returncode == 1
    assert tree_digest(out) == tree_digest(full)
    assert not (out / ".piao-lod-updating").exists() and not list(tmp_path.glob("*.building-*"))


def test_output_given_as_a_symbolic_link_builds_the_folder_it_points_to(tmp_path):
    """``-o site`` where ``site`` links to ``releases/2026``: the link was renamed away as the old site, left as
    ``.site.old-N`` for good (``rmtree`` refuses links) with the previous site behind it, and ``site`` became a
    folder. Now the folder it points to is replaced and the link stays."""
    release, link = tmp_path / "releases" / "2026", tmp_path / "site"
    release.mkdir(parents=True)
    link.symlink_to(release, target_is_directory=True)
    for _ in range(2):
        built = build(str(EXAMPLE), "-o", str(link), "--no-search", "--full")
        assert built.returncode == 1, built.stderr           # the example has violations
    assert link.is_symlink() and link.resolve() == release.resolve() and (release / "index.html").is_file()
    def left_over():
        return [*tmp_path.glob(".*"), *release.parent.glob(".*")]
    deadline = time.monotonic() + 30
    while left_over() and time.monotonic() < deadline:       # the old site is deleted by a process of its own
        time.sleep(0.2)
    assert not left_over() and sorted(path.name for path in tmp_path.iterdir()) == ["releases", "site"]


def test_rebuild_in_place_writes_nothing_through_a_symbolic_link_left_in_the_site(tmp_path):
    """A site folder someone replaced by a link to elsewhere is made a folder of the site again, nothing written
    where it pointed; a file the build does not make is deleted; the site equals a full build."""
    other = DATA / "queries" / "synthetic-x_999999-2024.csv"
    out, outside = tmp_path / "_site", tmp_path / "outside"
    assert build(str(EXAMPLE), str(other), "-o", str(out), "--no-search").returncode == 1
    outside.mkdir()
    (outside / "keep.txt").write_text("mine", encoding="utf-8")
    shutil.rmtree(out / "static")
    (out / "static").symlink_to(outside, target_is_directory=True)
    (out / "dati" / "stray.txt").write_text("not the build's", encoding="utf-8")
    changed = tmp_path / other.name
    changed.write_text(other.read_text(encoding="utf-8").replace(";40;100", ";45;100", 1), encoding="utf-8")
    rebuilt = build(str(EXAMPLE), str(changed), "-o", str(out), "--no-search")
    assert rebuilt.returncode == 1, rebuilt.stderr
    assert int(re.search(r"\((\d+) invariat", rebuilt.stderr).group(1)) > 300      # updated in place
    assert [path.name for path in outside.iterdir()] == ["keep.txt"]
    assert not (out / "static").is_symlink()
    full = tmp_path / "full"
    assert build(str(EXAMPLE), str(changed), "-o", str(full), "--no-search").returncode == 1
    assert tree_digest(out) == tree_digest(full)
