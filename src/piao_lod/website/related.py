"""The same objective in every version of an ente's plans: what a reader follows from one update, or one
year, to the next.

Objective IRIs contain the year (``…/piano/2024/obiettivo/X``), so the plans of two years never share an
objective, while the versions of one year's plan do. Two objectives of one ente are taken as the same when
they have the same code (``dcterms:identifier``); in a version where no objective has that code, when they
have the same title (case, accents, spacing and punctuation aside). Each entry says which of the two matched.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from piao_lod.website.resource_index import ResourceIndex, ResourceView


def title_key(title: str) -> str:
    decomposed = unicodedata.normalize("NFKD", title.casefold())
    plain = "".join(character for character in decomposed if not unicodedata.combining(character))
    return " ".join(re.sub(r"[^\w]+", " ", plain).split())


@dataclass(frozen=True)
class ObjectiveRow:
    """One row of ``queries/site/objectives-by-version.rq``."""
    version: str
    objective: str
    code: str | None
    title: str


@dataclass(frozen=True)
class Appearance:
    """The objective as one version of one of its ente's plans has it."""
    year: str
    version: str             # the version IRI
    objective: str           # the objective's IRI in that plan
    title: str
    matched_by: str          # "code" or "title"


class ObjectiveHistory:
    """Objectives indexed by version and code, and by version and title, once per build."""

    def __init__(self, index: ResourceIndex, plan_versions: dict[str, list[str]], rows: Iterable[ObjectiveRow]):
        self.versions_of_ente: dict[str, list[tuple[str, str]]] = defaultdict(list)   # ente -> (year, version)
        self.ente_of_plan: dict[str, str] = {}
        for plan_iri, versions in plan_versions.items():
            plan = index.view(plan_iri)
            ente, year = plan.link("piao:ente"), plan.value("piao:year")
            if ente is None or year is None:
                continue
            self.ente_of_plan[plan_iri] = ente.iri
            self.versions_of_ente[ente.iri].extend((year.text, version) for version in versions)
        for listed in self.versions_of_ente.values():
            listed.sort(key=lambda entry: entry[0])            # stable: a year's versions stay oldest first
        self.by_code: dict[tuple[str, str], ObjectiveRow] = {}
        self.by_title: dict[tuple[str, str], ObjectiveRow] = {}
        for row in rows:
            if row.code and row.code.strip():
                self.by_code.setdefault((row.version, row.code.strip()), row)
            if title_key(row.title):
                self.by_title.setdefault((row.version, title_key(row.title)), row)

    def of(self, objective: ResourceView) -> list[Appearance]:
        """The objective in every version of its ente's plans, by year and version; empty when it is only in
        the one it is read from."""
        plan = objective.link("piao:inPlan")
        ente = self.ente_of_plan.get(plan.iri) if plan is not None else None
        if ente is None:
            return []
        code = objective.value("dcterms:identifier")
        code = code.text.strip() if code is not None and code.text.strip() else None
        title = objective.value("dcterms:title")
        key = title_key(title.text) if title is not None else ""
        found = []
        for year, version in self.versions_of_ente[ente]:
            row = self.by_code.get((version, code)) if code else None
            matched_by = "code"
            if row is None and key:
                row, matched_by = self.by_title.get((version, key)), "title"
            if row is not None:
                found.append(Appearance(year, version, row.objective, row.title, matched_by))
        return found if len(found) > 1 else []
