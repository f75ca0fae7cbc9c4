"""`piao-lod build` on hostile input: IRIs and codes that try to leave the output folder or take
another page's place, and links in schemes a browser would run. Built through the CLI, then checked
on disk and as parsed HTML."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree

import pyoxigraph as ox
import pytest
from bs4 import BeautifulSoup

from piao_lod.iris import segment
from piao_lod.website.addresses import SiteAddresses, file_name, is_web_link
from piao_lod.leftovers import owner_tag

DATA = Path(__file__).parent / "data" / "site"
PLAN_2026 = "id/c_d150/piano/2026/"
LONG_CODE = "L" * 300
DEEP_PATH = "/".join(["d" * 50] * 30)
SCHEMES_A_BROWSER_RUNS = ("javascript:", "data:", "file:", "vbscript:")


def build(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "piao_lod", "build", *arguments, "--no-search", "--contact-email",
                           "dati@example.org"],
                          capture_output=True, text=True, check=False)


def listing(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*"))


def page_type(page: BeautifulSoup) -> str | None:
    meta = page.find("meta", attrs={"name": "piao:page-type"})
    return meta["content"] if meta else None


def built_pages(out: Path) -> dict[Path, BeautifulSoup]:
    return {path: BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser") for path in out.rglob("*.html")}


def bad_references(out: Path, pages: dict[Path, BeautifulSoup]) -> list[str]:
    """Every href/src/action that is neither http(s) nor a relative path to a file inside the site."""
    found = []
    root = out.resolve()
    for path, page in pages.items():
        for element in page.find_all(True):
            for attribute in ("href", "src", "action"):
                reference = element.get(attribute)
                if reference is None:
                    continue
                scheme = urlsplit(reference).scheme
                if scheme:
                    if scheme.lower() not in ("http", "https"):
                        found.append(f"{path.relative_to(out)}: {attribute}={reference!r}")
                elif not reference.startswith("#"):
                    target = (path.parent / unquote(urlsplit(reference).path)).resolve()
                    if not target.is_relative_to(root):
                        found.append(f"{path.relative_to(out)}: {attribute}={reference!r} leaves the site")
    return found


@pytest.fixture(scope="module")
def hostile_rdf_build(tmp_path_factory):
    """The hostile Turtle built into parent/out; the parent folder listed before and after."""
    work = tmp_path_factory.mktemp("hostile-rdf")
    plans = work / "plans.ttl"
    plans.write_text((DATA / "hostile-iris.ttl").read_text(encoding="utf-8")
                     .replace("obiettivo/LONG", "obiettivo/" + LONG_CODE).replace("obiettivo/DEEP", "obiettivo/" + DEEP_PATH),
                     encoding="utf-8")
    parent = work / "parent"
    (parent / "neighbour").mkdir(parents=True)
    (parent / "neighbour" / "keep.txt").write_text("untouched")
    before = listing(work)
    completed = build(str(plans), "-o", str(parent / "out"))
    return work, parent / "out", completed, before


@pytest.fixture(scope="module")
def hostile_rdf_pages(hostile_rdf_build) -> dict[Path, BeautifulSoup]:
    """Every page of the hostile build, parsed once for the tests that read them all."""
    return built_pages(hostile_rdf_build[1])


def test_hostile_rdf_writes_nothing_outside_the_output_folder(hostile_rdf_build):
    work, out, completed, before = hostile_rdf_build
    assert completed.returncode == 1, completed.stderr     # built, with the resources it could not place reported
    assert "Traceback" not in completed.stderr
    after = [name for name in listing(work) if not (name == "parent/out" or name.startswith("parent/out/"))]
    assert after == before
    assert (work / "parent" / "neighbour" / "keep.txt").read_text() == "untouched"
    assert not [path for path in work.rglob("escaped-*") if not path.is_relative_to(out)], "a page escaped the output"
    for path in out.rglob("*"):
        assert path.resolve().is_relative_to(out.resolve()), path


def test_hostile_rdf_pages_keep_their_own_places(hostile_rdf_build):
    _, out, _, _ = hostile_rdf_build
    assert page_type(BeautifulSoup((out / PLAN_2026 / "index.html").read_text(encoding="utf-8"), "html.parser")) == "plan"
    assert page_type(BeautifulSoup((out / "dati" / "index.html").read_text(encoding="utf-8"), "html.parser")) == "data"
    assert (out / "static" / "site.css").is_file()
    assert (out / "id" / "c_d150" / "index.ttl").is_file()
    objectives = out / PLAN_2026 / "obiettivo"
    titles = set()
    for index in objectives.rglob("index.html"):
        assert not any(part.startswith(".") for part in index.relative_to(out).parts), index
        page = BeautifulSoup(index.read_text(encoding="utf-8"), "html.parser")
        assert page_type(page) == "objective"
        titles.add(page.h1.get_text())
    assert {"objective ..", "objective .", "percent-encoded dots", "backslashes", "NUL", "a reserved name",
            "a hidden name", "a 300-character code"} <= titles
    assert all(len(path.name.encode()) <= 255 for path in out.rglob("*"))


def test_resources_that_cannot_be_placed_are_reported_with_their_reason(hostile_rdf_build):
    _, out, completed, _ = hostile_rdf_build
    problems = [line for line in completed.stderr.splitlines() if "[resource-without-page]" in line]
    assert len(problems) == 2, completed.stderr
    assert any("supera 1024 byte" in line and DEEP_PATH[:40] in line for line in problems)
    assert any("già la pagina di" in line for line in problems)     # ab and a%62 are one file on a static host
    report = BeautifulSoup((out / "validazione" / "index.html").read_text(encoding="utf-8"), "html.parser")
    section = report.find(id="senza-pagina").find_parent("section")
    assert len(section.find("tbody").find_all("tr")) == 2
    dump = ox.Store()
    dump.load(path=str(out / "dati" / "piao-lod.nq"), format=ox.RdfFormat.N_QUADS)
    deep = ox.NamedNode("https://w3id.org/piao-lod/id/c_d150/piano/2026/obiettivo/" + DEEP_PATH)
    assert list(dump.quads_for_pattern(deep, None, None, None))     # its data are still published


def test_hostile_rdf_pages_link_only_http_or_inside_the_site(hostile_rdf_build, hostile_rdf_pages):
    _, out, _, _ = hostile_rdf_build
    pages = hostile_rdf_pages
    assert len(pages) > 20
    assert bad_references(out, pages) == []
    plan = pages[out / PLAN_2026 / "index.html"]
    text = plan.get_text(" ")
    for shown in ("javascript:alert(1)", "JaVaScRiPt:alert(2)", "file:///etc/passwd", "vbscript:msgbox(4)"):
        assert shown in text                                   # shown, as text
    assert plan.find("a", href="https://example.org/a-real-page") is not None


def test_embedded_json_ld_sitemap_and_canonical_hold_only_http_iris(hostile_rdf_build, hostile_rdf_pages):
    _, out, _, _ = hostile_rdf_build
    for path, page in hostile_rdf_pages.items():
        canonical = page.find("link", rel="canonical")
        assert canonical is None or is_web_link(canonical["href"]), path
        for script in page.find_all("script", type="application/ld+json"):
            def walk(node):
                if isinstance(node, dict):
                    for key, value in node.items():
                        if key in ("@id", "url", "additionalType", "contentUrl", "license", "sameAs") and isinstance(value, str):
                            assert is_web_link(value), (path, key, value)
                        walk(value)
                elif isinstance(node, list):
                    for item in node:
                        if isinstance(item, str):
                            assert not item.lower().startswith(SCHEMES_A_BROWSER_RUNS), (path, item)
                        walk(item)
            walk(json.loads(script.string))
    sitemap = ElementTree.parse(out / "sitemap.xml")
    locations = [loc.text for loc in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert locations and all(is_web_link(url) and "/../" not in url for url in locations)


def test_every_page_runs_only_the_sites_own_scripts_and_styles(hostile_rdf_build, hostile_rdf_pages):
    """The second wall behind escaping: each page's Content-Security-Policy (a <meta> first in its head) allows
    no inline script or style, so no page may need one; the hosting files send the same policy as a header."""
    _, out, _, _ = hostile_rdf_build
    for path, page in hostile_rdf_pages.items():
        policy = page.head.find("meta", attrs={"http-equiv": "Content-Security-Policy"})
        assert policy is not None and page.head.find("meta", attrs={"charset": True}).find_next("meta") is policy, path
        directives = dict(part.strip().split(" ", 1) for part in policy["content"].split(";"))
        assert directives["script-src"] == "'self' 'wasm-unsafe-eval'" and directives["style-src"] == "'self'", path
        assert directives["object-src"] == "'none'" and "unsafe-inline" not in policy["content"], path
        assert page.find_all(style=True) == [] and page.find_all("style") == [], path
        assert [script for script in page.find_all("script") if not script.get("src")
                and script.get("type") != "application/ld+json"] == [], path
        assert not any(name.startswith("on") for element in page.find_all(True) for name in element.attrs), path
    headers = (out / "_headers").read_text(encoding="utf-8")
    assert f"Content-Security-Policy: {policy['content']}; frame-ancestors 'self'" in headers
    assert f'Header always set Content-Security-Policy "{policy["content"]}; frame-ancestors \'self\'"' in (
        out / ".htaccess").read_text(encoding="utf-8")


def hostile_table(path: Path) -> None:
    """One plan whose objective and indicator codes are `.`, `..`, empty and 300 characters long."""
    header = ["Ente", "Anno", "Dirigente", "Settore", "Codice Obiettivo", "Titolo Obiettivo", "Definizione Obiettivo",
              "Codice Ind", "Titolo Indicatore", "Formula Indicatore", "Finalità Indicatore", "Target Atteso", "Peso"]
    rows = [(".", "Obiettivo punto", ".", "Indicatore punto"),
            ("..", "Obiettivo due punti", "..", "Indicatore due punti"),
            ("", "Obiettivo senza codice", "", "Indicatore senza codice"),
            (LONG_CODE, "Obiettivo dal codice lungo", "I" * 300, "Indicatore dal codice lungo"),
            ("X_1", "Obiettivo normale", "1", "Indicatore normale")]
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";")
    writer.writerow(header)
    for objective, title, indicator, indicator_title in rows:
        writer.writerow(["c_d150", "2025", "ROSSI MARIO", "Settore Prova", objective, title, "", indicator,
                         indicator_title, "formula", "finalità", "1", "100"])
    path.write_text(text.getvalue(), encoding="utf-8")


@pytest.fixture(scope="module")
def hostile_table_build(tmp_path_factory):
    work = tmp_path_factory.mktemp("hostile-table")
    table = work / "codes.csv"
    hostile_table(table)
    before = listing(work)
    completed = build(str(table), "-o", str(work / "out"))
    return work, work / "out", completed, before


def test_codes_dot_dot_and_long_do_not_overwrite_other_pages(hostile_table_build):
    """Regression: the objective `..` wrote its page over the plan's, the indicator `..` over the ente's,
    and a 300-character code stopped the build with OSError: File name too long."""
    work, out, completed, before = hostile_table_build
    assert completed.returncode == 0, completed.stderr       # a row without codes is identified by its titles
    assert "Traceback" not in completed.stderr and "File name too long" not in completed.stderr
    assert [name for name in listing(work) if not (name == "out" or name.startswith("out/"))] == before
    pages = built_pages(out)
    by_type: dict[str, set[str]] = {}
    for path, page in pages.items():
        by_type.setdefault(page_type(page), set()).add(page.h1.get_text() if page.h1 else "")
    assert by_type["plan"] == {"Piano degli obiettivi 2025 – Comune di Cremona", "Objectives plan 2025 – Comune di Cremona"}
    assert by_type["ente"] == {"Comune di Cremona"}
    assert {"Obiettivo punto", "Obiettivo due punti", "Obiettivo senza codice", "Obiettivo dal codice lungo",
            "Obiettivo normale"} <= by_type["objective"]
    assert {"Indicatore punto", "Indicatore due punti", "Indicatore dal codice lungo", "Indicatore normale"} <= by_type["indicator"]
    assert bad_references(out, pages) == []
    dump = (out / "dati" / "piao-lod.nq").read_text(encoding="utf-8")
    assert "/obiettivo/%2E%2E>" in dump and "/obiettivo/%2E>" in dump and "/indicatore/%2E%2E>" in dump


def test_segment_keeps_codes_distinct_and_never_a_dot_segment():
    codes = [".", "..", "...", "", " ", "%2E", "%2E%2E", "a.b", "1.3.2_0003", "città", "a/b", "%20"]
    segments = [segment(code) for code in codes]
    assert segment(" ") == segment("") == "%20"                    # codes are stripped: one and the same code
    assert len(set(segments)) == len(codes) - 1
    assert segment(".") == "%2E" and segment("..") == "%2E%2E" and segment("1.3.2_0003") == "1.3.2_0003"
    for value in segments:
        assert value not in ("", ".", "..") and "/" not in value


@pytest.mark.parametrize("part", ["..", ".", "%2e%2e", "%2E%2e", "%2e", "..%2F..", "%5C..%5C", "%00", "a%00b",
                                  "index.html", "INDEX.TTL", ".htaccess", "~x", " lead", "\u202eevil", "x" * 256,
                                  "%C3%A0" * 130, "%FF"])
def test_file_names_never_leave_their_folder(part):
    name = file_name(part)
    assert name not in (".", "..") and not name.startswith(".") and "/" not in name and "\\" not in name
    assert "\x00" not in name and 0 < len(name.encode()) <= 255
    assert name.startswith("~")


def test_iris_outside_the_resource_space_get_no_page():
    addresses = SiteAddresses()
    for iri in ("https://w3id.org/piao-lod/dati", "https://w3id.org/piao-lod/static/site.css",
                "https://w3id.org/piao-lod/catalog.ttl", "https://w3id.org/piao-lod/id/x#y",
                "https://w3id.org/piao-lod/id/x?y=1", "javascript:alert(1)", "https://example.org/id/x"):
        assert addresses.page_dir(iri) is None, iri
    assert addresses.page_dir("https://w3id.org/piao-lod/pnrr/M5C2-I2.1") == "pnrr/M5C2-I2.1/"


@pytest.mark.parametrize("iri, linkable", [
    ("https://example.org/x", True), ("HTTP://example.org/x", True), ("javascript:alert(1)", False),
    ("JavaScript:alert(1)", False), (" https://example.org", False), ("\x01javascript:alert(1)", False),
    ("data:text/html,x", False), ("file:///etc/passwd", False), ("vbscript:x", False), ("https://", False),
    ("https://example.org/\tx", False), ("//example.org/x", False),
])
def test_only_http_iris_are_links(iri, linkable):
    assert is_web_link(iri) is linkable


@pytest.mark.parametrize("kind", ["building", "scratch"])
def test_staging_and_scratch_folders_of_dead_builds_are_removed_and_live_ones_kept(tmp_path, kind):
    """The staging folder (the new site) and the scratch folder (its store, the saved queries' answers) of a killed
    build are removed by the next; a build leaves neither behind."""
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    host = owner_tag().rsplit("-", 1)[0]
    dead = tmp_path / f"._site.{kind}-{host}-{ended.pid}"
    alive = tmp_path / f"._site.{kind}-{host}-{os.getpid()}"
    other_host = tmp_path / f"._site.{kind}-elsewhere-{ended.pid}"
    for folder in (dead, alive, other_host):
        folder.mkdir()
        (folder / "index.html").write_text("left by an interrupted build")
    completed = build(str(DATA / "hostile.csv"), "-o", str(tmp_path / "_site"))
    assert completed.returncode in (0, 1), completed.stderr
    assert not dead.exists()
    assert alive.exists() and other_host.exists()
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(["_site", alive.name, other_host.name])


def test_rdf_whose_values_mix_types_builds_a_site_and_names_the_plan_without_a_year(tmp_path):
    """RDF from another producer can give ``piao:year``, weights and targets any type: a year ``circa 2024`` (a
    plain string), a date, strings where numbers are expected. The build read the year with ``int()`` and
    ended in a traceback; now every page is built, the plan whose year is not a year is reported by name
    (``plan-without-year``, exit 1) and left out of the DCAT-AP_IT catalogue, and a date's year is its year."""
    tables = sorted((Path(__file__).parent / "data" / "queries").glob("synthetic-*.csv"))
    converted = tmp_path / "plans.nq"
    result = subprocess.run([sys.executable, "-m", "piao_lod", "convert", *map(str, tables), "-o", str(converted)],
                            capture_output=True, text=True, check=False)
    assert result.returncode in (0, 1), result.stderr
    retyped, count = [], 0
    for quad in ox.parse(path=converted, format=ox.RdfFormat.N_QUADS):
        name = quad.predicate.value.rsplit("#", 1)[-1]
        if name == "year":
            year = quad.object.value
            value = ox.Literal(f"circa {year}") if "x_999999" in quad.subject.value else \
                ox.Literal(f"{year}-06-30", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))
            quad = ox.Quad(quad.subject, quad.predicate, value, quad.graph_name)
        elif name in ("weight", "targetValue", "targetYear"):
            count += 1
            value = ox.Literal(f"{quad.object.value} circa") if count % 2 else ox.Literal(
                "2025-01-01", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))
            quad = ox.Quad(quad.subject, quad.predicate, value, quad.graph_name)
        retyped.append(quad)
    assert count > 10
    mixed = tmp_path / "mixed.nq"
    mixed.write_bytes(ox.serialize(retyped, format=ox.RdfFormat.N_QUADS))
    out = tmp_path / "site"
    built = build(str(mixed), "-o", str(out), "--lang", "en")
    assert built.returncode == 1, built.stderr
    assert "Traceback" not in built.stderr
    assert ("https://w3id.org/piao-lod/id/x_999999/piano/2024: error: the plan's year “circa 2024” is not a year: "
            "the plan is not in the data catalogue (catalog.ttl)") in built.stderr
    assert (out / "id" / "x_999999" / "piano" / "2024" / "index.html").is_file()
    catalogue = {quad.object.value for quad in ox.parse(path=out / "catalog.ttl", format=ox.RdfFormat.TURTLE)
                 if quad.predicate.value == "http://purl.org/dc/terms/identifier"}
    assert "c_d150:piano-2025" in catalogue and not any("x_999999" in code for code in catalogue), catalogue


def test_codes_one_folder_apart_only_by_case_or_composition_do_not_overwrite_each_other(tmp_path):
    """Objectives `A.1` and `a.1`, and `città` composed and decomposed, got folders that are one folder on a
    case-insensitive file system (macOS's, Windows'): built there, the second page was written over the first.
    The first in IRI order keeps the folder; the other is reported, its data still in the dumps."""
    table = tmp_path / "codes.csv"
    rows = ["Ente;Anno;Dirigente;Settore;Codice Obiettivo;Titolo Obiettivo;Codice Ind;Titolo Indicatore;Target Atteso;Peso"]
    for number, code in enumerate(["A.1", "a.1", "citt\u00e0", "citta\u0300"]):
        rows.append(f"c_d150;2025;ROSSI MARIO;Settore Prova;{code};Obiettivo {number};I{number};Indicatore;1;25")
    table.write_text("\n".join(rows) + "\n", encoding="utf-8")
    completed = build(str(table), "-o", str(tmp_path / "out"), "--lang", "en")
    assert "Traceback" not in completed.stderr
    objectives = tmp_path / "out" / "id" / "c_d150" / "piano" / "2025" / "obiettivo"
    pages = [path.parent.name for path in objectives.glob("*/index.html")]
    assert sorted(pages) == ["A.1", "citt\u00e0"]      # the folders of the others hold only their indicators' pages
    assert "Obiettivo 0" in (objectives / "A.1" / "index.html").read_text(encoding="utf-8")
    refusals = [line for line in completed.stderr.splitlines() if "[resource-without-page]" in line]
    assert len(refusals) == 2, completed.stderr
    assert any("obiettivo/a.1/, which a case-insensitive file system takes for id/c_d150/piano/2025/obiettivo/A.1/"
               in line for line in refusals)
    dump = (tmp_path / "out" / "dati" / "piao-lod.nq").read_text(encoding="utf-8")
    assert "/obiettivo/a.1>" in dump and "/obiettivo/citta%CC%80>" in dump
