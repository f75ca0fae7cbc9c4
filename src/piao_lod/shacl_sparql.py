"""Run SHACL shapes as SPARQL queries over an Oxigraph store.

pyshacl evaluates constraints focus node by focus node with rdflib's SPARQL
engine: on the 4k-triple Cremona plan that takes ~16 s. Here each constraint of
``shapes/`` is compiled once into one SELECT that finds *all* its violations
(``$this`` left unbound and joined with the shape's target), and Oxigraph runs
it. The constraints that test each value of a target on its own (no grouping, no rule of the plan) are run
together, one query per target class with a ``UNION`` branch each, so that the target's instances are found once
for all of them rather than once per constraint. The shapes stay the single source of truth; the tests check that this
engine and pyshacl give the same results.

Only the SHACL features the project's shapes use are compiled; a shape using
anything else is refused when the shapes are loaded, so the two engines cannot
drift apart silently.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import RDF, RDFS, SH, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import BNode, Node

from piao_lod.rdflib_edge import to_rdflib

COMPONENT = {name: URIRef(f"{SH}{name}ConstraintComponent") for name in (
    "MinCount", "MaxCount", "Datatype", "Pattern", "MinInclusive", "MaxInclusive", "MinLength", "LanguageIn",
    "UniqueLang", "Class", "In", "HasValue", "Or", "Node", "NodeKind", "SPARQL")}
NODE_LEVEL = {SH.nodeKind, SH.pattern, SH.flags}
PROPERTY_KEYS = {SH.path, SH.minCount, SH.maxCount, SH.datatype, SH.pattern, SH.minInclusive, SH.maxInclusive,
                 SH.minLength, SH.languageIn, SH.uniqueLang, SH["class"], SH["in"], SH.hasValue, SH["or"], SH.node,
                 SH.severity, SH.message, RDF.type, RDFS.label, SH.name, SH.description}
NODE_KEYS = {SH.targetClass, SH.property, SH.sparql, SH.nodeKind, SH.pattern, SH.severity, SH.message, RDF.type,
             RDFS.label}
TEMPLATE = re.compile(r"\{[?$](\w+)\}")


class UnsupportedShape(ValueError):
    """The shapes use a SHACL feature this engine does not compile."""


@dataclass(frozen=True)
class Finding:
    """One validation result, engine-neutral (rdflib terms)."""

    focus: Node
    shape: URIRef
    component: URIRef
    constraint: URIRef | None
    severity: URIRef
    path: Node | None
    value: Node | None
    messages: tuple[Literal, ...]

    @property
    def rule(self) -> URIRef:
        """The SPARQL constraint for plan rules, else the property or node shape."""
        return self.constraint or self.shape


@dataclass(frozen=True)
class CompiledConstraint:
    shape: URIRef
    component: URIRef
    constraint: URIRef | None
    severity: URIRef
    path: Node | None
    messages: tuple[Literal, ...]
    query: str
    focus: str = ""
    branch: str | None = None     # the pattern without its focus, when it binds ?this and ?value itself (a value test)


@dataclass(frozen=True)
class ConstraintQuery:
    """One query run for one constraint, or for the branches of several: then each solution's ``?branch`` is the
    index of the constraint whose branch matched."""

    text: str
    constraints: tuple[CompiledConstraint, ...]
    branched: bool = False


def term(node: Node) -> str:
    return node.n3()


def path_text(shapes: Graph, path: Node) -> str:
    if isinstance(path, URIRef):
        return term(path)
    if isinstance(path, BNode) and (path, RDF.first, None) in shapes:
        return "/".join(path_text(shapes, step) for step in Collection(shapes, path))
    raise UnsupportedShape(f"only predicate and sequence paths are compiled, not {path!r}")


def listed(shapes: Graph, head: Node) -> list[Node]:
    return list(Collection(shapes, head))


def check_keys(shapes: Graph, shape: Node, allowed: set[URIRef]) -> None:
    for predicate in set(shapes.predicates(shape)):
        if predicate not in allowed:
            raise UnsupportedShape(f"{shape}: {predicate} is not compiled to SPARQL")


def sparql_prefixes(shapes: Graph, constraint: Node) -> str:
    lines = []
    for holder in shapes.objects(constraint, SH.prefixes):
        for declaration in shapes.objects(holder, SH.declare):
            prefix = shapes.value(declaration, SH.prefix)
            namespace = shapes.value(declaration, SH.namespace)
            lines.append(f"PREFIX {prefix}: <{namespace}>")
    return "\n".join(sorted(set(lines)))


class ShapesCompiler:
    def __init__(self, shapes: Graph):
        self.shapes = shapes

    def compile(self) -> list[CompiledConstraint]:
        compiled: list[CompiledConstraint] = []
        for node_shape in sorted(set(self.shapes.subjects(SH.targetClass, None))):
            check_keys(self.shapes, node_shape, NODE_KEYS)
            for target in self.shapes.objects(node_shape, SH.targetClass):
                focus = f"?this {term(RDF.type)}/{term(RDFS.subClassOf)}* {term(target)} ."
                compiled += self.node_constraints(node_shape, focus)
                for property_shape in sorted(self.shapes.objects(node_shape, SH.property)):
                    compiled += self.property_constraints(node_shape, property_shape, focus)
                for sparql in sorted(self.shapes.objects(node_shape, SH.sparql)):
                    compiled.append(self.sparql_constraint(node_shape, sparql, focus))
        return compiled

    def severity(self, shape: Node) -> URIRef:
        return self.shapes.value(shape, SH.severity) or SH.Violation

    def messages(self, *holders: Node) -> tuple[Literal, ...]:
        for holder in holders:
            found = tuple(sorted(self.shapes.objects(holder, SH.message)))
            if found:
                return found
        return ()

    def make(self, shape, component, body, focus, path=None, select="?this ?value", extra="", constraint=None,
             message_holder=None, before="") -> CompiledConstraint:
        """``before`` is a pattern joined ahead of the focus: Oxigraph evaluates a subquery there first."""
        query = f"SELECT DISTINCT {select} WHERE {{ {before}{focus} {body} }} {extra}"
        branch = body if path is not None and select == "?this ?value" and not extra else None
        return CompiledConstraint(shape, COMPONENT[component], constraint, self.severity(shape), path,
                                  self.messages(*(h for h in (message_holder, shape) if h is not None)), query,
                                  focus, branch)

    def node_constraints(self, shape: URIRef, focus: str) -> list[CompiledConstraint]:
        found = []
        if (kind := self.shapes.value(shape, SH.nodeKind)) is not None:
            if kind != SH.IRI:
                raise UnsupportedShape(f"{shape}: only sh:nodeKind sh:IRI is compiled")
            found.append(self.make(shape, "NodeKind", "FILTER (!isIRI(?this)) BIND (?this AS ?value)", focus))
        if (pattern := self.shapes.value(shape, SH.pattern)) is not None:
            found.append(self.make(shape, "Pattern", f"FILTER (!REGEX(STR(?this), {term(pattern)})) BIND (?this AS ?value)", focus))
        return found

    def property_constraints(self, node_shape: URIRef, shape: Node, focus: str) -> list[CompiledConstraint]:
        check_keys(self.shapes, shape, PROPERTY_KEYS)
        raw_path = self.shapes.value(shape, SH.path)
        path = path_text(self.shapes, raw_path)
        values = f"?this {path} ?value ."
        value = self.shapes.value
        found = []

        def add(component: str, body: str, **options) -> None:
            found.append(self.make(shape, component, body, focus, path=raw_path, **options))

        # One value required: MINUS the focus nodes that have one (1.8 times faster than counting every focus node's
        # values). A maximum: the values counted by the path's own triples first, then joined with the target (2 times
        # faster than counting from every focus node).
        if (count := value(shape, SH.minCount)) == Literal(1):
            add("MinCount", f"MINUS {{ {values} }}", select="?this")
        elif count is not None:
            add("MinCount", f"OPTIONAL {{ {values} }}", select="?this",
                extra=f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) < {int(count)})")
        if (count := value(shape, SH.maxCount)) is not None:
            add("MaxCount", "", select="?this",
                before=f"{{ SELECT ?this WHERE {{ {values} }} GROUP BY ?this HAVING (COUNT(DISTINCT ?value) > {int(count)}) }} ")
        if (datatype := value(shape, SH.datatype)) is not None:
            add("Datatype", f"{values} FILTER (!isLiteral(?value) || DATATYPE(?value) != {term(datatype)})")
        if (pattern := value(shape, SH.pattern)) is not None:
            add("Pattern", f"{values} FILTER (isBlank(?value) || !REGEX(STR(?value), {term(pattern)}))")
        if (bound := value(shape, SH.minInclusive)) is not None:
            add("MinInclusive", f"{values} FILTER (!COALESCE(?value >= {term(bound)}, false))")
        if (bound := value(shape, SH.maxInclusive)) is not None:
            add("MaxInclusive", f"{values} FILTER (!COALESCE(?value <= {term(bound)}, false))")
        if (length := value(shape, SH.minLength)) is not None:
            add("MinLength", f"{values} FILTER (isBlank(?value) || STRLEN(STR(?value)) < {int(length)})")
        if (languages := value(shape, SH.languageIn)) is not None:
            tests = " || ".join(f"LANGMATCHES(LANG(?value), {term(tag)})" for tag in listed(self.shapes, languages))
            add("LanguageIn", f"{values} FILTER (!isLiteral(?value) || !COALESCE({tests}, false))")
        if value(shape, SH.uniqueLang) == Literal(True):
            add("UniqueLang", f"{values} ?this {path} ?other . FILTER (?other != ?value && LANG(?value) != \"\" "
                              f"&& LANG(?value) = LANG(?other))", select="?this")
        if (klass := value(shape, SH["class"])) is not None:
            # MINUS, not FILTER NOT EXISTS: the same values (both share ?value), but Oxigraph finds the class's
            # instances once instead of walking the class path for every value (3.5 times faster).
            add("Class", f"{values} MINUS {{ ?value {term(RDF.type)}/{term(RDFS.subClassOf)}* {term(klass)} }}")
        if (members := value(shape, SH["in"])) is not None:
            allowed = ", ".join(term(member) for member in listed(self.shapes, members))
            add("In", f"{values} FILTER (?value NOT IN ({allowed}))")
        if (required := value(shape, SH.hasValue)) is not None:
            add("HasValue", f"FILTER NOT EXISTS {{ ?this {path} {term(required)} }}", select="?this")
        if (alternatives := value(shape, SH["or"])) is not None:
            datatypes = [self.shapes.value(option, SH.datatype) for option in listed(self.shapes, alternatives)]
            if None in datatypes:
                raise UnsupportedShape(f"{shape}: sh:or is compiled only over sh:datatype alternatives")
            add("Or", f"{values} FILTER (!isLiteral(?value) || DATATYPE(?value) NOT IN ({', '.join(map(term, datatypes))}))")
        if (node := value(shape, SH.node)) is not None:
            add("Node", f"{values} FILTER (!({self.node_conforms(node)}))")
        return found

    def node_conforms(self, node: Node) -> str:
        """A SPARQL expression true when ?value conforms to ``node`` (sh:class and sh:hasValue only)."""
        tests = []
        for predicate, value in sorted(self.shapes.predicate_objects(node)):
            if predicate == SH["class"]:
                tests.append(f"EXISTS {{ ?value {term(RDF.type)}/{term(RDFS.subClassOf)}* {term(value)} }}")
            elif predicate == SH.property:
                check_keys(self.shapes, value, {SH.path, SH.hasValue, SH.message, RDF.type, RDFS.label})
                required = self.shapes.value(value, SH.hasValue)
                tests.append(f"EXISTS {{ ?value {path_text(self.shapes, self.shapes.value(value, SH.path))} {term(required)} }}")
            elif predicate not in (RDF.type, RDFS.label):
                raise UnsupportedShape(f"{node}: {predicate} inside sh:node is not compiled")
        return " && ".join(tests) or "true"

    def sparql_constraint(self, node_shape: URIRef, constraint: URIRef, focus: str) -> CompiledConstraint:
        select = str(self.shapes.value(constraint, SH.select))
        body = select.replace("$this", "?this")
        query = f"{sparql_prefixes(self.shapes, constraint)}\nSELECT * WHERE {{ {focus} {{ {body} }} }}"
        return CompiledConstraint(node_shape, COMPONENT["SPARQL"], constraint, self.severity(node_shape), None,
                                  self.messages(constraint, node_shape), query)


def compile_shapes(shapes: Graph) -> list[CompiledConstraint]:
    return ShapesCompiler(shapes).compile()


def constraint_queries(constraints: Iterable[CompiledConstraint]) -> list[ConstraintQuery]:
    """The queries that find the constraints' violations: the branches of each target joined in one (measured 1.4
    times faster than one query each on a synthetic ente of 5 plans), every other constraint a query of its own."""
    queries, branches = [], {}
    for constraint in constraints:
        if constraint.branch is None:
            queries.append(ConstraintQuery(constraint.query, (constraint,)))
        else:
            branches.setdefault(constraint.focus, []).append(constraint)
    for focus, joined in branches.items():
        union = " UNION ".join(f"{{ {constraint.branch} BIND ({index} AS ?branch) }}"
                               for index, constraint in enumerate(joined))
        queries.append(ConstraintQuery(f"SELECT DISTINCT ?branch ?this ?value WHERE {{ {focus} {union} }}",
                                       tuple(joined), branched=True))
    return queries


def filled_messages(messages: Iterable[Literal], solution: dict[str, Node | None]) -> tuple[Literal, ...]:
    def fill(match: re.Match) -> str:
        found = solution.get(match[1])
        return str(found) if found is not None else match[0]

    return tuple(Literal(TEMPLATE.sub(fill, str(message)), lang=message.language) for message in messages)


def run_constraints(store: ox.Store, queries: Iterable[ConstraintQuery]) -> Iterator[Finding]:
    for query in queries:
        solutions = store.query(query.text, use_default_graph_as_union=True)
        names = [variable.value for variable in solutions.variables if not (query.branched and variable.value == "branch")]
        for solution in solutions:
            constraint = query.constraints[int(solution["branch"].value) if query.branched else 0]
            bound = {name: to_rdflib(solution[name]) for name in names}
            yield Finding(bound["this"], constraint.shape, constraint.component, constraint.constraint,
                          constraint.severity, constraint.path, bound.get("value"),
                          filled_messages(constraint.messages, bound))
