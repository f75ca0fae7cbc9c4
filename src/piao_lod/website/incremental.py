"""Reusing the pages of the previous build whose content cannot have changed.

The unit is the ente: every page under ``id/{ente}/`` shows only what that ente's plans
state (its plans, objectives, settori, dirigenti, indicators), plus the ontology and the
PNRR scheme. So when a build finds the previous site made by the same piao-lod (same code,
templates and vocabularies: the *toolkit digest*), the pages of the enti none of whose plans
changed are linked from the previous site instead of rendered again. Everything else (PNRR
pages, which list objectives of every ente; home, catalog, dumps, search index) is rebuilt.
A test checks that a rebuild after one plan changed is byte-identical to a full build.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from piao_lod.website.addresses import RESOURCE_FILES, Download, SiteAddresses


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

    def to_json(self) -> str:
        dates = {plan: [day.issued.isoformat(), day.modified.isoformat()] for plan, day in self.dates.items()}
        return json.dumps({"built_by": "piao-lod", "site_url": self.site_url, "toolkit": self.toolkit,
                           "plans": self.plans, "dates": dates}, sort_keys=True) + "\n"

    @classmethod
    def read(cls, marker: Path) -> BuildRecord | None:
        try:
            data = json.loads(marker.read_text(encoding="utf-8"))
            dates = {plan: PlanDates(dt.date.fromisoformat(issued), dt.date.fromisoformat(modified))
                     for plan, (issued, modified) in dict(data.get("dates", {})).items()}
            return cls(data["site_url"], data.get("toolkit", ""), dict(data.get("plans", {})), dates)
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


def unchanged_enti(previous: BuildRecord | None, current: BuildRecord, addresses: SiteAddresses) -> set[str]:
    """The enti whose plans are exactly those of the previous build, when its pages can be reused at all."""
    if previous is None or previous.site_url != current.site_url or previous.toolkit != current.toolkit:
        return set()
    enti = {ente_of(plan, addresses) for plan in set(previous.plans) | set(current.plans)}
    changed = {ente_of(plan, addresses) for plan in set(previous.plans) ^ set(current.plans)}
    changed |= {ente_of(plan, addresses) for plan in current.plans if previous.plans.get(plan) != current.plans[plan]}
    return {ente for ente in enti - changed if ente}


def reuse_page(previous_site: Path, staging: Path, page_dir: str, names: tuple[str, ...] | None = None) -> bool:
    """Link (or copy) a page and its RDF files (or only the files ``names``) from the previous site; False if
    they are not all there."""
    source = previous_site / page_dir
    names = names or tuple(f"index.{suffix}" for suffix in RESOURCE_FILES)
    if not all((source / name).is_file() for name in names):
        return False
    target = staging / page_dir
    target.mkdir(parents=True, exist_ok=True)
    for name in names:
        try:
            os.link(source / name, target / name)
        except OSError:
            shutil.copy2(source / name, target / name)
    return True
