"""What a plan version's page says changed: from the version before it, or, for the first version of a
year's plan, from the latest version of the same ente's plan of the year before ("Cosa è cambiato")."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from piao_lod.namespaces import OX
from piao_lod.plan_diff import PlanDiff, compare, version_state
from piao_lod.website.display import year_number

PIAO = OX["piao"]


@dataclass(frozen=True)
class VersionChanges:
    previous: str                 # the version compared with
    across_years: bool            # the previous year's plan, not an earlier version of this one
    diff: PlanDiff


def plan_of(store: ox.Store, plan: str) -> tuple[str, int] | None:
    """(ente IRI, year) of a plan, as its versions state them."""
    node = ox.NamedNode(plan)
    ente = next(store.quads_for_pattern(node, PIAO.ente, None, None), None)
    year = next(store.quads_for_pattern(node, PIAO.year, None, None), None)
    number = year_number(year.object.value) if year is not None else None
    if ente is None or number is None:
        return None
    return ente.object.value, number


class VersionOrder:
    """Where each version stands: its plan and place among the plan's versions, and each ente's plan of each
    year, to find what a version page compares with. Made once per build (each plan looked up once)."""

    def __init__(self, store: ox.Store, versions: dict[str, list[str]]):
        self.versions = versions
        self.place = {version: (plan, position) for plan, listed in versions.items()
                      for position, version in enumerate(listed)}
        self.where = {plan: found for plan in versions if (found := plan_of(store, plan)) is not None}
        self.plan_at: dict[tuple[str, int], str] = {}
        for plan, found in self.where.items():
            self.plan_at.setdefault(found, plan)

    def previous(self, version: str) -> tuple[str, bool] | None:
        """The version ``version`` is compared with, and whether it is the latest of the year before's plan
        (rather than an earlier version of the same plan); None when there is none."""
        placed = self.place.get(version)
        if placed is None:
            return None
        plan, position = placed
        if position:
            return self.versions[plan][position - 1], False
        if plan not in self.where:
            return None
        ente, year = self.where[plan]
        earlier = self.plan_at.get((ente, year - 1))
        return (self.versions[earlier][-1], True) if earlier is not None else None


def version_changes(store: ox.Store, order: VersionOrder, version: str) -> VersionChanges | None:
    """The changes shown on ``version``'s page; None for the first version of an ente's first plan."""
    found = order.previous(version)
    if found is None:
        return None
    previous, across_years = found
    return VersionChanges(previous, across_years, compare(version_state(store, previous), version_state(store, version)))
