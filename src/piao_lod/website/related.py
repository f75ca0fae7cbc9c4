"""The same objective in an ente's other plans: what a reader follows from one year to the next.

Objective IRIs contain the year (``…/piano/2024/obiettivo/X``), so the plans of two years never share an
objective. Two objectives of one ente are taken as the same when they have the same code
(``dcterms:identifier``); in a year where no objective has that code, when they have the same title
(case, accents, spacing and punctuation aside). Each link says which of the two matched.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from piao_lod.website.resource_index import ResourceIndex, ResourceView


def title_key(title: str) -> str:
    decomposed = unicodedata.normalize("NFKD", title.casefold())
    plain = "".join(character for character in decomposed if not unicodedata.combining(character))
    return " ".join(re.sub(r"[^\w]+", " ", plain).split())


@dataclass(frozen=True)
class Version:
    objective: ResourceView
    plan: ResourceView
    year: str
    matched_by: str          # "code" or "title"


class ObjectiveVersions:
    """Objectives indexed by ente and code, and by ente and title, once per build."""

    def __init__(self, index: ResourceIndex, objectives: list[ResourceView] | None = None):
        """Over every objective of ``index``, or over ``objectives`` (one ente's, in natural order)."""
        self.by_code: dict[tuple[str, str], list[ResourceView]] = defaultdict(list)
        self.by_title: dict[tuple[str, str], list[ResourceView]] = defaultdict(list)
        self.place: dict[str, tuple[str, ResourceView, str]] = {}      # objective -> (ente, plan, year)
        for objective in index.instances("piao:Objective") if objectives is None else objectives:
            plan = objective.link("piao:inPlan")
            ente = plan.link("piao:ente") if plan is not None else None
            year = plan.value("piao:year") if plan is not None else None
            if ente is None or year is None:
                continue
            self.place[objective.iri] = (ente.iri, plan, year.text)
            code = objective.value("dcterms:identifier")
            if code is not None and code.text.strip():
                self.by_code[(ente.iri, code.text.strip())].append(objective)
            title = objective.value("dcterms:title")
            if title is not None and title_key(title.text):
                self.by_title[(ente.iri, title_key(title.text))].append(objective)

    def of(self, objective: ResourceView) -> list[Version]:
        """The objective's versions in the ente's other plans, by year (by code where a year has the code)."""
        placed = self.place.get(objective.iri)
        if placed is None:
            return []
        ente, _, year = placed
        code = objective.value("dcterms:identifier")
        title = objective.value("dcterms:title")
        found: dict[str, list[Version]] = defaultdict(list)
        for matched_by, candidates in (
                ("code", self.by_code.get((ente, code.text.strip()), []) if code is not None else []),
                ("title", self.by_title.get((ente, title_key(title.text)), []) if title is not None else [])):
            for candidate in candidates:
                _, plan, other_year = self.place[candidate.iri]
                if other_year == year or (other_year in found and found[other_year][0].matched_by != matched_by):
                    continue
                if candidate not in [version.objective for version in found[other_year]]:
                    found[other_year].append(Version(candidate, plan, other_year, matched_by))
        return [version for other_year in sorted(found) for version in found[other_year]]
