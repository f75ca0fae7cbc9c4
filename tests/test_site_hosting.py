"""Hosting files of the static site: the Apache rules served for real by httpd, the sitemap and robots.txt.

Apache is Debian's apache2 (installed by tools/setup-test-tools.sh), started in the
foreground on 127.0.0.1 with a minimal configuration of its own and the generated
``.htaccess`` in a small fake site.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from piao_lod.website.addresses import RESOURCE_FILES, SiteAddresses
from piao_lod.website.hosting import SITEMAP_LIMIT, hosting_files, write_hosting_files
from conftest import free_port

APACHE = Path("/usr/sbin/apache2")
MODULES = Path("/usr/lib/apache2/modules")
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
PLAN_DIR = "id/c_d150/piano/2024/"
ENTE_DIR = "id/c_d150/"
PAGE_DIRS = [PLAN_DIR, ENTE_DIR, "id/c_d150/piano/2024/obiettivo/1.3.2_0003/", "pnrr/M5C2-I2.1/"]
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
APACHE_CONFIG = """\
ServerRoot "{root}"
ServerName 127.0.0.1
Listen 127.0.0.1:{port}
PidFile "{root}/httpd.pid"
ErrorLog "{root}/error.log"
LogLevel warn
{user}
LoadModule mpm_event_module {modules}/mod_mpm_event.so
LoadModule authz_core_module {modules}/mod_authz_core.so
LoadModule dir_module {modules}/mod_dir.so
LoadModule mime_module {modules}/mod_mime.so
LoadModule rewrite_module {modules}/mod_rewrite.so
LoadModule headers_module {modules}/mod_headers.so
TypesConfig /etc/mime.types
DocumentRoot "{site}"
<Directory "/">
  AllowOverride None
  Require all denied
</Directory>
<Directory "{site}">
  AllowOverride All
  Require all granted
</Directory>
"""


def file_body(page_dir: str, suffix: str) -> str:
    """What the fake site's file says, so a response shows which file was served."""
    return f"{page_dir}index.{suffix}\n"


def build_fake_site(site: Path, addresses: SiteAddresses) -> None:
    for page_dir in PAGE_DIRS:
        (site / page_dir).mkdir(parents=True, exist_ok=True)
        for suffix in RESOURCE_FILES:
            (site / page_dir / f"index.{suffix}").write_text(file_body(page_dir, suffix), encoding="utf-8")
    for name in ("catalog.ttl", "catalog.rdf", "void.ttl"):
        (site / name).write_text(name + "\n", encoding="utf-8")
    (site / ".well-known").mkdir()
    (site / ".well-known" / "void").write_text("well-known void\n", encoding="utf-8")
    (site / "index.html").write_text("home\n", encoding="utf-8")
    write_hosting_files(site, addresses, PAGE_DIRS)


@pytest.fixture(scope="module")
def apache():
    """Base URL of a running httpd serving the fake site; skipped when apache2 is not installed."""
    if not APACHE.exists() or not (MODULES / "mod_rewrite.so").exists():
        pytest.skip("apache2 is not installed (tools/setup-test-tools.sh installs it)")
    # Not under pytest's tmp_path: httpd started as root serves as www-data, which cannot enter /tmp/pytest-of-root.
    root = Path(tempfile.mkdtemp(prefix="piao-lod-apache-"))
    site = root / "site"
    site.mkdir()
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    build_fake_site(site, SiteAddresses(base))
    for path in [root, *root.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    user = "User www-data\nGroup www-data" if os.geteuid() == 0 else ""
    config = root / "httpd.conf"
    config.write_text(APACHE_CONFIG.format(root=root, port=port, site=site, modules=MODULES, user=user), encoding="utf-8")
    server = subprocess.Popen([str(APACHE), "-f", str(config), "-DFOREGROUND"], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT)
    try:
        wait_until_listening(port, server, root)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(root, ignore_errors=True)


def wait_until_listening(port: int, server: subprocess.Popen, root: Path) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if server.poll() is not None:
            log = (root / "error.log").read_text() if (root / "error.log").exists() else ""
            pytest.skip(f"apache2 did not start: {server.stdout.read().decode()} {log}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    pytest.skip("apache2 did not listen within 10 s")


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url: str, accept: str | None = None) -> tuple[int, str, dict[str, str]]:
    """Status, body and headers (lower-case names) of one GET, redirects not followed."""
    request = urllib.request.Request(url, headers={"Accept": accept} if accept is not None else {})
    opener = urllib.request.build_opener(NoRedirects)
    try:
        with opener.open(request, timeout=5) as response:
            return response.status, response.read().decode(), {k.lower(): v for k, v in response.headers.items()}
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace"), {k.lower(): v for k, v in error.headers.items()}


def vary(headers: dict[str, str]) -> set[str]:
    return {part.strip().lower() for part in headers.get("vary", "").split(",") if part.strip()}


@pytest.mark.parametrize("suffix", [suffix for suffix in RESOURCE_FILES if suffix != "html"])
@pytest.mark.parametrize("path", [PLAN_DIR, PLAN_DIR.rstrip("/")])
def test_accept_header_chooses_the_data_file(apache, path, suffix):
    status, body, headers = fetch(apache + path, RESOURCE_FILES[suffix])
    assert (status, body) == (200, file_body(PLAN_DIR, suffix))
    assert headers["content-type"].split(";")[0] == RESOURCE_FILES[suffix]
    assert "accept" in vary(headers)


@pytest.mark.parametrize("accept", [BROWSER_ACCEPT, "*/*", None, "text/html", "text/html, text/turtle",
                                    "application/xhtml+xml,text/turtle;q=0.9", "image/png"])
def test_html_wins_for_browsers_and_unspecific_clients(apache, accept):
    status, body, headers = fetch(apache + PLAN_DIR, accept)
    assert (status, body) == (200, file_body(PLAN_DIR, "html"))
    assert headers["content-type"].startswith("text/html")
    assert "accept" in vary(headers)


def test_page_without_trailing_slash_redirects_html_clients_and_varies(apache):
    status, _, headers = fetch(apache + PLAN_DIR.rstrip("/"), BROWSER_ACCEPT)
    assert status == 303      # See Other: the IRI names the thing, the page is about it
    assert headers["location"].endswith("/" + PLAN_DIR)
    assert "accept" in vary(headers)


@pytest.mark.parametrize("accept, suffix", [
    ("text/turtle;q=1.0, application/ld+json;q=0.5", "ttl"),
    ("application/ld+json, text/html;q=0.5", "jsonld"),
    ("application/rdf+xml;q=0.9, */*;q=0.1", "rdf"),
    ("application/n-triples; charset=utf-8", "nt"),
    ("TEXT/TURTLE", "ttl"),
])
def test_rdf_clients_get_rdf_when_html_is_not_preferred(apache, accept, suffix):
    status, body, _ = fetch(apache + PLAN_DIR, accept)
    assert (status, body) == (200, file_body(PLAN_DIR, suffix))


@pytest.mark.parametrize("suffix", [suffix for suffix in RESOURCE_FILES if suffix != "html"])
def test_format_query_overrides_accept(apache, suffix):
    for path in (ENTE_DIR, ENTE_DIR.rstrip("/")):
        status, body, headers = fetch(f"{apache}{path}?format={suffix}", BROWSER_ACCEPT)
        assert (status, body) == (200, file_body(ENTE_DIR, suffix))
        assert headers["content-type"].split(";")[0] == RESOURCE_FILES[suffix]
    status, body, _ = fetch(f"{apache}{ENTE_DIR}?lang=it&format={suffix}", "text/turtle")
    assert body == file_body(ENTE_DIR, suffix)


def test_unknown_format_query_falls_back_to_negotiation(apache):
    assert fetch(f"{apache}{PLAN_DIR}?format=xlsx", "text/turtle")[1] == file_body(PLAN_DIR, "ttl")
    assert fetch(f"{apache}{PLAN_DIR}?format=xlsx")[1] == file_body(PLAN_DIR, "html")


def test_every_resource_directory_negotiates(apache):
    for page_dir in PAGE_DIRS:
        assert fetch(apache + page_dir, "application/ld+json")[1] == file_body(page_dir, "jsonld")
        assert fetch(apache + page_dir, BROWSER_ACCEPT)[1] == file_body(page_dir, "html")


def test_data_files_are_served_with_their_media_type(apache):
    for suffix, media_type in RESOURCE_FILES.items():
        status, _, headers = fetch(f"{apache}{PLAN_DIR}index.{suffix}")
        assert status == 200
        assert headers["content-type"].split(";")[0] == media_type


def test_catalog_and_void_documents(apache):
    assert fetch(apache + "catalog", "application/rdf+xml")[1] == "catalog.rdf\n"
    status, body, headers = fetch(apache + "catalog", "text/turtle")
    assert (status, body, headers["content-type"].split(";")[0]) == (200, "catalog.ttl\n", "text/turtle")
    assert fetch(apache + "void")[1] == "void.ttl\n"
    status, body, headers = fetch(apache + ".well-known/void")
    assert (status, body, headers["content-type"].split(";")[0]) == (200, "well-known void\n", "text/turtle")


def test_pages_outside_resources_are_untouched(apache):
    status, body, headers = fetch(apache, "text/turtle")
    assert (status, body) == (200, "home\n")
    assert "accept" not in vary(headers)
    assert fetch(apache + "id/nothing-here/", "text/turtle")[0] == 404


def test_sitemap_lists_every_page_and_robots_names_it():
    addresses = SiteAddresses("https://example.org/piao/")
    files = hosting_files(addresses, PAGE_DIRS + [PLAN_DIR])
    urls = [element.text for element in ET.fromstring(files["sitemap.xml"].encode()).iter(SITEMAP + "loc")]
    assert urls == sorted(addresses.url(page_dir) for page_dir in PAGE_DIRS)
    assert "Sitemap: https://example.org/piao/sitemap.xml" in files["robots.txt"].splitlines()


def test_sitemap_escapes_urls():
    files = hosting_files(SiteAddresses("https://example.org/"), ["id/a&b/"])
    assert "<loc>https://example.org/id/a&amp;b/</loc>" in files["sitemap.xml"]
    assert [element.text for element in ET.fromstring(files["sitemap.xml"].encode()).iter(SITEMAP + "loc")] == [
        "https://example.org/id/a&b/"]


def test_sitemap_splits_into_an_index_past_the_limit(tmp_path):
    addresses = SiteAddresses("https://example.org/")
    page_dirs = [f"id/e/indicatore/{number}/" for number in range(SITEMAP_LIMIT + 1)]
    written = write_hosting_files(tmp_path, addresses, page_dirs)
    assert {path.name for path in written} >= {"sitemap.xml", "sitemap-1.xml", "sitemap-2.xml", "robots.txt",
                                               ".htaccess", "_redirects", "_headers"}
    index = ET.parse(tmp_path / "sitemap.xml").getroot()
    assert index.tag == SITEMAP + "sitemapindex"
    assert [element.text for element in index.iter(SITEMAP + "loc")] == [
        "https://example.org/sitemap-1.xml", "https://example.org/sitemap-2.xml"]
    counts = [len(list(ET.parse(tmp_path / name).getroot().iter(SITEMAP + "loc")))
              for name in ("sitemap-1.xml", "sitemap-2.xml")]
    assert counts == [SITEMAP_LIMIT, 1]


def test_static_host_files_cover_every_format():
    files = hosting_files(SiteAddresses(), PAGE_DIRS)
    redirects = [line.split() for line in files["_redirects"].splitlines() if line and not line.startswith("#")]
    assert ["/id/*", "format=ttl", "/id/:splat/index.ttl", "200!"] in redirects
    assert ["/pnrr/*", "format=rdf", "/pnrr/:splat/index.rdf", "200!"] in redirects
    headers = files["_headers"].splitlines()
    for suffix, media_type in RESOURCE_FILES.items():
        if suffix != "html":
            assert headers[headers.index(f"/*.{suffix}") + 1].strip() == f"Content-Type: {media_type}; charset=utf-8"
