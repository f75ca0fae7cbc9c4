"""``piao-lod build``: sources -> store -> validation -> pages, RDF, dumps, catalog, search index.

The site is written into a staging folder beside the output. A first build (or ``full``) swaps it in at the
end, so a failed or interrupted build leaves the previous site untouched; a rebuild that keeps the pages of
unchanged enti moves its files into the live site one at a time (:mod:`~piao_lod.website.in_place`), once
everything is made. Every file is a function of the input alone (sorted triples, no clock), so two builds
are identical.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import groupby
from multiprocessing import get_context
from pathlib import Path

import pyoxigraph as ox
from jinja2 import TemplateError

from piao_lod.errors import BuildError, UsageError, outcome_exit_code
from piao_lod.plan_versions import LatestVersionsFilter, versions_by_plan
from piao_lod.embedded_store import load_scratch_store
from piao_lod.graph_inputs import ONTOLOGY_GRAPH
from piao_lod.reading import DEFAULT_READING, ReadingOptions
from piao_lod.iris import check_email, check_web_iri
from piao_lod.leftovers import owner_tag, remove_abandoned
from piao_lod.problems import Location, Phrase, Phrases, Problem
from piao_lod.resources import example_plan, packaged
from piao_lod.plan_pool import validate_by_ente
from piao_lod.plan_graph import plan_iris
from piao_lod.plan_table import path_text
from piao_lod.saved_answers import answers_beside
from piao_lod.validation_report import report_data
from piao_lod.messages import LANGUAGES, N_
from piao_lod.user_files import read_user_file, reason_of
from piao_lod.website.addresses import (DEFAULT_SITE_URL, EDITIONS, SiteAddresses, assign_pages, check_relative,
                                        download_names)
from piao_lod.website.page_context import SiteData, fixed_page_makers
from piao_lod.website.page_rendering import fixed_page, resource_page, resource_rdf_files
from piao_lod.website.render import environment_for, templates_as_loaded
from piao_lod.website.catalog import catalog_date, catalog_plans, write_catalog
from piao_lod.website.corpus_parts import PartSite, PartSites, WholeSite, corpus_parts, store_index
from piao_lod.website.file_links import make_folder, write_file
from piao_lod.website.hosting import write_hosting_files
from piao_lod.website.in_place import interrupted, update_in_place
from piao_lod.website.incremental import (BuildRecord, earlier_downloads, files_under, linked_on_the_way,
                                          plan_digests, reuse_ente_pages, unchanged_enti)
from piao_lod.website.ontology_docs import write_ontology_files
from piao_lod.website.page_types import GENERIC, page_types
from piao_lod.website.resource_files import write_dumps
from piao_lod.website.resource_index import ResourceIndex
from piao_lod.website.search_index import (PARTS_FOLDER, index_for_search, is_searchable, search_bundles,
                                           unchanged_bundles)
from piao_lod.website.template_cache import keep_compiled_templates
from piao_lod.website.version_changes import VersionOrder
from piao_lod.work_cache import WorkCache, toolkit_digest

SITE_MARKER = ".piao-lod-site"     # written into every built site; only such a folder is ever replaced
# Folders of the pages that are not resources: no resource may take them.
FIXED_PAGE_FOLDERS = ("", "dati/", "validazione/", "query/", "sparql/", "ontology/", "piani/", "static/", "pagefind/",
                      "accessibilita/", "note-legali/", *(folder for folder in EDITIONS.values() if folder))
CHUNK = 200                        # pages per task when rendering in parallel
SHARED_TEMPLATES = ("_base.html", "_macros.html", "_navigation.html", "_footer.html")    # what every page uses


@dataclass
class BuiltSite:
    out: Path
    pages: int
    files: int
    triples: int
    plans: int
    exit_code: int
    seconds: dict[str, float] = field(default_factory=dict)
    reused: int = 0              # pages kept from the previous build instead of rendered
    problems: list[Problem] = field(default_factory=list)    # resources the site could not give a page


def build_site(sources: Sequence[Path], out: Path, site_url: str = DEFAULT_SITE_URL,
               options: ReadingOptions = DEFAULT_READING, workers: int | None = None,
               search: bool = True, progress: Callable[[int, int], None] | None = None,
               contact_email: str | None = None, sparql_endpoint: str | None = None,
               date: dt.date | None = None, templates: Path | None = None, cache: WorkCache | None = None,
               full: bool = False) -> BuiltSite:
    """Build the whole site into ``out``: a new folder swapped in whole, or, when the previous build of ``out`` has
    pages this one would write the same, ``out`` updated in place, file by file (not with ``full``).

    ``contact_email`` is required with ``sources``: the catalogue of a real publication names who answers
    for the data (the bundled example, a demonstration, may go without). ``date`` is the build date of the
    catalogue (default: ``SOURCE_DATE_EPOCH``, else 1 January of the latest plan year; see :mod:`catalog`).
    ``templates``: a folder of the publisher's templates that take the place of the site's own with the same
    name (``accessibility.html``, ``legal-notes.html``: see the README). ``workers`` processes read, validate
    and render; plans whose source is unchanged are taken from ``cache``. ``full``: take nothing from the previous
    build (the cache aside) and swap the new site in whole. ``out`` may be a symbolic link (``site`` to
    ``releases/2026``): the folder it points to is built, and the link kept."""
    out = Path(os.path.realpath(out)) if out.is_symlink() else out
    check_output(out)
    if sources and not contact_email:
        raise UsageError(N_("give --contact-email ADDRESS: the DCAT-AP_IT catalog names, for every dataset, the "
                            "address that answers questions about the data (dati.gov.it requires an e-mail in the "
                            "contact point)"))
    addresses = SiteAddresses(check_web_iri(site_url, "--base-url"))
    if sparql_endpoint is not None:
        check_web_iri(sparql_endpoint, "--sparql-endpoint")
    if contact_email is not None:
        check_email(contact_email, "--contact-email")
    check_templates(templates)
    keep_compiled_templates(((lang, environment_for(lang, templates)) for lang in EDITIONS), cache, templates)
    for prefix in (f".{out.name}.building-", f".{out.name}.scratch-"):
        remove_abandoned(out.parent, prefix)
    staging = out.parent / f".{out.name}.building-{owner_tag()}"
    scratch = out.parent / f".{out.name}.scratch-{owner_tag()}"     # what the build needs and does not publish
    for folder in (staging, scratch):
        shutil.rmtree(folder, ignore_errors=True)
    updating, loaded = False, None
    try:
        scratch.mkdir(parents=True)
        timings: dict[str, float] = {}
        started = time.perf_counter()
        inputs = list(sources) or [Path(str(example_plan()))]
        loaded = load_scratch_store(scratch / "store", inputs, addresses.data_base, options, workers, cache)
        if loaded.conversion.unusable or not loaded.graphs:
            raise BuildError(N_("nothing built, the previous site is kept: every input must be usable\n{errors}"),
                             errors=Phrases(tuple(loaded.conversion.unusable), "\n"))
        store = loaded.store
        versions = versions_by_plan(store)
        plan_graphs = [ox.NamedNode(plan) for plan in versions]
        check_plans_inside_site(plan_graphs, addresses)
        timings["convert+load"] = time.perf_counter() - started

        mark = time.perf_counter()
        report = validate_by_ente(store, workers, cache)
        validation = {lang: report_data(report, loaded.conversion.problems, lang, "oxigraph") for lang in LANGUAGES}
        timings["validate"] = time.perf_counter() - mark

        mark = time.perf_counter()
        shown = LatestVersionsFilter(versions)      # each plan as its latest version, read from the store (not a copy of it)
        corpus = corpus_parts(store, shown, len(plan_graphs))
        index = None if corpus.separable else ResourceIndex(store, shown)     # else an ente's index at a time
        pages, refused = assign_pages((iri for iri in corpus.subjects() if not iri.startswith(ONTOLOGY_GRAPH.value)),
                                      addresses, FIXED_PAGE_FOLDERS)
        problems = [unplaced_resource(iri, reason, store, loaded.conversion, addresses) for iri, reason in refused.items()]
        timings["index"] = time.perf_counter() - mark

        staging.mkdir()
        mark = time.perf_counter()
        toolkit = toolkit_digest(templates)
        previous = BuildRecord.read(out / SITE_MARKER) if out.exists() and not full and not interrupted(out) else None
        stems = download_names((graph.value for graph in plan_graphs), addresses)
        downloads = write_dumps(store, versions, staging / "dati", stems.__getitem__,
                                earlier_downloads(previous, addresses.site_url, toolkit, out))
        source_files = copy_sources(loaded.conversion, staging / "dati" / "fonti")
        timings["dumps"] = time.perf_counter() - mark
        record = BuildRecord(addresses.site_url, toolkit, plan_digests(downloads))
        reusable = unchanged_enti(previous, record, addresses)
        without_year: list[tuple[str, str]] = []
        record.date_plans(previous, catalog_date(date, catalog_plans(store, without_year)))
        problems += [uncatalogued_plan(plan, year, store, loaded.conversion, addresses) for plan, year in without_year]

        copy_static(staging / "static")
        fields = dict(addresses=addresses, plan_graphs=plan_graphs, downloads=downloads, validation=validation,
                      store=store, source_files=source_files, search=search,
                      pages={**pages, ONTOLOGY_GRAPH.value: "ontology/"}, problems=problems, templates=templates,
                      plan_versions=versions, kept_answers=str(answers_beside(store, loaded.graphs, Path(store.path))))
        site = SiteData(index=index, **fields) if index is not None else \
            PartSite(index=store_index(store, shown), corpus=corpus, order=VersionOrder(store, versions), **fields)
        mark = time.perf_counter()
        page_iris = sorted(pages)
        reused, kept = reuse_ente_pages(out, pages, reusable, addresses, tuple(EDITIONS.values())) if reusable else (set(), {})
        record.searchable = {pages[iri] for iri in reused if pages[iri] in previous.searchable} if reused else set()
        record.searchable |= render_pages(staging, site, [iri for iri in page_iris if iri not in reused], workers,
                                          progress, len(reused), shown)
        bundles = search_bundles(record.searchable) if search else {}
        site.search_parts = sorted(bundle for bundle in bundles if bundle.startswith(PARTS_FOLDER))
        fixed, searchable_fixed = render_fixed_pages(staging, site)
        write_ontology_files(staging / "ontology")
        timings["pages"] = time.perf_counter() - mark

        mark = time.perf_counter()
        write_catalog(staging, store, addresses, downloads, date, contact_email, sparql_endpoint, record.dates)
        write_hosting_files(staging, addresses, sorted({edition + folder for folder in set(pages.values()) | set(fixed)
                                                        for edition in EDITIONS.values()}))
        timings["catalog"] = time.perf_counter() - mark
        if search:
            mark = time.perf_counter()
            unchanged = kept_bundles(out, unchanged_bundles(bundles, previous.searchable, {pages[iri] for iri in reused})
                                     if reused else set())
            kept.update(unchanged)
            index_for_search(staging, bundles, EDITIONS.values(), searchable_fixed, out if reused else None, set(unchanged))
            timings["search"] = time.perf_counter() - mark
        (staging / SITE_MARKER).write_text(record.to_json(), encoding="utf-8")
        triples = len(store)
        if reused:
            updating = True
            files = update_in_place(staging, out, kept, SITE_MARKER)
        else:
            files = sum(len(names) for _, _, names in os.walk(staging))
            swap_in(staging, out)
    except OSError as error:
        if updating:
            raise BuildError(N_("the site could not be updated, it is part old and part new: the next build makes it "
                                "again in full ({error}: {file})"),
                             subject=str(out), error=str(error.strerror or error), file=str(error.filename)) from None
        raise BuildError(N_("the site could not be written, the previous site is kept ({error}: {file})"),
                         subject=str(out), error=str(error.strerror or error), file=str(error.filename)) from None
    finally:
        if loaded is not None:
            loaded.store.close()
        for folder in (staging, scratch):
            shutil.rmtree(folder, ignore_errors=True)
    timings["total"] = time.perf_counter() - started
    return BuiltSite(out, (len(page_iris) + len(fixed)) * len(EDITIONS), files, triples, len(plan_graphs),
                     outcome_exit_code(False, not validation["it"]["conforms"] or bool(problems)), timings,
                     len(reused) * len(EDITIONS), problems)


def kept_bundles(site: Path, bundles: set[str]) -> dict[str, int]:
    """The search bundles left as the previous build wrote them (a folder of plain files only), with how many
    files each holds; a bundle missing from ``site``, holding or reached through a symbolic link, is indexed again."""
    listed = {bundle: files_under(site / bundle) for bundle in sorted(bundles)
              if (site / bundle).is_dir() and not linked_on_the_way(site, bundle)}
    return {bundle: len(names) for bundle, names in listed.items() if not any(name.endswith("@") for name in names)}


def site_url_of(site: Path) -> str:
    """The URL a built site was made for (its IRIs are under it), read from its marker file."""
    try:
        return json.loads((site / SITE_MARKER).read_text(encoding="utf-8"))["site_url"]
    except (OSError, ValueError, KeyError, TypeError):
        raise UsageError(N_("not a site built by piao-lod build (or built by an older version: rebuild it)"),
                         subject=str(site)) from None


def check_output(out: Path) -> None:
    """Refuse to replace a folder that is not a site built here (a typo in -o must not delete someone's files)."""
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / SITE_MARKER).exists())):
        raise UsageError(N_("exists and is not a site built by piao-lod; give -o a new or empty folder"), subject=str(out))


def check_templates(templates: Path | None) -> None:
    """The publisher's templates compile, or the build stops naming the file and line at fault."""
    if templates is None:
        return
    if not templates.is_dir():
        raise UsageError(N_("--templates must be a folder of Jinja templates"), subject=str(templates))
    from jinja2 import TemplateSyntaxError

    for path in sorted(templates.rglob("*.html")):
        name = path.relative_to(templates).as_posix()
        try:
            read_user_file(path)
        except OSError as error:
            raise UsageError(N_("the template cannot be read: {error}"), subject=str(path), error=reason_of(error)) from None
        for lang in EDITIONS:
            try:
                environment_for(lang, templates).get_template(name)
            except TemplateSyntaxError as error:
                raise UsageError(N_("the template cannot be read: {error}"), subject=f"{path}:{error.lineno}",
                                 error=error.message) from None
            except TemplateError as error:
                raise UsageError(N_("the template cannot be read: {error}"), subject=str(path), error=str(error)) from None


def check_plans_inside_site(plan_graphs: list[ox.NamedNode], addresses: SiteAddresses) -> None:
    outside = [g.value for g in plan_graphs if not g.value.startswith(addresses.data_base)]
    if outside:
        raise UsageError(N_("the plan {plan} is not under the site's IRI base {base}: convert it with --base {base}, "
                            "or build with a matching --base-url"), plan=outside[0], base=addresses.data_base)


def unplaced_resource(iri: str, reason: Phrase, store: ox.Store, conversion, addresses: SiteAddresses) -> Problem:
    """The problem reported for a resource that gets no page: named by the input it came from."""
    return Problem("resource-without-page", input_of(iri, store, conversion, addresses), {"reason": reason}, iri)


def uncatalogued_plan(iri: str, year: str, store: ox.Store, conversion, addresses: SiteAddresses) -> Problem:
    return Problem("plan-without-year", input_of(iri, store, conversion, addresses), {"text": year}, iri)


def input_of(iri: str, store: ox.Store, conversion, addresses: SiteAddresses) -> Location:
    """Where a resource came from: the table of its plan, or the graph (an RDF input) it is in (the first by name:
    stores on disk and in memory list a subject's graphs in different orders)."""
    graph_iri = min((quad.graph_name.value for quad in store.quads_for_pattern(ox.NamedNode(iri), None, None, None)
                     if isinstance(quad.graph_name, ox.NamedNode)), default="")
    sources = {str(graph): path_text(plan.source.path) for plan in conversion.plans
               for iris in [plan_iris(plan, addresses.data_base)] for graph in (iris.plan, iris.version)} if graph_iri else {}
    return Location(sources.get(graph_iri, graph_iri or "input"))


def copy_sources(conversion, target: Path) -> set[str]:
    """The source documents themselves, so a reader can check every value against what the ente published
    (only tables read in this build: RDF inputs name their source but do not carry it)."""
    target.mkdir(parents=True, exist_ok=True)
    copied = set()
    for plan in conversion.plans:
        source = Path(plan.source.path)
        if source.is_file():
            shutil.copyfile(source, target / plan.source.file_name)     # the name its page links to
            copied.add(plan.source.file_name)
    return copied


def copy_static(target: Path) -> None:
    """The style sheet, fonts and vendored Bootstrap Italia: the site makes no request elsewhere."""
    from importlib.resources import as_file

    with as_file(packaged("site").joinpath("static")) as static:
        shutil.copytree(static, target)


# -- pages -------------------------------------------------------------------------------------------

_WORKER_SITES: PartSites | None = None
_WORKER_OUT: Path | None = None


def render_pages(out: Path, site: SiteData, iris: list[str], workers: int | None,
                 progress: Callable[[int, int], None] | None, done_before: int = 0,
                 shown: Callable[[ox.Quad], bool] | None = None) -> set[str]:
    """Render these resources' pages, in worker processes when there are enough pages to pay for them;
    returns the folders of the pages meant for search. ``done_before``: pages already in place, for progress.
    A :class:`PartSite` renders ente by ente (a chunk holds one ente's pages), each from an index of its ente."""
    global _WORKER_SITES, _WORKER_OUT
    _WORKER_SITES, _WORKER_OUT = PartSites(site, shown) if isinstance(site, PartSite) else WholeSite(site), out
    chunks = [chunk for _, listed in groupby(sorted(iris, key=_WORKER_SITES.part_of), key=_WORKER_SITES.part_of)
              for part in [list(listed)] for chunk in (part[start:start + CHUNK] for start in range(0, len(part), CHUNK))]
    workers = workers if workers is not None else min(os.cpu_count() or 1, 4)
    for lang in EDITIONS:        # compiled once here, before the workers fork, rather than once in each of them
        for template in sorted({page_type.template for page_type in page_types()} | {GENERIC.template, *SHARED_TEMPLATES}):
            site.environment(lang).get_template(template)
    try:
        with templates_as_loaded(site.environment(lang) for lang in EDITIONS):
            if workers <= 1 or len(chunks) < 4 or sys.platform == "win32":
                return tally(map(render_chunk, chunks), done_before, len(iris) + done_before, progress)
            with ProcessPoolExecutor(workers, mp_context=get_context("fork")) as pool:
                return tally(pool.map(render_chunk, chunks), done_before, len(iris) + done_before, progress)
    finally:
        _WORKER_SITES = _WORKER_OUT = None


def tally(results, done: int, total: int, progress: Callable[[int, int], None] | None) -> set[str]:
    searchable: set[str] = set()
    for count, found in results:
        done += count
        searchable.update(found)
        if progress:
            progress(done, total)
    return searchable


def render_chunk(iris: list[str]) -> tuple[int, list[str]]:
    """Each resource's page in every edition, and its RDF files beside the Italian one; returns how many, and
    the folders of those meant for search (the same templates in every edition)."""
    sites, out = _WORKER_SITES, os.fspath(_WORKER_OUT)
    searchable = []
    for iri in iris:
        site = sites.for_page(iri)
        page_dir = site.pages[iri]
        for lang, edition in EDITIONS.items():
            directory = os.path.join(out, check_relative(edition + page_dir))
            make_folder(directory)
            html = resource_page(site, iri, lang)
            write_file(os.path.join(directory, "index.html"), html.encode("utf-8"))
        if is_searchable(html):
            searchable.append(page_dir)
        for suffix, data in resource_rdf_files(site, iri).items():
            write_file(os.path.join(out, page_dir, f"index.{suffix}"), data)
    return len(iris), searchable


def render_fixed_pages(out: Path, site: SiteData) -> tuple[list[str], list[str]]:
    """Home, validation report, saved queries, data, the publisher's statements and 404: pages that are not a
    resource, in every edition; returns their folders within an edition, and the paths of those meant for search."""
    written, searchable = [], []
    for lang, edition in EDITIONS.items():
        for make in fixed_page_makers(site, lang).values():      # one page's context at a time
            page = make()
            target = out / check_relative(page.path)
            target.parent.mkdir(parents=True, exist_ok=True)
            html = fixed_page(site, page)
            write_file(target, html.encode("utf-8"))
            if is_searchable(html):
                searchable.append(page.path)
            if page.path.endswith("index.html") and not edition:
                written.append(page.path[: -len("index.html")])
    return written, searchable


def swap_in(staging: Path, out: Path) -> None:
    """Replace ``out`` by ``staging`` with two renames; the old site is deleted only once the new one is in place,
    by a process of its own (a large site is ~100,000 files: seconds of disk work nobody needs to wait for).
    Leftovers of a deletion that was cut short are removed by the next build."""
    for leftover in out.parent.glob(f".{out.name}.old-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    if out.exists():
        out.rename(old)
    staging.rename(out)
    if old.exists():
        delete_in_background(old)


def delete_in_background(folder: Path) -> None:
    code = "import shutil, sys; shutil.rmtree(sys.argv[1], ignore_errors=True)"
    subprocess.Popen([sys.executable, "-c", code, str(folder)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                     stderr=subprocess.DEVNULL, start_new_session=True)
