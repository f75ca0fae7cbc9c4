"""Reusing the pages of the previous build whose content cannot have changed.

The unit is the ente: every page under ``id/{ente}/`` shows only what that ente's plans
state (its plans, objectives, settori, dirigenti, indicators), plus the ontology and the
PNRR scheme. So when a build finds the previous site made by the same piao-lod (same code,
templates and vocabularies: the *toolkit digest*), the folders of the enti none of whose plans
changed are left as they are in the site (:mod:`~piao_lod.website.in_place` updates the rest around
them) instead of rendered again, and the downloads of the plans whose graph did not change are linked
from the previous site. Everything else (PNRR pages, which list
objectives of every ente; home, catalog, the whole-site dumps, the search index) is made again.
A test checks that a rebuild after one plan changed is byte-identical to a full build.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from piao_lod.website.addresses import RESOURCE_FILES, Download, SiteAddresses
from piao_lod.website.resource_files import EarlierDownloads


def plan_digests(downloads: list[Download]) -> dict[str, str]:
    """Plan IRI -> digest of its N-Triples download (sorted, so equal graphs give equal digests)."""
    return {d.plan_iri: d.sha256 for d in downloads if d.plan_iri and d.media_type == "application/n-triples"}


def ente_of(iri: str, addresses: SiteAddresses) -> str | None:
    """``…/id/c_d150/piano/2024/obiettivo/X`` -> ``c_d150``; None outside the data IRIs."""
    if not iri.startswith(addresses.data_base):
        return None
    return iri[len(addresses.data_base):].split("/", 1)[0] or None


@dataclass(frozen=True)
class PlanDates:
    """When a plan's dataset was first published and last changed, as the catalogue states them."""

    issued: dt.date
    modified: dt.date


@dataclass
class BuildRecord:
    """What a built site says about itself (kept in its marker file)."""

    site_url: str
    toolkit: str = ""
    plans: dict[str, str] = field(default_factory=dict)       # plan IRI -> digest of its graph
    dates: dict[str, PlanDates] = field(default_factory=dict)  # plan IRI -> first published, last changed
    searchable: set[str] = field(default_factory=set)          # folders of the resource pages meant for search

    def to_json(self) -> str:
        dates = {plan: [day.issued.isoformat(), day.modified.isoformat()] for plan, day in self.dates.items()}
        return json.dumps({"built_by": "piao-lod", "site_url": self.site_url, "toolkit": self.toolkit,
                           "plans": self.plans, "dates": dates, "searchable": sorted(self.searchable)},
                          sort_keys=True) + "\n"

    @classmethod
    def read(cls, marker: Path) -> BuildRecord | None:
        try:
            data = json.loads(marker.read_text(encoding="utf-8"))
            dates = {plan: PlanDates(dt.date.fromisoformat(issued), dt.date.fromisoformat(modified))
                     for plan, (issued, modified) in dict(data.get("dates", {})).items()}
            return cls(data["site_url"], data.get("toolkit", ""), dict(data.get("plans", {})), dates,
                       {str(folder) for folder in data.get("searchable", [])})
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def date_plans(self, previous: BuildRecord | None, day: dt.date) -> None:
        """Each plan keeps the dates the previous build of this site gave it while its graph is unchanged;
        a changed plan is modified ``day``, a new one issued and modified ``day``."""
        earlier = previous if previous is not None and previous.site_url == self.site_url else BuildRecord(self.site_url)
        for plan, digest in self.plans.items():
            known = earlier.dates.get(plan)
            if known is None:
                self.dates[plan] = PlanDates(day, day)
            elif earlier.plans.get(plan) == digest:
                self.dates[plan] = known
            else:
                self.dates[plan] = PlanDates(known.issued, max(day, known.issued))


def earlier_downloads(previous: BuildRecord | None, site_url: str, toolkit: str, site: Path) -> EarlierDownloads | None:
    """The previous build's plan downloads, when this build would write the same bytes for the same graph."""
    return EarlierDownloads(site / "dati", previous.plans) if reusable(previous, site_url, toolkit) else None


def reusable(previous: BuildRecord | None, site_url: str, toolkit: str) -> bool:
    """Whether what the previous build wrote is what this one would write for the same data."""
    return previous is not None and previous.site_url == site_url and previous.toolkit == toolkit


def unchanged_enti(previous: BuildRecord | None, current: BuildRecord, addresses: SiteAddresses) -> set[str]:
    """The enti whose plans are exactly those of the previous build, when its pages can be reused at all."""
    if not reusable(previous, current.site_url, current.toolkit):
        return set()
    enti = {ente_of(plan, addresses) for plan in set(previous.plans) | set(current.plans)}
    changed = {ente_of(plan, addresses) for plan in set(previous.plans) ^ set(current.plans)}
    changed |= {ente_of(plan, addresses) for plan in current.plans if previous.plans.get(plan) != current.plans[plan]}
    return {ente for ente in enti - changed if ente}


def reuse_ente_pages(previous_site: Path, pages: dict[str, str], enti: set[str], addresses: SiteAddresses,
                     editions: tuple[str, ...]) -> tuple[set[str], dict[str, int]]:
    """Which of the ``enti`` keep their folders (``id/{ente}/`` in every edition) of the previous site as they are,
    one walk per folder rather than one look per page: the IRIs whose pages are there, and those folders (relative,
    with ``/``) with the number of files in each. An ente whose previous folder is not exactly its pages' files (a
    page missing, a stray file) is left to be rendered, and so is one reached through a symbolic link."""
    by_ente: dict[str, list[str]] = {}
    for iri in pages:
        ente = ente_of(iri, addresses)
        if ente in enti:
            by_ente.setdefault(ente, []).append(iri)
    reused: set[str] = set()
    kept: dict[str, int] = {}
    for ente, iris in sorted(by_ente.items()):
        folder = addresses.page_dir(addresses.data_base + ente)
        if folder is None or not all(pages[iri].startswith(folder) for iri in iris):
            continue
        if any(linked_on_the_way(previous_site, edition + folder) for edition in editions):
            continue
        expected = {edition + pages[iri] + name for iri in iris for edition in editions
                    for name in (PAGE_FILES if not edition else ("index.html",))}
        listed = {edition + folder: files_under(previous_site / (edition + folder)) for edition in editions}
        found = {place + name for place, names in listed.items() for name in names}
        if found != expected:
            continue
        kept.update((place, len(names)) for place, names in listed.items())
        reused.update(iris)
    return reused, kept


def linked_on_the_way(site: Path, folder: str) -> bool:
    """Whether ``folder`` (relative, with ``/``) or a folder above it within ``site`` is a symbolic link."""
    parts = folder.strip("/").split("/")
    return any(os.path.islink(site.joinpath(*parts[:depth])) for depth in range(1, len(parts) + 1))


PAGE_FILES = tuple(f"index.{suffix}" for suffix in RESOURCE_FILES)      # a resource's page and its RDF files


def files_under(folder: Path) -> list[str]:
    """Paths of every file below ``folder``, relative to it, with ``/``. A symbolic link (or a device, a pipe) is
    listed as ``NAME@``, a name no page file has: a build never writes one, so a folder holding one is not taken
    kept from the previous build (it would publish what it points to)."""
    found = []
    stack = [("", folder)]
    while stack:
        prefix, directory = stack.pop()
        try:
            entries = list(os.scandir(directory))
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                stack.append((prefix + entry.name + "/", entry.path))
            else:
                found.append(prefix + entry.name + ("" if entry.is_file(follow_symlinks=False) else "@"))
    return found
