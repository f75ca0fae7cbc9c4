"""The whole graph indexed by subject and by object, so every page is rendered by navigation.

Reading the store once and walking it in memory costs one pass over the triples; a SPARQL
query per page would cost one query per resource (100 thousand at the large scale).
Templates get :class:`ResourceView` objects and ask them for values by CURIE
(``objective.value("dcterms:title")``), so what a page shows is decided in its template.
"""

from __future__ import annotations

import re
from sys import intern
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox

from piao_lod.namespaces import expand

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
LABEL_PROPERTIES = ("skos:prefLabel", "dcterms:title", "rdfs:label", "foaf:name", "dcterms:identifier")
NUMERIC_TYPES = {"http://www.w3.org/2001/XMLSchema#" + name for name in
                 ("integer", "decimal", "double", "float", "int", "long", "nonNegativeInteger", "positiveInteger")}
@dataclass(frozen=True, slots=True)
class Value:
    """A literal as a page shows it: its text, language, datatype and, for numbers, the number."""

    text: str
    language: str | None = None
    datatype: str | None = None

    @property
    def number(self) -> Decimal | None:
        if self.datatype not in NUMERIC_TYPES:
            return None
        try:
            return Decimal(self.text)
        except InvalidOperation:
            return None

    def __str__(self) -> str:
        return self.text


class ResourceIndex:
    """Subject -> predicate -> objects, and object -> predicate -> subjects, over every graph (deduplicated),
    of the quads of ``store`` that are ``shown`` (of ``quads``, some of the store's, when given: one ente's graphs).

    A resource's own triples (the RDF files beside its page) are not held: :meth:`triples_of` reads them from
    the store again, a resource at a time."""

    def __init__(self, store: ox.Store, shown: Callable[[ox.Quad], bool] = lambda quad: True,
                 quads: Iterable[ox.Quad] | None = None):
        self.store = store
        self.shown = shown
        self.outgoing: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        self.incoming: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        self.described_iris: set[str] = set()
        literals: dict[ox.Literal, Value] = {}
        long_lists: dict[int, set] = {}
        for quad in store if quads is None else quads:
            subject = quad.subject
            if not isinstance(subject, ox.NamedNode) or not shown(quad):
                continue
            # every IRI, and every literal, held once however many triples name it (a third of the index's memory)
            subject, predicate, obj = intern(subject.value), intern(quad.predicate.value), quad.object
            self.described_iris.add(subject)
            if isinstance(obj, ox.NamedNode):
                target = intern(obj.value)
                if add_once(self.outgoing[subject][predicate], target, long_lists):
                    self.incoming[target][predicate].append(subject)
            elif isinstance(obj, ox.Literal):
                value = literals.get(obj)
                if value is None:
                    language = obj.language
                    value = literals[obj] = Value(obj.value, language and intern(language),
                                                  None if language else intern(obj.datatype.value))
                add_once(self.outgoing[subject][predicate], value, long_lists)
        self.views: dict[str, ResourceView] = {}

    @classmethod
    def from_store(cls, store: ox.Store) -> ResourceIndex:
        return cls(store)

    def describes(self, iri: str) -> bool:
        """Whether ``iri`` is the subject of a triple (a resource with a page)."""
        return iri in self.described_iris

    def triples_of(self, iri: str) -> list[ox.Triple]:
        """The triples of which ``iri`` is the subject, each once, in no particular order."""
        return list(dict.fromkeys(quad.triple for quad in self.store.quads_for_pattern(ox.NamedNode(iri), None, None, None)
                                  if self.shown(quad)))

    def view(self, iri: str) -> ResourceView:
        found = self.views.get(iri)
        if found is None:
            found = self.views[iri] = ResourceView(self, iri)
        return found

    def subjects(self) -> list[str]:
        return sorted(self.described_iris)

    def instances(self, class_curie: str) -> list[ResourceView]:
        return sorted((self.view(iri) for iri in self.incoming.get(expand(class_curie), {}).get(RDF_TYPE.value, ())),
                      key=lambda view: view.sort_key)


SHORT_LIST = 16       # values of one property of one resource looked through rather than kept in a set too


def add_once(values: list, value, long_lists: dict[int, set]) -> bool:
    """Append ``value`` unless ``values`` has it (a triple held by several graphs, as a plan and its version,
    is indexed once); whether it was added. Only lists longer than :data:`SHORT_LIST` get a set to look in:
    a set of every triple, as the index had, held the whole corpus again while it was made."""
    if len(values) < SHORT_LIST:
        if value in values:
            return False
    else:
        seen = long_lists.get(id(values))
        if seen is None:
            seen = long_lists[id(values)] = set(values)
        if value in seen:
            return False
        seen.add(value)
    values.append(value)
    return True


class ResourceView:
    """One resource as templates see it."""

    def __init__(self, index: ResourceIndex, iri: str):
        self.index = index
        self.iri = iri
        self._labels: dict[str, str] = {}
        self._sort_key: tuple | None = None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ResourceView) and other.iri == self.iri

    def __hash__(self) -> int:
        return hash(self.iri)

    def __repr__(self) -> str:
        return f"ResourceView({self.iri})"

    @property
    def types(self) -> list[str]:
        return sorted(self.index.outgoing.get(self.iri, {}).get(RDF_TYPE.value, ()))

    def has_type(self, class_curie: str) -> bool:
        return expand(class_curie) in self.types

    @property
    def properties(self) -> list[tuple[str, list]]:
        """Every (predicate, values) pair, for the generic table of a page; IRIs as views."""
        described = self.index.outgoing.get(self.iri, {})
        return [(predicate, [self.index.view(v) if isinstance(v, str) else v for v in sorted(values, key=value_order)])
                for predicate, values in sorted(described.items())]

    def values(self, curie: str) -> list[Value]:
        return sorted((v for v in self.index.outgoing.get(self.iri, {}).get(expand(curie), ()) if isinstance(v, Value)),
                      key=value_order)

    def value(self, curie: str, lang: str | None = None) -> Value | None:
        """The literal in ``lang`` if there is one, else the first (an untagged one first)."""
        found = self.values(curie)
        if not found:
            return None
        if lang:
            for candidate in found:
                if candidate.language == lang:
                    return candidate
        return sorted(found, key=lambda v: (v.language is not None, v.language or "", v.text))[0]

    def linked(self, curie: str) -> list[ResourceView]:
        targets = self.index.outgoing.get(self.iri, {}).get(expand(curie), ())
        return sorted((self.index.view(t) for t in targets if isinstance(t, str)), key=lambda view: view.sort_key)

    def linked_count(self, curie: str) -> int:
        """``len(self.linked(curie))`` without reading what is linked: the home page counts each plan's objectives,
        and reading them all held every objective of the corpus in a store's index."""
        return sum(1 for target in self.index.outgoing.get(self.iri, {}).get(expand(curie), ()) if isinstance(target, str))

    def link(self, curie: str) -> ResourceView | None:
        found = self.linked(curie)
        return found[0] if found else None

    def referrers(self, curie: str) -> list[ResourceView]:
        sources = self.index.incoming.get(self.iri, {}).get(expand(curie), ())
        return sorted((self.index.view(s) for s in set(sources)), key=lambda view: view.sort_key)

    def label(self, lang: str = "it") -> str:
        """Asked for many times per page (links, sorting): computed once per view."""
        found = self._labels.get(lang)
        if found is None:
            found = self._labels[lang] = self._find_label(lang)
        return found

    def _find_label(self, lang: str) -> str:
        """A label in ``lang`` by any of the label properties first (an English ``rdfs:label`` before an
        Italian-only ``dcterms:title``), else the first label of the first property that has one."""
        fallback = None
        for curie in LABEL_PROPERTIES:
            found = self.values(curie)
            for candidate in found:
                if candidate.language == lang:
                    return candidate.text
            if found and fallback is None:
                fallback = self.value(curie, lang)
        if fallback is not None:
            return fallback.text
        return self.iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]

    @property
    def sort_key(self) -> tuple:
        """Natural order: codes and years compare as numbers where they are numbers."""
        if self._sort_key is None:
            identifier = self.value("dcterms:identifier") or self.value("skos:notation") or self.value("piao:year")
            self._sort_key = (natural_key(identifier.text if identifier else self.label()), self.iri)
        return self._sort_key

    @property
    def described(self) -> bool:
        return self.index.describes(self.iri)


def value_order(value: str | Value) -> tuple:
    """The values of a property in an order of their own (IRIs, then literals), not the order a store gives them:
    a store on disk and one in memory give the same triples in different orders, and a page must not change."""
    if isinstance(value, str):
        return (0, value, "", "")
    return (1, value.language or "", value.datatype or "", value.text)


def natural_key(text: str) -> tuple:
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part.casefold())
                 for part in re.split(r"(\d+)", text) if part)
