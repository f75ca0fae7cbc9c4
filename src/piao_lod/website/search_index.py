"""The site's full-text search: Pagefind's static index of the pages meant to be found.

Pagefind reads every HTML file of the folder it is given, and most of a site's pages (annual targets,
assignments, formulas, source rows) are kept out of search by their templates, which leave out
``data-pagefind-body``. The build knows which pages carry it as it renders them, so Pagefind is given a
tree of links to those pages only: the same index for a third of the work.

Pagefind's index cannot be updated in part (its word chunks span a whole bundle), so the enti's pages are
split into ``PARTS`` bundles by a hash of the ente, which Pagefind's search box merges with the site-wide
bundle (the fixed pages and the schemes' pages) at search time. A build indexes again only the parts
holding an ente whose pages changed, and leaves the others as the previous build wrote them: a search costs one
small request per part, whatever the number of enti, and a republished plan costs one part's index.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

from piao_lod.errors import BuildError
from piao_lod.messages import N_
from piao_lod.website.addresses import check_relative
from piao_lod.website.file_links import link_file

SEARCHABLE_MARK = "data-pagefind-body"
SEARCH_FOLDER = "pagefind"
SITE_BUNDLE = SEARCH_FOLDER + "/"  # the fixed pages' and the schemes' pages, and Pagefind's UI the home page loads
PARTS_FOLDER = SITE_BUNDLE + "parti/"  # the enti's bundles, merged by the search box with the site-wide one
PARTS = 16                         # a changed ente costs one part's index; a search, one request per part
SEARCH_INPUT = ".search-input"     # inside the site being built, so a killed build leaves nothing behind it


def is_searchable(html: str) -> bool:
    """Whether Pagefind would index this page (the site's templates mark the pages meant to be found)."""
    return SEARCHABLE_MARK in html


def bundle_of(folder: str) -> str:
    """The bundle a page is indexed in, by its folder within an edition: an ente's pages (``id/{ente}/…``)
    in one of the parts, any other page in the site-wide bundle."""
    segments = folder.split("/")
    if len(segments) > 2 and segments[0] == "id" and segments[1]:
        number = int(hashlib.sha256(segments[1].encode("utf-8")).hexdigest()[:8], 16) % PARTS
        return f"{PARTS_FOLDER}{number:02d}/"
    return SITE_BUNDLE


def search_bundles(folders: Iterable[str]) -> dict[str, list[str]]:
    """Bundle -> the folders of its pages, the site-wide bundle always among them."""
    bundles: dict[str, list[str]] = {SITE_BUNDLE: []}
    for folder in sorted(set(folders)):
        bundles.setdefault(bundle_of(folder), []).append(folder)
    return bundles


def unchanged_bundles(bundles: dict[str, list[str]], previous: set[str], reused: set[str]) -> set[str]:
    """The parts whose pages are those of the previous build (``previous``: its searchable folders), every one
    linked from it (``reused``), so its index is too."""
    before = search_bundles(previous)
    return {bundle for bundle, folders in bundles.items()
            if bundle != SITE_BUNDLE and before.get(bundle) == folders and reused.issuperset(folders)}


def index_for_search(site: Path, bundles: dict[str, list[str]], editions: Iterable[str],
                     fixed: Iterable[str] = (), kept: Path | None = None, unchanged: set[str] = frozenset()) -> None:
    """Write every bundle but those ``unchanged`` (the previous build's, left in place in the site ``kept``):
    Pagefind's index of its pages (folders, in every edition) into ``site/{bundle}``; the site-wide bundle also
    holds the ``fixed`` pages (paths of their HTML files). A page not written in ``site`` is the one in ``kept``."""
    editions = tuple(editions)
    for bundle, folders in sorted(bundles.items(), key=lambda item: item[0] != SITE_BUNDLE):
        if bundle in unchanged:
            continue
        pages = [edition + folder + "index.html" for folder in folders for edition in editions]
        run_pagefind(site, pages + (list(fixed) if bundle == SITE_BUNDLE else []), site / bundle, kept)


def run_pagefind(site: Path, pages: list[str], output: Path, kept: Path | None = None) -> None:
    tree = site / SEARCH_INPUT
    shutil.rmtree(tree, ignore_errors=True)
    try:
        for page in sorted(set(pages)):
            target = tree / check_relative(page)
            target.parent.mkdir(parents=True, exist_ok=True)
            source = site / page
            link_file(source if kept is None or source.exists() else kept / page, target)
        tree.mkdir(exist_ok=True)
        completed = subprocess.run([sys.executable, "-m", "pagefind", "--site", str(tree), "--output-path", str(output),
                                    "--silent"], capture_output=True, text=True, check=False)
    finally:
        shutil.rmtree(tree, ignore_errors=True)
    if completed.returncode != 0:
        raise BuildError(N_("pagefind failed to index the site: {error}"), error=completed.stderr.strip()[-2000:])
    sort_search_languages(output / "pagefind-entry.json")


def sort_search_languages(entry: Path) -> None:
    """Pagefind lists the editions' indexes in hash-map order, a new one each run: sorted, the same input
    gives the same site byte for byte."""
    manifest = json.loads(entry.read_text(encoding="utf-8"))
    manifest["languages"] = dict(sorted(manifest.get("languages", {}).items()))
    entry.write_text(json.dumps(manifest, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
