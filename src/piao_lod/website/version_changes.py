"""What a plan version's page says changed: from the version before it, or, for the first version of a
year's plan, from the latest version of the same ente's plan of the year before ("Cosa è cambiato")."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from piao_lod.namespaces import OX
from piao_lod.plan_diff import PlanDiff, compare, version_state

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
    if ente is None or year is None or not year.object.value[:4].isdigit():
        return None
    return ente.object.value, int(year.object.value[:4])


def previous_of(store: ox.Store, versions: dict[str, list[str]], version: str) -> tuple[str, bool] | None:
    for plan, listed in versions.items():
        if version not in listed:
            continue
        position = listed.index(version)
        if position:
            return listed[position - 1], False
        here = plan_of(store, plan)
        if here is None:
            return None
        ente, year = here
        earlier = [other for other in versions if other != plan and plan_of(store, other) == (ente, year - 1)]
        return (versions[earlier[0]][-1], True) if earlier else None
    return None


def version_changes(store: ox.Store, versions: dict[str, list[str]], version: str) -> VersionChanges | None:
    """The changes shown on ``version``'s page; None for the first version of an ente's first plan."""
    found = previous_of(store, versions, version)
    if found is None:
        return None
    previous, across_years = found
    return VersionChanges(previous, across_years, compare(version_state(store, previous), version_state(store, version)))
