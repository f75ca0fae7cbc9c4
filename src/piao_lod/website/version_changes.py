"""What a plan version's page says changed: from the version before it, or, for the first version of a
year's plan, from the latest version of the same ente's plan of the year before ("Cosa è cambiato")."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from piao_lod.namespaces import OX
from piao_lod.plan_diff import PlanDiff, compare, version_state

PIAO, DCTERMS = OX["piao"], OX["dcterms"]


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


@dataclass(frozen=True)
class ObjectiveInVersion:
    year: int
    version: str                  # the version IRI
    objective: str                # the objective's IRI in that plan
    title: str
    matched_by: str               # "code" or "title"


def literal_of(store: ox.Store, subject: str, predicate: ox.NamedNode, graph: str) -> str | None:
    quad = next(store.quads_for_pattern(ox.NamedNode(subject), predicate, None, ox.NamedNode(graph)), None)
    return quad.object.value if quad is not None else None


def objective_history(store: ox.Store, versions: dict[str, list[str]], objective: str) -> list[ObjectiveInVersion]:
    """The objective in every version of every plan of its ente, oldest first: matched by its code, or by
    its title in a plan where no objective has the code (a code that changed)."""
    plans_here = [plan for plan, listed in versions.items() if objective.startswith(plan + "/")]
    if not plans_here:
        return []
    home = plans_here[0]
    latest = versions[home][-1]
    code = literal_of(store, objective, DCTERMS.identifier, latest)
    title = literal_of(store, objective, DCTERMS.title, latest)
    where = plan_of(store, home)
    if where is None:
        return []
    found = []
    for plan, listed in versions.items():
        other = plan_of(store, plan)
        if other is None or other[0] != where[0]:
            continue
        for version in listed:
            graph = ox.NamedNode(version)
            candidates = [quad.subject.value for quad in store.quads_for_pattern(None, PIAO.inPlan, ox.NamedNode(plan), graph)]
            by_code = [iri for iri in candidates if code and literal_of(store, iri, DCTERMS.identifier, version) == code]
            by_title = [] if by_code else [iri for iri in candidates if title and literal_of(store, iri, DCTERMS.title, version) == title]
            for iri, basis in [(iri, "code") for iri in by_code[:1]] or [(iri, "title") for iri in by_title[:1]]:
                found.append(ObjectiveInVersion(other[1], version, iri, literal_of(store, iri, DCTERMS.title, version) or "", basis))
    return sorted(found, key=lambda entry: (entry.year, versions_position(versions, entry.version)))


def versions_position(versions: dict[str, list[str]], version: str) -> int:
    return next((listed.index(version) for listed in versions.values() if version in listed), 0)
