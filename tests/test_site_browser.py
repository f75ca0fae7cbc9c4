"""The built site in a real browser: accessible, error-free, offline, phone-sized, usable without JS.

The example site is built with ``piao-lod build``, served from 127.0.0.1, and one page of
each page type (``<meta name="piao:page-type">``) is opened in Debian's headless Chromium
by ``tests/browser/check-pages.mjs`` (playwright-core and axe-core from npm, installed with
Chromium by run-tests.sh). The browser runs once for the whole module, and once across
pytest-xdist workers; screenshots of every page type at 1280 and 375 px wide are saved in
``tests/artifacts/screenshots/`` for review.
"""

from __future__ import annotations

import fcntl
import functools
import json
import os
import shutil
import subprocess
import threading
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

import pytest

from example_sites import WITH_SEARCH, shared_example_site

BROWSER_CHECK = Path(__file__).resolve().parent / "browser"
SCREENSHOTS = Path(__file__).resolve().parent / "artifacts" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
SEARCH_WORD = "ciclabili"
PHONE_WIDTH = 375
# Pages every build of the example must have; other page types found are checked too.
REQUIRED_PAGE_TYPES = {"home", "plan", "objective", "indicator", "settore", "dirigente", "pnrr"}


class PageTypeReader(HTMLParser):
    """Reads ``<meta name="piao:page-type" content="...">`` from a page's head."""

    def __init__(self):
        super().__init__()
        self.page_type: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "meta" and attributes.get("name") == "piao:page-type":
            self.page_type = attributes.get("content")


def page_type(page: Path) -> str | None:
    reader = PageTypeReader()
    reader.feed(page.read_text(encoding="utf-8").split("</head>", 1)[0])
    return reader.page_type


def pages_by_type(site: Path) -> dict[str, str]:
    """One page per page type, as a URL path: the median by size, a typical page that keeps the
    browser run short (the largest query page is 40,000 px tall). Pages without a page type are
    checked too, one per top folder, as ``untyped-FOLDER``."""
    found: dict[str, list[Path]] = {}
    for page in sorted(site.rglob("*.html"), key=lambda p: (p.stat().st_size, str(p))):
        relative = page.relative_to(site)
        kind = page_type(page) or "untyped-" + (relative.parts[0] if len(relative.parts) > 1 else relative.stem)
        found.setdefault(kind, []).append(relative)
    chosen = {}
    for kind, pages in found.items():
        relative = pages[len(pages) // 2]
        url = relative.parent.as_posix() + "/" if relative.name == "index.html" else relative.as_posix()
        chosen[kind] = "/" + quote(url.removeprefix("./"))
    return chosen


class QuietHandler(SimpleHTTPRequestHandler):
    """A static host: ``/dir`` redirects to ``/dir/`` (as the stdlib handler does), data files
    get their media types, and requests are not logged on the test output."""

    extensions_map = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
        ".jsonld": "application/ld+json",
        ".ttl": "text/turtle",
        ".nt": "application/n-triples",
        ".rdf": "application/rdf+xml",
        ".trig": "application/trig",
        ".nq": "application/n-quads",
        ".rq": "application/sparql-query",
    }

    def log_message(self, format, *args):
        pass


def serve(site: Path) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def run_browser(site: Path, pages: dict[str, str], work: Path) -> dict[str, dict]:
    """Serves the site and checks the pages in Chromium; returns each page type's report."""
    server = serve(site)
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    entries = [{"name": kind, "url": origin + path} for kind, path in sorted(pages.items())]
    if (site / "pagefind").is_dir():
        for entry in entries:
            if entry["name"] == "home":
                entry["search"] = SEARCH_WORD
    (work / "pages.json").write_text(json.dumps(entries), encoding="utf-8")
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    try:
        result = subprocess.run(["node", str(BROWSER_CHECK / "check-pages.mjs"), str(work / "pages.json"), str(SCREENSHOTS)],
                                capture_output=True, text=True, timeout=240)
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == 0, f"check-pages.mjs failed ({result.returncode}):\n{result.stderr[-4000:]}"
    reports = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    return {report["name"]: report for report in reports}


@pytest.fixture(scope="module")
def site_reports(tmp_path_factory) -> dict:
    """Builds, serves and checks the site once; pytest-xdist workers share the result through a
    locked folder beside their own temporary folders."""
    if not CHROMIUM.exists() or not (BROWSER_CHECK / "node_modules" / "playwright-core").exists():
        pytest.fail("Chromium and tests/browser/node_modules are installed by run-tests.sh "
                    "(tools/setup-test-tools.sh); run it first")
    base = tmp_path_factory.getbasetemp()
    shared = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "site-browser"
    shared.mkdir(exist_ok=True)
    with open(shared / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        saved = shared / "reports.json"
        if not saved.exists():
            site = shared_example_site(tmp_path_factory, "example-site-with-search", WITH_SEARCH)
            pages = pages_by_type(site)
            reports = run_browser(site, pages, shared) if pages else {}
            state = {"pages": pages, "reports": reports, "pagefind": (site / "pagefind").is_dir()}
            saved.write_text(json.dumps(state), encoding="utf-8")
        return json.loads(saved.read_text(encoding="utf-8"))


def failures(site_reports: dict, check) -> str:
    """One line per page type that fails ``check`` (which returns a list of problems)."""
    lines = []
    for kind, report in sorted(site_reports["reports"].items()):
        for problem in check(report):
            lines.append(f"{kind} ({report['url']}): {problem}")
    return "\n".join(lines)


def test_every_page_declares_its_type(site_reports):
    """The page type meta tag is how this test finds one page of each kind."""
    untyped = {kind: path for kind, path in site_reports["pages"].items() if kind.startswith("untyped-")}
    assert not untyped, f'pages without <meta name="piao:page-type">: {untyped}'


def test_every_page_type_was_checked(site_reports):
    assert REQUIRED_PAGE_TYPES <= set(site_reports["pages"]), (
        f"page types found: {sorted(site_reports['pages'])}; missing: {sorted(REQUIRED_PAGE_TYPES - set(site_reports['pages']))}")
    assert set(site_reports["reports"]) == set(site_reports["pages"]), "the browser check skipped some pages"
    broken = failures(site_reports, lambda report: report["errors"] + ([f"HTTP {report['status']}"] if report.get("status") != 200 else []))
    assert not broken, "pages the browser could not check:\n" + broken


def describe_violation(violation: dict) -> str:
    targets = "; ".join(", ".join(node["target"]) for node in violation["nodes"][:5])
    more = f" (+{len(violation['nodes']) - 5} more)" if len(violation["nodes"]) > 5 else ""
    summary = violation["nodes"][0]["summary"].splitlines()[1:2] if violation["nodes"] else []
    return f"[{violation['viewport']}] {violation['id']} ({violation['impact']}): {violation['help']} at {targets}{more} -- {''.join(summary).strip()}"


def test_no_axe_violations_wcag21_aa(site_reports):
    """axe-core with the WCAG 2.0/2.1 A and AA rules, at desktop and phone width."""
    broken = failures(site_reports, lambda report: [describe_violation(v) for v in report["violations"]])
    assert not broken, "axe-core violations:\n" + broken


def test_no_console_errors_or_failed_requests(site_reports):
    broken = failures(site_reports, lambda report: report["consoleErrors"] + report["pageErrors"] + report["failedRequests"])
    assert not broken, "browser errors:\n" + broken


def test_no_external_requests(site_reports):
    """The site is self-contained: fonts, scripts and styles come from the site itself."""
    broken = failures(site_reports, lambda report: sorted(set(report["externalRequests"])))
    assert not broken, "requests to hosts other than the site:\n" + broken


def test_fits_phone_width(site_reports):
    def overflow(report):
        box = report.get("overflow")
        if box and box["viewport"] > PHONE_WIDTH:
            return [f"laid out {box['viewport']} px wide on a {PHONE_WIDTH} px phone: no <meta name=viewport>?"]
        if box and box["scrollWidth"] > box["viewport"]:
            return [f"{box['scrollWidth']} px wide at a {box['viewport']} px viewport; too wide: {', '.join(box['culprits'])}"]
        return []

    broken = failures(site_reports, overflow)
    assert not broken, "horizontal scrolling at phone width:\n" + broken


def test_works_without_javascript(site_reports):
    """With JavaScript off every page still shows its heading, main content and navigation."""
    def missing(report):
        seen = report.get("noJavaScript") or {}
        problems = []
        if seen.get("main") != 1 or seen.get("mainText", 0) < 20:
            problems.append(f"no main content ({seen})")
        if not seen.get("nav") or not seen.get("navLinks"):
            problems.append(f"no navigation links ({seen})")
        if seen.get("h1") != 1:
            problems.append(f"{seen.get('h1')} h1 headings instead of 1")
        return problems

    broken = failures(site_reports, missing)
    assert not broken, "pages that need JavaScript:\n" + broken


def test_home_search_finds_pages(site_reports):
    """Pagefind UI on the home page: typing a word of the plan lists matching pages, accessibly."""
    if not site_reports["pagefind"]:
        pytest.skip("the built site has no pagefind/ index, so there is no search to try")
    search = site_reports["reports"]["home"].get("search")
    assert search, f"the search was not run: {site_reports['reports']['home']['errors']}"
    assert search["results"], f"no result for {SEARCH_WORD!r}"
    assert all(result["href"] for result in search["results"]), search["results"]
    assert any("/id/c_d150/" in result["href"] for result in search["results"]), search["results"]   # from the ente's part
    violations = [describe_violation(v) for v in search["violations"]]
    assert not violations, "axe-core violations with search results shown:\n" + "\n".join(violations)
