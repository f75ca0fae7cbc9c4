"""SPARQL queries as ``.rq`` files with a header comment, and the catalogue of saved ones (``queries/``).

Every query file starts with comment lines that say what it is for::

    # title: Targets of one indicator across years
    # description: One row per plan year ...
    # parameters: indicator (default 774): the indicator code, as written in the plans
    # parameters: ente (default c_d150): the IPA code of the ente

and optionally ``# kept: no (why)``: a store does not keep its answer without parameters
(:mod:`piao_lod.saved_answers`), nor does a page of the site show it, as for a query whose whole answer grows faster
than the corpus; the page says why, in the words in brackets.

``# parameters: none`` when it takes none; one ``# parameters:`` line per
parameter otherwise: ``name (default VALUE): …``, ``name (optional): …`` (left
unbound when not given, so the query does not restrict on it) or ``name: …``
(the caller must give it). Parameter ``name`` is the variable ``?_name`` in the
query body; values are bound by :mod:`piao_lod.query_parameters`, never pasted
into the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from piao_lod.errors import QueryError
from piao_lod.messages import N_
from piao_lod.resources import packaged
from piao_lod.user_files import read_user_text, reason_of

QUERY_SUFFIXES = (".rq", ".sparql")
# Linear in the line: possessive whitespace, and values matched as non-space runs joined by spaces
# (a lazy value before ``\s*$`` or ``\s*\)`` retries a long run of spaces at every character).
HEADER_LINE = re.compile(r"^#\s*+(?P<key>title|description|parameters|kept)\s*+:\s*+(?P<value>(?:\S(?:[^\S\n]*+\S)*+)?)\s*+$",
                         re.IGNORECASE)
PARAMETER = re.compile(r"^(?P<name>[A-Za-z][A-Za-z0-9_]*+)\s*+"
                       r"(?:\(\s*+(?:default\s++(?P<default>(?:[^\s)]++|\s++(?=[^\s)]))*+)|(?P<optional>optional))\s*+\))?"
                       r"\s*+:\s*+(?P<description>.*)$")
BARE_NAME = re.compile(r"^[\w.-]+$")


@dataclass(frozen=True)
class Parameter:
    name: str
    default: str | None
    description: str
    optional: bool = False      # when not given, left unbound: the query does not restrict on it

    @property
    def variable(self) -> str:
        return f"_{self.name}"


@dataclass(frozen=True)
class SparqlQuery:
    """A query's text and what its header says about it."""

    text: str
    source: str = "QUERY"              # file name, or QUERY for text given on the command line
    name: str | None = None            # the saved query's name (file stem)
    title: str = ""
    description: str = ""
    parameters: tuple[Parameter, ...] = ()
    kept: bool = True                  # a store keeps its answer without parameters (when they are all optional)
    not_kept_because: str = ""         # why it does not, as the header says


def parse_query(text: str, source: str = "QUERY", name: str | None = None) -> SparqlQuery:
    """Read the header comment (the leading ``#`` lines) of a query."""
    fields: dict[str, str] = {"title": "", "description": ""}
    parameters: list[Parameter] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if not line.lstrip().startswith("#"):
            break
        match = HEADER_LINE.match(line.strip())
        if not match:
            continue
        key, value = match["key"].lower(), match["value"]
        if key == "kept":
            fields[key], _, reason = value.partition(" ")
            fields["because"] = reason.strip().removeprefix("(").removesuffix(")").strip()
        elif key != "parameters":
            fields[key] = value
        elif value.lower() != "none":
            parameter = PARAMETER.match(value)
            if not parameter:
                raise QueryError(N_("cannot read the parameter declaration “{declaration}”; write '# parameters: "
                                    "name (default VALUE): what it is'"), subject=f"{source}:{number}",
                                 declaration=value)
            parameters.append(Parameter(parameter["name"], parameter["default"], parameter["description"],
                                        bool(parameter["optional"])))
    kept = fields.get("kept", "").lower() != "no"
    return SparqlQuery(text, source, name, fields["title"], fields["description"], tuple(parameters),
                       kept, "" if kept else fields.get("because", ""))


def saved_queries() -> list[SparqlQuery]:
    """Every saved query, by name."""
    found = []
    for item in packaged("queries").iterdir():
        if item.name.endswith(".rq"):
            name = item.name.removesuffix(".rq")
            found.append(parse_query(item.read_text(encoding="utf-8"), item.name, name))
    return sorted(found, key=lambda query: query.name)


def saved_query(name: str) -> SparqlQuery:
    for query in saved_queries():
        if query.name == name:
            return query
    raise QueryError(N_("no saved query has this name, and it is not SPARQL; saved queries: {names} (piao-lod query "
                        "--list)"), subject=name, names=", ".join(query.name for query in saved_queries()))


def read_query_file(path: Path) -> SparqlQuery:
    try:
        return parse_query(read_user_text(path), str(path))
    except (OSError, UnicodeDecodeError) as error:
        raise QueryError(N_("cannot read the query file ({error})"), subject=str(path), error=reason_of(error)) from None


def resolve_query(argument: str) -> SparqlQuery:
    """QUERY as the command takes it: a ``.rq`` file, a saved query's name, another file, or SPARQL text."""
    word = argument.strip()
    if "\n" in word or len(word) > 1024:
        return parse_query(argument)
    if Path(word).suffix.lower() in QUERY_SUFFIXES:
        return read_query_file(Path(word))
    if BARE_NAME.match(word) and word in {query.name for query in saved_queries()}:
        return saved_query(word)
    if Path(word).is_file():
        return read_query_file(Path(word))
    if BARE_NAME.match(word):
        return saved_query(word)   # not SPARQL: a misspelt name; says which names exist
    return parse_query(argument)
