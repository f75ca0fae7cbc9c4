"""The versions of each plan: their order, which is the latest, and which each one revises.

A plan (one ente, one year) may be adopted and then updated during the year: each version is its
own document and its own named graph (``{plan}/versione/{key}``), so loading an update never
erases the original. What is known only from all the versions together lives in the plan's own
named graph (named by the plan IRI): ``dcterms:hasVersion`` each version, ``piao:versionOrder``,
``prov:wasRevisionOf`` from each version to the one before it, and ``piao:latestVersion``.

Order: by adoption date (``dcterms:issued``) when every version of the plan has one; otherwise in
the order the versions were given (the order of the sources on the command line, then of the
loads into a store: a version loaded later is newer). Loading a version again keeps its place.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from piao_lod.namespaces import OX

PIAO, DCTERMS, PROV, RDF, XSD = (OX[prefix] for prefix in ("piao", "dcterms", "prov", "rdf", "xsd"))


@dataclass(frozen=True)
class VersionEntry:
    plan: str
    version: str
    adopted: dt.date | None
    order: int


def ordered(entries: Iterable[VersionEntry]) -> list[VersionEntry]:
    entries = list(entries)
    if entries and all(entry.adopted for entry in entries):
        return sorted(entries, key=lambda entry: (entry.adopted, entry.order, entry.version))
    return sorted(entries, key=lambda entry: (entry.order, entry.version))


def index_quads(entries: Sequence[VersionEntry]) -> list[ox.Quad]:
    """The plan's own graph, for the versions of one plan."""
    versions = ordered(entries)
    plan = ox.NamedNode(versions[0].plan)
    quads = [ox.Quad(plan, RDF.type, PIAO.Plan, plan), ox.Quad(plan, PIAO.latestVersion, ox.NamedNode(versions[-1].version), plan)]
    for position, entry in enumerate(versions):
        node = ox.NamedNode(entry.version)
        quads.append(ox.Quad(plan, DCTERMS.hasVersion, node, plan))
        quads.append(ox.Quad(node, PIAO.versionOrder, ox.Literal(str(entry.order), datatype=XSD.integer), plan))
        if position:
            quads.append(ox.Quad(node, PROV.wasRevisionOf, ox.NamedNode(versions[position - 1].version), plan))
    return quads


def indexes(entries: Iterable[VersionEntry]) -> list[ox.Quad]:
    """The own graph of every plan the entries are versions of."""
    by_plan: dict[str, list[VersionEntry]] = {}
    for entry in entries:
        by_plan.setdefault(entry.plan, []).append(entry)
    return [quad for plan in sorted(by_plan) for quad in index_quads(by_plan[plan])]


def entries_in_order_given(plans_versions: Sequence[tuple[str, str, dt.date | None]]) -> list[VersionEntry]:
    """(plan IRI, version IRI, adoption date) in the order given -> entries numbered from 1 within each plan."""
    counts: dict[str, int] = {}
    entries = []
    for plan, version, adopted in plans_versions:
        counts[plan] = counts.get(plan, 0) + 1
        entries.append(VersionEntry(plan, version, adopted, counts[plan]))
    return entries


def stored_entries(store: ox.Store, plan: str) -> list[VersionEntry]:
    """The versions of ``plan`` in a store, with the order its own graph gives them (none yet: 0)."""
    node = ox.NamedNode(plan)
    found = {}
    for quad in store.quads_for_pattern(node, DCTERMS.hasVersion, None, None):
        if isinstance(quad.graph_name, ox.NamedNode) and quad.graph_name == quad.object:   # stated by the version's own graph
            version = quad.object
            issued = next(store.quads_for_pattern(version, DCTERMS.issued, None, version), None)
            adopted = dt.date.fromisoformat(issued.object.value) if issued is not None else None
            order = next(store.quads_for_pattern(version, PIAO.versionOrder, None, node), None)
            found[version.value] = VersionEntry(plan, version.value, adopted, int(order.object.value) if order else 0)
    return list(found.values())


def refresh_indexes(store: ox.Store, plans: Iterable[str], loaded: Sequence[str]) -> None:
    """Rewrite the own graph of each plan from the versions the store holds; ``loaded`` are the version IRIs
    this load wrote, in the order given: a version new to the store comes after every one it had."""
    for plan in sorted(set(plans)):
        entries = stored_entries(store, plan)
        known = {entry.version: entry for entry in entries if entry.order}
        last = max((entry.order for entry in known.values()), default=0)
        numbered = []
        for entry in entries:
            if entry.version in known:
                numbered.append(entry)
        for version in loaded:
            if version not in known and any(entry.version == version for entry in entries):
                last += 1
                adopted = next(entry.adopted for entry in entries if entry.version == version)
                numbered.append(VersionEntry(plan, version, adopted, last))
        unplaced = [entry for entry in entries if entry.version not in {item.version for item in numbered}]
        for entry in sorted(unplaced, key=lambda item: item.version):
            last += 1
            numbered.append(VersionEntry(plan, entry.version, entry.adopted, last))
        graph = ox.NamedNode(plan)
        store.clear_graph(graph)
        if numbered:
            store.extend(index_quads(numbered))


def versions_by_plan(store: ox.Store) -> dict[str, list[str]]:
    """Plan IRI -> its version IRIs, oldest first, as the plans' own graphs order them."""
    found: dict[str, list[tuple[int, str]]] = {}
    for quad in store.quads_for_pattern(None, PIAO.versionOrder, None, None):
        plan = quad.graph_name
        if isinstance(plan, ox.NamedNode) and isinstance(quad.subject, ox.NamedNode):
            found.setdefault(plan.value, []).append((int(quad.object.value), quad.subject.value))
    return {plan: [version for _, version in sorted(entries)] for plan, entries in sorted(found.items())}


class LatestVersionsFilter:
    """Which quads show each plan as its latest version: every quad but those of older versions' graphs,
    except what they say of the version itself and of its source document (so both can still be named and
    linked). One rule for the build's index and for pages read from a store."""

    def __init__(self, versions: dict[str, list[str]]):
        self.older = {ox.NamedNode(version) for listed in versions.values() for version in listed[:-1]}
        self.kept = {node for version in self.older for node in (version, ox.NamedNode(version.value + "/fonte"))}

    def __call__(self, quad: ox.Quad) -> bool:
        return quad.graph_name not in self.older or quad.subject in self.kept
