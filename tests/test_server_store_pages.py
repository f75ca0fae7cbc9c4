"""`piao-lod serve --store`: every page rendered from the store on request, byte for byte the page the static build
writes for the same input, with the static server's addresses, negotiation and cache validators.

The static site is the example built with ``--no-search`` (``served_site.site``); the store is the same example
loaded by ``piao-lod load``. The app is driven in-process (FastAPI's test client); one test starts the command.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import pyoxigraph as ox
import rdflib
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from rdflib.compare import isomorphic

from served_site import BROWSER_ACCEPT, OBJECTIVE_DIR, OBJECTIVE_PATH, header_values, media_type_of, site  # noqa: F401
from piao_lod.embedded_store import load_into_store, open_store_for_reading
from piao_lod.resources import example_plan, packaged
from piao_lod.server.app import create_app
from piao_lod.server.query_runner import InProcessQueries
from piao_lod.server.settings import ServerSettings
from piao_lod.website.addresses import DEFAULT_SITE_URL

PLAN_DIR = "id/c_d150/piano/2024"
LAYOUTS = Path(__file__).parent / "data" / "layouts"
RDF_SUFFIXES = {"ttl": "text/turtle", "jsonld": "application/ld+json", "nt": "application/n-triples",
                "rdf": "application/rdf+xml"}
PER_TYPE = 3                 # pages compared per page type (all of them for the rarer types)
PAGE_TYPE = re.compile(rb'<meta name="piao:page-type" content="([^"]+)"')


def load_example(store: Path) -> Path:
    done = load_into_store(store, [Path(str(example_plan()))], DEFAULT_SITE_URL + "id/")
    assert done.exit_code in (0, 1) and done.triples > 8000
    return store


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    return load_example(tmp_path_factory.mktemp("store-pages") / "store")


def store_app(store: Path, site: Path | None = None, sources: Path | None = None) -> TestClient:
    runner = InProcessQueries(open_store_for_reading(store), 20_000_000)
    return TestClient(create_app(ServerSettings(site, store, sources=sources), runner), follow_redirects=False)


@pytest.fixture(scope="module")
def client(site, store):
    """Pages from the store alone; the source documents from the built site's copy of them."""
    with store_app(store, sources=site / "dati" / "fonti") as running:
        yield running


def page_type(page: Path) -> str:
    found = PAGE_TYPE.search(page.read_bytes())
    assert found, page
    return found.group(1).decode()


def resource_folders(site: Path) -> dict[str, list[str]]:
    """Page type -> folders of the Italian edition holding a resource page of that type (RDF beside it)."""
    by_type: dict[str, list[str]] = {}
    for page in sorted(site.glob("id/**/index.html")) + sorted(site.glob("pnrr/**/index.html")) \
            + sorted(site.glob("bilancio/**/index.html")):
        if (page.parent / "index.ttl").is_file():
            by_type.setdefault(page_type(page), []).append(page.parent.relative_to(site).as_posix() + "/")
    return by_type


def test_every_page_type_is_rendered_from_the_store_byte_identical_to_the_static_page(client, site):
    by_type = resource_folders(site)
    listed = {row["page_type"] for row in csv.DictReader((Path(str(packaged("site"))) / "page-types.csv").open())}
    # the example has a page of nearly every type of site/page-types.csv; each one it has is compared
    assert len(listed & set(by_type)) >= len(listed) - 4, sorted(listed - set(by_type))
    compared = 0
    for kind, folders in sorted(by_type.items()):
        for folder in folders[:PER_TYPE]:
            for edition in ("", "en/"):
                response = client.get(f"/{edition}{folder}", headers={"Accept": BROWSER_ACCEPT})
                assert response.status_code == 200, (kind, edition + folder, response.text[:300])
                assert media_type_of(response.headers) == "text/html"
                expected = (site / edition / folder / "index.html").read_bytes()
                assert response.content == expected, f"{kind}: /{edition}{folder} differs from the static page"
                compared += 1
    assert compared >= 2 * len(by_type)


def test_the_rdf_beside_a_page_is_the_static_file_byte_for_byte(client, site):
    by_type = resource_folders(site)
    for kind, folders in sorted(by_type.items()):
        folder = folders[0]
        for suffix, media_type in RDF_SUFFIXES.items():
            response = client.get(f"/{folder}index.{suffix}")
            assert response.status_code == 200, (kind, folder, suffix)
            assert media_type_of(response.headers) == media_type
            assert response.content == (site / folder / f"index.{suffix}").read_bytes(), (kind, folder, suffix)
    ours = rdflib.Graph().parse(data=client.get(f"/{OBJECTIVE_DIR}/index.jsonld").content, format="json-ld")
    theirs = rdflib.Graph().parse(site / OBJECTIVE_DIR / "index.ttl", format="turtle")
    assert len(ours) > 10 and isomorphic(ours, theirs)


def test_listing_and_fixed_pages_are_rendered_byte_identical(client, site):
    saved = sorted(page.parent.name for page in site.glob("query/*/index.html"))
    assert len(saved) >= 5
    folders = ["", "query/", "ontology/", "accessibilita/", "note-legali/"] + [f"query/{name}/" for name in saved]
    for edition in ("", "en/"):
        for folder in folders:
            response = client.get(f"/{edition}{folder}")
            assert response.status_code == 200, edition + folder
            assert response.content == (site / edition / folder / "index.html").read_bytes(), f"/{edition}{folder}"
    for suffix in RDF_SUFFIXES:
        assert client.get(f"/ontology/index.{suffix}").content == (site / "ontology" / f"index.{suffix}").read_bytes()


def test_the_plans_downloads_and_source_documents_are_served(client, site):
    for download in sorted((site / "dati").glob("c_d150-piano-2024.*")):
        response = client.get(f"/dati/{download.name}")
        assert response.status_code == 200 and response.content == download.read_bytes(), download.name
    source = next((site / "dati" / "fonti").iterdir())
    assert client.get(f"/dati/fonti/{source.name}").content == source.read_bytes()
    assert client.get("/static/site.css").content == (site / "static" / "site.css").read_bytes()


def test_whole_corpus_pages_are_left_to_a_build(client):
    """The validation report, the data page and the full dumps need the whole corpus at once (docs/scaling.md)."""
    for path in ("/validazione/", "/dati/", "/dati/piao-lod.nq", "/catalog", "/en/validazione/"):
        assert client.get(path, headers={"Accept": "text/plain"}).status_code == 404, path


def test_negotiation_as_the_static_server_does_it(client, site):
    plan = "/" + PLAN_DIR
    turtle = client.get(plan, headers={"Accept": "text/turtle"})
    assert turtle.status_code == 200 and media_type_of(turtle.headers) == "text/turtle"
    assert turtle.headers["content-location"] == f"{plan}/index.ttl" and "Accept" in header_values(turtle.headers, "vary")
    assert turtle.content == (site / PLAN_DIR / "index.ttl").read_bytes()
    assert media_type_of(client.get(plan + "/", headers={"Accept": "application/json"}).headers) == "application/ld+json"
    weighted = client.get(plan + "/", headers={"Accept": "text/html;q=0.5, application/rdf+xml"})
    assert media_type_of(weighted.headers) == "application/rdf+xml"
    assert client.get(plan + "/", params={"format": "nt"}, headers={"Accept": "text/html"}).content == \
        (site / PLAN_DIR / "index.nt").read_bytes()
    see_other = client.get(plan, headers={"Accept": BROWSER_ACCEPT})
    assert see_other.status_code == 303 and see_other.headers["location"] == plan + "/"
    assert client.get(plan + "/", headers={"Accept": "image/png"}).status_code == 406
    assert client.get(plan + "/", params={"format": "pdf"}).status_code == 406
    # the English edition is HTML only: its RDF is the one beside the Italian page
    english = client.get("/en" + plan, headers={"Accept": "text/turtle"})
    assert english.status_code == 406
    assert client.get(f"/en{plan}/index.ttl").status_code == 404
    assert client.get("/en").status_code == 301 and client.get("/en").headers["location"] == "/en/"


def test_cache_validators_and_304(client):
    first = client.get(OBJECTIVE_PATH + "/")
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert re.fullmatch(r'W/"[0-9a-f]{32}"', etag) and "max-age=" in first.headers["cache-control"]
    again = client.get(OBJECTIVE_PATH + "/", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert client.get(OBJECTIVE_PATH + "/", headers={"If-None-Match": 'W/"other"'}).status_code == 200
    assert client.get(OBJECTIVE_PATH + "/", headers={"If-Modified-Since": modified}).status_code == 304
    others = {client.get("/en" + OBJECTIVE_PATH + "/").headers["etag"],
              client.get(OBJECTIVE_PATH + "/index.ttl").headers["etag"], client.get("/").headers["etag"]}
    assert etag not in others and len(others) == 3
    head = client.head(OBJECTIVE_PATH + "/")
    assert head.status_code == 200 and head.content == b"" and int(head.headers["content-length"]) == len(first.content)


def test_etag_changes_when_the_store_is_loaded_again(tmp_path, site):
    store = load_example(tmp_path / "store")
    with store_app(store) as running:
        before = running.get(OBJECTIVE_PATH + "/").headers["etag"]
    load_example(store)         # the same plans: a new store swapped in (store_directory.py)
    with store_app(store) as running:
        after = running.get(OBJECTIVE_PATH + "/")
        assert after.headers["etag"] != before
        assert running.get(OBJECTIVE_PATH + "/", headers={"If-None-Match": before}).status_code == 200


def test_a_running_server_follows_the_loads_and_lets_the_old_store_go(tmp_path):
    """No restart after ``load``: the next requests are answered from the new store (new title, new ETag), and the
    store the server read before is not kept on disk once a later load cleans up."""
    store = load_example(tmp_path / "store")
    edited = tmp_path / example_plan().name
    edited.write_text(Path(str(example_plan())).read_text(encoding="utf-8").replace(
        "Realizzazione di 2 piste ciclabili monodirezionali in via Boschetto", "Piste ciclabili di via Boschetto"),
        encoding="utf-8")
    with TestClient(create_app(ServerSettings(None, store), InProcessQueries(ox.Store())),
                    follow_redirects=False) as running:
        before = running.get(OBJECTIVE_PATH + "/")
        assert "monodirezionali" in title_of(before)
        assert load_into_store(store, [edited], DEFAULT_SITE_URL + "id/").exit_code in (0, 1)
        read_before = set(tmp_path.glob("store.old-*"))
        assert read_before, "the server had the old store open: the load keeps it aside"
        after = answer_once_changed(running, OBJECTIVE_PATH + "/", before.headers["etag"])
        assert title_of(after) == "PNRR - M5C2-I2.1 - Piste ciclabili di via Boschetto"
        answer_once_changed(running, "/", None)      # a request a second later lets the old store go
        load_example(store)
        assert not read_before & set(tmp_path.glob("store.old-*"))
        assert answer_once_changed(running, OBJECTIVE_PATH + "/", after.headers["etag"]).headers["etag"] != after.headers["etag"]


def title_of(response) -> str:
    assert response.status_code == 200, response.text[:300]
    return BeautifulSoup(response.text, "html.parser").select_one("h1").get_text(" ", strip=True)


def answer_once_changed(client: TestClient, path: str, etag: str | None, seconds: float = 15.0):
    """The page at ``path`` once its ETag is no longer ``etag`` (the server looks for a new store once a second)."""
    deadline = time.monotonic() + seconds
    while True:
        time.sleep(1.1)
        response = client.get(path)
        if response.headers.get("etag") != etag or time.monotonic() > deadline:
            return response


def test_unknown_resources_get_the_sites_404_page(client):
    missing = client.get("/id/c_d150/piano/2024/obiettivo/nope/", headers={"Accept": BROWSER_ACCEPT})
    assert missing.status_code == 404 and media_type_of(missing.headers) == "text/html"
    assert BeautifulSoup(missing.text, "html.parser").select_one("html")["lang"] == "it"
    english = client.get("/en/id/nobody/", headers={"Accept": BROWSER_ACCEPT})
    assert english.status_code == 404 and BeautifulSoup(english.text, "html.parser").select_one("html")["lang"] == "en"
    as_json = client.get("/id/nobody", headers={"Accept": "application/json"})
    assert as_json.status_code == 404 and as_json.json()["error"] == "not-found"
    for path in ("/id/c_d150/index.ttl/x", "/id/c_d150/index.pdf", "/piani/9/", "/query/nothing/", "/static/nothing.css",
                 "/dati/fonti/nothing.txt", "/ontology/index.pdf"):
        assert client.get(path, headers={"Accept": "text/plain"}).status_code == 404, path


@pytest.mark.parametrize("path", ["/id/%00/", "/id/%zz", "/id/a%5Cb/", "/id/%2e%2e/%2e%2e/etc/passwd", "/static/..%2f..%2fx",
                                  "/id/" + "a" * 300 + "/"])
def test_malformed_paths_get_400(client, path):
    assert client.get(path).status_code == 400


def test_static_files_of_a_site_win_and_the_store_renders_the_rest(tmp_path, site, store):
    """``--site`` and ``--store``: a file of the site is served as it is; a page the site lacks comes from the store."""
    partial = tmp_path / "site"
    partial.mkdir()
    shutil.copy(site / ".piao-lod-site", partial)
    shutil.copytree(site / "static", partial / "static")
    (partial / "index.html").write_text("<!DOCTYPE html><title>static</title>", encoding="utf-8")
    with store_app(store, site=partial) as running:
        assert running.get("/").text == "<!DOCTYPE html><title>static</title>"
        rendered = running.get(OBJECTIVE_PATH + "/")
        assert rendered.status_code == 200
        assert BeautifulSoup(rendered.text, "html.parser").select_one("h1").get_text(strip=True)


def test_serve_store_from_the_command_line_and_load_while_it_serves(tmp_path, site):
    """The command, and its query workers following a load made while it serves (no restart)."""
    from conftest import free_port

    store = load_example(tmp_path / "store")

    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "piao_lod", "serve", "--store", str(store), "--host", "127.0.0.1",
                                    "--port", str(port), "--query-workers", "1"], stdout=out, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}/{OBJECTIVE_DIR}/"
        body = None
        for _ in range(150):
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    body = response.read()
                    break
            except OSError:
                if process.poll() is not None:
                    break
                subprocess.run(["sleep", "0.2"], check=False)
        assert body is not None, log.read_text()[-3000:]
        # no --sources: the source document is named, not linked, so only that link may differ from the static page
        static = (site / OBJECTIVE_DIR / "index.html").read_bytes()
        assert BeautifulSoup(body, "html.parser").select_one("h1").get_text() == \
            BeautifulSoup(static, "html.parser").select_one("h1").get_text()
        before = triples_served(port)
        loaded = subprocess.run([sys.executable, "-m", "piao_lod", "load", str(LAYOUTS / "dup-cascade.csv"), "--ente",
                                 "c_a001", "--year", "2025", "--store", str(store)], capture_output=True, text=True)
        assert loaded.returncode == 0, loaded.stdout + loaded.stderr
        deadline = time.monotonic() + 30
        while (now := triples_served(port)) == before and time.monotonic() < deadline:
            time.sleep(0.5)
        assert now > before
    finally:
        process.terminate()
        process.wait(timeout=20)
    assert "Traceback" not in log.read_text()


def test_serve_says_when_the_site_is_being_updated_or_was_left_half_updated(tmp_path, site, store):
    """A rebuild moves its files into the live site with a journal beside them (website/in_place.py): serving such a
    site says its pages may be part old and part new."""
    from conftest import free_port

    partial = tmp_path / "site"
    partial.mkdir()
    shutil.copy(site / ".piao-lod-site", partial)
    shutil.copytree(site / "static", partial / "static")
    (partial / ".piao-lod-updating").write_text("staging", encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "piao_lod", "serve", "--site", str(partial), "--store", str(store),
                                "--host", "127.0.0.1", "--port", str(free_port()), "--query-workers", "1", "--lang", "en"],
                               stderr=subprocess.PIPE, text=True)
    try:
        said = []
        for line in process.stderr:
            said.append(line)
            if line.startswith("serving "):
                break
    finally:
        process.terminate()
        process.wait(timeout=20)
    assert f"{partial}: a rebuild is updating this site, or stopped while it did: its pages may be part old and part " \
           f"new until the next piao-lod build -o {partial}\n" in said, said


def triples_served(port: int) -> int:
    query = urllib.parse.quote("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    request = urllib.request.Request(f"http://127.0.0.1:{port}/sparql?query={query}",
                                     headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return int(json.load(response)["results"]["bindings"][0]["n"]["value"])


def test_a_folder_whose_name_no_iri_can_hold_is_looked_up_without_error(client):
    """Regression: a folder name with a space (a sheet "Obiettivi 2025" in a source row's IRI) was tried as an IRI
    as written, which Oxigraph refuses: 500. Only its percent-encoded spelling can be an IRI."""
    assert client.get("/id/c_d150/a%20b/", headers={"Accept": "text/plain"}).status_code == 404
    assert client.get("/id/c_d150/%E2%80%AEx%3Cy%3E/", headers={"Accept": "text/plain"}).status_code == 404
