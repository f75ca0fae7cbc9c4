"""Bind ``--param name=value`` to a query's declared parameters without pasting input into SPARQL.

Each value becomes an RDF literal, written by Oxigraph's own serialiser (so
quotes, backslashes and newlines are escaped and the value cannot end the
literal), and the query gets one ``VALUES (?_a ?_b) { ("…" "…") }`` block as
the first element of its outermost ``WHERE`` group (``UNDEF`` for an optional
parameter not given, which restricts nothing): the parameters are bound
before anything else there is evaluated, and the same text runs unchanged on
Oxigraph, rdflib and any remote endpoint. A small tokenizer (strings, IRIs,
comments, braces) finds that group; the block goes on the line of its ``{``,
so line numbers in error messages stay those of the file.

A sub-select is evaluated on its own and would not see that block, so every
sub-select whose ``WHERE`` group names a parameter gets the same block first in
that group too: a parameter can restrict the pattern of a sub-select itself.

Values are plain string literals: a query compares them with codes as written
(``?indicator dcterms:identifier ?_indicator``) or with ``STR()`` of typed
values (``FILTER(STR(?year) = ?_year)``). Triple patterns anywhere are joined
with the bound value; a FILTER must sit in the outermost group (or the
sub-select's) to see it (a nested group or ``GRAPH`` block is evaluated on its own).

Oxigraph joins the block into the pattern it restricts, looking up the value
rather than scanning every plan, only when that pattern is a plain one: a
``GRAPH`` block holding only triple patterns, its ``OPTIONAL`` parts outside it
(``OPTIONAL { GRAPH ?g { … } }``). A ``FILTER`` on a parameter is applied after
the pattern, to every plan (measured in ``benchmarks/RESULTS-national.md``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

import pyoxigraph as ox

from piao_lod.errors import QueryError
from piao_lod.messages import N_, ngettext_
from piao_lod.saved_queries import SparqlQuery

TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\" | '''(?:[^'\\]|\\.|'(?!''))*''' | "(?:[^"\\\n]|\\.)*" | '(?:[^'\\\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<variable>[?$]\w+)
  | (?P<word>[^\W\d][\w.-]*(?::(?:[\w.:%-]|\\.)*)? | :(?:[\w.:%-]|\\.)*)
  | (?P<other>.)
""", re.VERBOSE | re.DOTALL)
QUERY_FORMS = {"SELECT", "CONSTRUCT", "DESCRIBE", "ASK"}


def tokens(text: str) -> Iterator[tuple[str, str, int]]:
    """(kind, text, end offset) of each significant token."""
    for match in TOKEN.finditer(text):
        kind = match.lastgroup
        if kind not in ("space", "comment"):
            yield kind, match.group(), match.end()


def where_group_start(query: SparqlQuery) -> int:
    """Offset just after the ``{`` that opens the outermost WHERE group."""
    form, seen_where, template_seen, braces, parens = None, False, False, 0, 0
    stream = tokens(query.text)
    for kind, text, end in stream:
        if kind == "word" and braces == 0 and parens == 0:
            keyword = text.upper()
            if form is None and keyword in QUERY_FORMS:
                form = keyword
            elif keyword == "WHERE" and form is not None:
                if form == "CONSTRUCT" and not template_seen:
                    raise QueryError(N_("parameters cannot be bound in the short form CONSTRUCT WHERE { … }; write "
                                        "CONSTRUCT { template } WHERE { pattern }"), subject=query.source)
                seen_where = True
        elif text == "(":
            parens += 1
        elif text == ")":
            parens -= 1
        elif text == "{":
            if braces == 0 and parens == 0 and form is not None:
                if seen_where or form != "CONSTRUCT":
                    following = next(stream, ("", "", 0))
                    if following[0] == "word" and following[1].upper() == "SELECT":
                        raise QueryError(N_("parameters cannot be bound when the WHERE group is a sub-select; wrap "
                                            "it: WHERE { { SELECT … } }"), subject=query.source)
                    return end
                template_seen = True
            braces += 1
        elif text == "}":
            braces -= 1
    raise QueryError(N_("the query has no WHERE group to bind its parameters in"), subject=query.source)


def subselect_groups(query: SparqlQuery) -> list[tuple[int, int]]:
    """(offset just after its ``{``, offset of its ``}``) of the WHERE group of every sub-select."""
    groups, waiting, open_groups, braces = [], [], [], 0
    for kind, text, end in tokens(query.text):
        if kind == "word" and text.upper() == "SELECT" and braces > 0:
            waiting.append(braces)             # its group is the next "{" at this depth
        elif text == "{":
            if waiting and waiting[-1] == braces:
                waiting.pop()
                open_groups.append((end, braces))
            braces += 1
        elif text == "}":
            braces -= 1
            if open_groups and open_groups[-1][1] == braces:
                start, _ = open_groups.pop()
                groups.append((start, end - 1))
    return groups


def names_parameter(query: SparqlQuery, start: int, stop: int, names: set[str]) -> bool:
    return any(kind == "variable" and text[2:] in names and text[1] == "_"
               for kind, text, _ in tokens(query.text[start:stop]))


def parameter_values(query: SparqlQuery, given: Mapping[str, str]) -> dict[str, str | None]:
    """The value of every declared parameter: given, else its default, else None (unbound) when optional."""
    declared = {parameter.name: parameter for parameter in query.parameters}
    unknown = sorted(set(given) - set(declared))
    if unknown:
        if not declared:
            raise QueryError(ngettext_("unknown parameter {names}; this query takes no parameter",
                                       "unknown parameters {names}; this query takes no parameter"),
                             subject=query.source, count=len(unknown), names=", ".join(unknown))
        raise QueryError(ngettext_("unknown parameter {names}; this query's parameters: {takes}",
                                   "unknown parameters {names}; this query's parameters: {takes}"),
                         subject=query.source, count=len(unknown), names=", ".join(unknown), takes=", ".join(declared))
    values = {}
    for name, parameter in declared.items():
        value = given.get(name, parameter.default)
        if value is None and not parameter.optional:
            raise QueryError(N_("parameter {name} ({description}) has no default: pass --param {name}=VALUE"),
                             subject=query.source, name=name, description=parameter.description)
        values[name] = value
    return values


def bind_parameters(query: SparqlQuery, given: Mapping[str, str] | None = None) -> str:
    """The query text with its parameters bound by a VALUES block (unchanged when it declares none)."""
    values = parameter_values(query, given or {})
    if not values:
        return query.text
    variables = " ".join(f"?_{name}" for name in values)
    terms = " ".join("UNDEF" if value is None else str(ox.Literal(value)) for value in values.values())
    block = f" VALUES ({variables}) {{ ({terms}) }}"
    starts = [where_group_start(query)] + [start for start, stop in subselect_groups(query)
                                           if names_parameter(query, start, stop, set(values))]
    text = query.text
    for at in sorted(starts, reverse=True):
        text = f"{text[:at]}{block}{text[at:]}"
    return text
