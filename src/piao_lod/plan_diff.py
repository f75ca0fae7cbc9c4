"""``piao-lod diff OLD NEW``: what changed between two versions of a plan, or between two years.

Both sides are plan versions read into one graph each (a table converted on the way in, an RDF
file, or a version or plan IRI in a store: a plan IRI means its latest version). Objectives are
matched by code, then by title where codes changed (each change says which); their indicators by
indicator (code, or title where there is none). A change carries both values and both source rows.

The RDF form is a ``cs:ChangeSet`` (the Talis Changeset vocabulary, whose container fits) of
``piao:PlanChange`` items, each with its kind (a concept of ``piao:ChangeKinds``), the resources it
is about, the value before and after, and the rows they were read from.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from piao_lod.columns import header_key
from piao_lod.errors import SourceError, UsageError
from piao_lod.graph_inputs import load_inputs
from piao_lod.messages import DEFAULT_LANGUAGE, LANGUAGES, N_, gettext, ngettext, ngettext_
from piao_lod.namespaces import OX, PREFIX_IRIS
from piao_lod.problems import Quoted, rendered
from piao_lod.reading import ReadingOptions
from piao_lod.resources import packaged

PIAO, DCTERMS, RDF, RDFS, PROV, XSD = (OX[prefix] for prefix in ("piao", "dcterms", "rdf", "rdfs", "prov", "xsd"))
CS = "http://purl.org/vocab/changeset/schema#"

KINDS = {   # kind -> (catalogue text, ontology concept)
    "objective-added": N_("objective {objective} added"),
    "objective-removed": N_("objective {objective} removed"),
    "objective-renamed": N_("objective {objective} renamed: “{before}” → “{after}”"),
    "objective-code-changed": N_("objective “{title}” has a new code: {before} → {after} (matched by its title)"),
    "objective-moved-settore": N_("objective {objective} moved to another settore: {before} → {after}"),
    "objective-moved-dirigente": N_("objective {objective} moved to another dirigente: {before} → {after}"),
    "objective-weight-changed": N_("objective {objective}: weight {before} → {after}"),
    "indicator-added": N_("objective {objective}: indicator {indicator} added"),
    "indicator-removed": N_("objective {objective}: indicator {indicator} removed"),
    "target-changed": N_("objective {objective}, indicator {indicator}: target {year} {before} → {after}"),
    "deadline-changed": N_("objective {objective}, indicator {indicator}: deadline {year} {before} → {after}"),
    "weight-changed": N_("objective {objective}, indicator {indicator}: weight {before} → {after}"),
    "unit-changed": N_("objective {objective}, indicator {indicator}: unit {before} → {after}"),
}
CONCEPTS = {kind: "".join(part.capitalize() for part in kind.split("-")) for kind in KINDS}
EMPTY = "—"


@dataclass
class Row:
    line: int
    page: int | None = None

    def describe(self, lang: str) -> str:
        if self.page is not None:
            return gettext(lang, "page {page}, row {row}", page=self.page, row=self.line)
        return gettext(lang, "line {line}", line=self.line)


@dataclass
class IndicatorState:
    key: str
    name: str
    unit: str | None = None
    weight: str | None = None
    targets: dict[int, tuple[str | None, str | None]] = field(default_factory=dict)   # year -> (as written, date)
    row: Row | None = None
    iri: str = ""


@dataclass
class ObjectiveState:
    iri: str
    code: str | None
    title: str
    settori: set[str] = field(default_factory=set)
    dirigenti: set[str] = field(default_factory=set)    # an objective of two settori has two; the store has no order
    weights: set[str] = field(default_factory=set)      # one, unless its rows disagree
    row: Row | None = None
    indicators: dict[str, IndicatorState] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.code or Quoted(self.title)


@dataclass
class VersionState:
    iri: str
    label: str
    objectives: list[ObjectiveState]
    file: str | None = None


@dataclass
class Change:
    kind: str
    objective: str
    params: dict
    old: str | None = None          # IRIs the change is about, on each side
    new: str | None = None
    before: str | None = None
    after: str | None = None
    old_row: Row | None = None
    new_row: Row | None = None
    year: int | None = None

    def describe(self, lang: str) -> str:
        params = {name: rendered(value, lang) for name, value in self.params.items()}
        text = gettext(lang, KINDS[self.kind], objective=rendered(self.objective, lang), before=self.before or EMPTY,
                       after=self.after or EMPTY, year=self.year or "", **params)
        rows = [gettext(lang, "before: {row}", row=self.old_row.describe(lang)) if self.old_row else None,
                gettext(lang, "now: {row}", row=self.new_row.describe(lang)) if self.new_row else None]
        rows = [row for row in rows if row]
        return f"{text} ({'; '.join(rows)})" if rows else text


@dataclass
class PlanDiff:
    old: VersionState
    new: VersionState
    changes: list[Change]

    @property
    def same(self) -> bool:
        return not self.changes


# -- reading the two sides ---------------------------------------------------------------------------

def query_text(name: str) -> str:
    return (packaged("queries") / "diff" / f"{name}.rq").read_text(encoding="utf-8")


def read_side(argument: str, base: str, options: ReadingOptions, store: ox.Store | None) -> VersionState:
    """A table or RDF file (its one plan version), or an IRI of a version or plan in ``store``."""
    if argument.startswith(("http://", "https://")):
        if store is None:
            raise UsageError(N_("an IRI needs --store, the store that holds it"), subject=argument)
        return version_state(store, resolve_version(store, argument))
    path = Path(argument)
    loaded = load_inputs([path], base, options)
    if loaded.conversion.unusable:
        raise loaded.conversion.unusable[0]
    versions = [graph.value for graph in loaded.graphs if isinstance(graph, ox.NamedNode)
                and next(loaded.store.quads_for_pattern(graph, RDF.type, PIAO.PlanVersion, graph), None)]
    if len(versions) != 1:
        raise SourceError(ngettext_("holds {count} plan version; diff compares one with one",
                                    "holds {count} plan versions; diff compares one with one"), str(path),
                          count=len(versions))
    return version_state(loaded.store, versions[0])


def resolve_version(store: ox.Store, iri: str) -> str:
    node = ox.NamedNode(iri)
    if next(store.quads_for_pattern(node, RDF.type, PIAO.PlanVersion, node), None):
        return iri
    latest = next(store.quads_for_pattern(node, PIAO.latestVersion, None, node), None)
    if latest is None:
        raise UsageError(N_("neither a plan version nor a plan in the store"), subject=iri)
    return latest.object.value


def version_state(store: ox.Store, version: str) -> VersionState:
    graph = ox.NamedNode(version)
    label = next((quad.object.value for quad in store.quads_for_pattern(graph, RDFS.label, None, graph)
                  if quad.object.language == "it"), version)
    objectives: dict[str, ObjectiveState] = {}
    for row in store.query(query_text("objectives"), default_graph=graph):
        iri = row["objective"].value
        found = objectives.get(iri)
        if found is None:
            found = objectives[iri] = ObjectiveState(iri, value(row, "code"), row["title"].value)
        for values, name in ((found.settori, "settore"), (found.dirigenti, "dirigente"), (found.weights, "weightAsWritten")):
            if value(row, name):
                values.add(value(row, name))
        found.row = earliest(found.row, row_of(row))
    for row in store.query(query_text("assignments"), default_graph=graph):
        objective = objectives.get(row["objective"].value)
        if objective is None:
            continue
        key = value(row, "code") or header_key(value(row, "title") or row["assignment"].value)
        indicator = objective.indicators.get(key)
        if indicator is None:
            indicator = objective.indicators[key] = IndicatorState(
                key, value(row, "code") or Quoted(value(row, "title")), value(row, "unit"),
                value(row, "weightAsWritten"), iri=row["assignment"].value)
        if row["year"] is not None:
            indicator.targets[int(row["year"].value)] = (value(row, "target"), value(row, "targetDate"))
        indicator.row = earliest(indicator.row, row_of(row))
    for objective in objectives.values():      # in the order of their rows, not in the store's (another in memory and on disk)
        objective.indicators = dict(sorted(objective.indicators.items(), key=lambda item: row_order(item[1].row, item[0])))
    file = next((quad.object.value for source in store.quads_for_pattern(graph, PROV.wasDerivedFrom, None, graph)
                 for quad in store.quads_for_pattern(source.object, PIAO.fileName, None, graph)), None)
    return VersionState(version, label, sorted(objectives.values(), key=lambda o: (o.row.line if o.row else 0, o.iri)), file)


def joined(values: set[str]) -> str | None:
    return "; ".join(sorted(values)) or None


def value(row, name: str) -> str | None:
    term = row[name]
    return term.value if term is not None else None


def row_of(row) -> Row | None:
    if row["line"] is None:
        return None
    return Row(int(row["line"].value), int(row["page"].value) if row["page"] is not None else None)


def row_order(row: Row | None, key: str) -> tuple[int, int, str]:
    return (row.page or 0, row.line, key) if row is not None else (0, 0, key)


def earliest(current: Row | None, other: Row | None) -> Row | None:
    if current is None:
        return other
    if other is None:
        return current
    return min(current, other, key=lambda row: (row.page or 0, row.line))


# -- comparing ------------------------------------------------------------------------------------------

def compare(old: VersionState, new: VersionState) -> PlanDiff:
    """Objectives are paired by code, else by title. A code (or title) a version gives several objectives (one
    objective under two settori is two objectives of one code) pairs each with the one of the same settori, else of
    the same title, else the first in row order: never crosswise."""
    changes: list[Change] = []
    unmatched_new = list(new.objectives)
    pairs: list[tuple[ObjectiveState, ObjectiveState, str]] = []
    matched_old: set[int] = set()
    for basis, key in (("code", lambda objective: objective.code), ("title", lambda objective: header_key(objective.title))):
        by_key: dict[str, list[ObjectiveState]] = {}
        for objective in unmatched_new:
            if key(objective):
                by_key.setdefault(key(objective), []).append(objective)
        for objective in old.objectives:
            candidates = by_key.get(key(objective)) if id(objective) not in matched_old and key(objective) else None
            if candidates:
                other = min(candidates, key=lambda candidate: (candidate.settori != objective.settori,
                                                               header_key(candidate.title) != header_key(objective.title)))
                candidates.remove(other)
                unmatched_new.remove(other)
                pairs.append((objective, other, basis))
                matched_old.add(id(objective))
    for objective in old.objectives:
        if id(objective) not in matched_old:
            changes.append(Change("objective-removed", objective.name, {}, old=objective.iri, old_row=objective.row))
    for before, after, basis in sorted(pairs, key=lambda pair: (pair[1].row.line if pair[1].row else 0, pair[1].iri)):
        changes += compare_objectives(before, after, basis)
    for objective in unmatched_new:
        changes.append(Change("objective-added", objective.name, {}, new=objective.iri, new_row=objective.row))
    return PlanDiff(old, new, changes)


def compare_objectives(old: ObjectiveState, new: ObjectiveState, basis: str) -> list[Change]:
    name = new.name
    common = {"old": old.iri, "new": new.iri, "old_row": old.row, "new_row": new.row}
    changes = []
    if basis == "title" and old.code != new.code:
        changes.append(Change("objective-code-changed", name, {"title": new.title}, before=old.code, after=new.code, **common))
    elif header_key(old.title) != header_key(new.title):
        changes.append(Change("objective-renamed", name, {}, before=old.title, after=new.title, **common))
    for kind, before, after in (("objective-moved-settore", old.settori, new.settori),
                                ("objective-moved-dirigente", old.dirigenti, new.dirigenti),
                                ("objective-weight-changed", old.weights, new.weights)):
        if before != after:
            changes.append(Change(kind, name, {}, before=joined(before), after=joined(after), **common))
    for key, indicator in old.indicators.items():
        if key not in new.indicators:
            changes.append(Change("indicator-removed", name, {"indicator": indicator.name}, old=indicator.iri,
                                  old_row=indicator.row))
    for key, after in new.indicators.items():
        before = old.indicators.get(key)
        if before is None:
            changes.append(Change("indicator-added", name, {"indicator": after.name}, new=after.iri, new_row=after.row))
            continue
        changes += compare_indicators(name, before, after)
    return changes


def compare_indicators(objective: str, old: IndicatorState, new: IndicatorState) -> list[Change]:
    common = {"old": old.iri, "new": new.iri, "old_row": old.row, "new_row": new.row}
    params = {"indicator": new.name}
    changes = []
    for year in sorted(set(old.targets) | set(new.targets)):
        (was, was_date), (now, now_date) = old.targets.get(year, (None, None)), new.targets.get(year, (None, None))
        if was_date or now_date:
            if was_date != now_date:
                changes.append(Change("deadline-changed", objective, params, before=was, after=now, year=year, **common))
        elif was != now:
            changes.append(Change("target-changed", objective, params, before=was, after=now, year=year, **common))
    if old.weight != new.weight:
        changes.append(Change("weight-changed", objective, params, before=old.weight, after=new.weight, **common))
    if (old.unit or "") != (new.unit or ""):
        changes.append(Change("unit-changed", objective, params, before=old.unit, after=new.unit, **common))
    return changes


def diff(old: str, new: str, base: str, options: ReadingOptions, store: ox.Store | None = None) -> PlanDiff:
    return compare(read_side(old, base, options, store), read_side(new, base, options, store))


# -- output ------------------------------------------------------------------------------------------------

def render_text(result: PlanDiff, lang: str = DEFAULT_LANGUAGE) -> str:
    lines = [gettext(lang, "From {old}", old=result.old.label), gettext(lang, "to {new}", new=result.new.label), ""]
    lines += [f"  {change.describe(lang)}" for change in result.changes]
    if result.changes:
        lines.append("")
    lines.append(ngettext(lang, "{count} change", "{count} changes", len(result.changes)) if result.changes
                 else gettext(lang, "No change."))
    return "\n".join(lines) + "\n"


def as_dict(result: PlanDiff, lang: str = DEFAULT_LANGUAGE) -> dict:
    def row(found: Row | None):
        return {"line": found.line, "page": found.page} if found else None
    return {
        "old": {"version": result.old.iri, "label": result.old.label, "file": result.old.file},
        "new": {"version": result.new.iri, "label": result.new.label, "file": result.new.file},
        "same": result.same,
        "changes": [{"kind": change.kind, "message": change.describe(lang), "objective": identifier(change.objective),
                     "indicator": identifier(change.params.get("indicator")), "year": change.year, "before": change.before,
                     "after": change.after, "old": change.old, "new": change.new, "old_row": row(change.old_row),
                     "new_row": row(change.new_row)} for change in result.changes],
    }


def identifier(name: str | None) -> str | None:
    """An objective's or indicator's code, or its title in “…” when it has none: the same in every language."""
    return rendered(name, "en") if name is not None else None


def render_json(result: PlanDiff, lang: str = DEFAULT_LANGUAGE) -> str:
    return json.dumps(as_dict(result, lang), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def change_set_triples(result: PlanDiff) -> list[ox.Triple]:
    """The changes as RDF: a cs:ChangeSet about the new version, one piao:PlanChange per change."""
    node = ox.NamedNode(f"{result.new.iri}/modifiche-da/{result.old.iri.rsplit('/piano/', 1)[-1].replace('/', '-')}")
    literal = ox.Literal
    triples = [ox.Triple(node, RDF.type, ox.NamedNode(CS + "ChangeSet")),
               ox.Triple(node, ox.NamedNode(CS + "subjectOfChange"), ox.NamedNode(result.new.iri)),
               ox.Triple(node, PIAO.comparedWith, ox.NamedNode(result.old.iri))]
    for lang in LANGUAGES:
        triples.append(ox.Triple(node, RDFS.label, literal(gettext(lang, "Changes from {old} to {new}", old=result.old.label,
                                                                   new=result.new.label), language=lang)))
    for number, change in enumerate(result.changes, start=1):
        item = ox.NamedNode(f"{node.value}/{number}")
        triples += [ox.Triple(node, PIAO.change, item), ox.Triple(item, RDF.type, PIAO.PlanChange),
                    ox.Triple(item, PIAO.changeKind, PIAO[CONCEPTS[change.kind]])]
        for lang in LANGUAGES:
            triples.append(ox.Triple(item, RDFS.label, literal(change.describe(lang), language=lang)))
        for predicate, iri in ((PIAO.changedFrom, change.old), (PIAO.changedTo, change.new)):
            if iri:
                triples.append(ox.Triple(item, predicate, ox.NamedNode(iri)))
        for predicate, text in ((PIAO.valueBefore, change.before), (PIAO.valueAfter, change.after)):
            if text is not None:
                triples.append(ox.Triple(item, predicate, literal(text)))
        if change.year:
            triples.append(ox.Triple(item, PIAO.targetYear, literal(str(change.year), datatype=XSD.gYear)))
    return triples


def render_turtle(result: PlanDiff) -> str:
    return ox.serialize(sorted(change_set_triples(result), key=str), format=ox.RdfFormat.TURTLE,
                        prefixes={**PREFIX_IRIS, "cs": CS}).decode("utf-8")

