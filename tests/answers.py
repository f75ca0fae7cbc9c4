"""Helpers shared by the query and publish tests: the plans they load, and answers as plain values.

Answers from Oxigraph, rdflib and a remote endpoint are compared as rows of
plain Python values: IRIs and literals as their text, numbers as ``Decimal``
(so ``100`` and ``100.0`` compare equal), unbound as ``None``.
"""

from __future__ import annotations

from decimal import Decimal
import pyoxigraph as ox
import rdflib

from conftest import DATA, EXAMPLE

QUERY_DATA = DATA / "queries"
CREMONA_2025 = QUERY_DATA / "synthetic-cremona-2025.csv"
OTHER_COMUNE = QUERY_DATA / "synthetic-x_999999-2024.csv"
PLANS = [EXAMPLE, CREMONA_2025, OTHER_COMUNE]
BASE = "https://w3id.org/piao-lod/id/"
NUMERIC = {f"http://www.w3.org/2001/XMLSchema#{name}" for name in ("integer", "decimal", "double", "float", "int", "long")}

Row = tuple


def plain(term) -> object:
    """A pyoxigraph or rdflib term as a plain value."""
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        return Decimal(term.value) if term.datatype.value in NUMERIC else term.value
    if isinstance(term, rdflib.Literal):
        return Decimal(str(term)) if term.datatype is not None and str(term.datatype) in NUMERIC else str(term)
    if isinstance(term, (ox.NamedNode, ox.BlankNode)):
        return term.value
    return str(term)


def oxigraph_rows(answer) -> list[Row]:
    """Rows of an Oxigraph answer (solutions, boolean, or triples)."""
    if isinstance(answer, ox.QueryBoolean):
        return [(bool(answer),)]
    if isinstance(answer, list):
        return [(plain(t.subject), plain(t.predicate), plain(t.object)) for t in answer]
    return [tuple(plain(solution[variable]) for variable in answer.variables) for solution in answer]


def rdflib_rows(dataset: rdflib.Dataset, text: str) -> list[Row]:
    result = dataset.query(text)
    if result.type == "ASK":
        return [(bool(result.askAnswer),)]
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        return [tuple(plain(term) for term in triple) for triple in result.graph]
    return [tuple(plain(term) for term in row) for row in result]


def rdflib_dataset(store: ox.Store) -> rdflib.Dataset:
    """The store's quads in an rdflib Dataset whose default graph is the union of its graphs (a set)."""
    dataset = rdflib.Dataset(default_union=True)
    dataset.parse(data=store.dump(format=ox.RdfFormat.N_QUADS), format="nquads")
    return dataset


def json_rows(payload: dict) -> list[dict[str, str]]:
    """SPARQL 1.1 Query Results JSON as a list of {variable: value}."""
    return [{name: binding[name]["value"] for name in binding} for binding in payload["results"]["bindings"]]


def comparable(rows: list[Row], ordered: bool) -> object:
    """ORDER BY answers compare as lists; others as multisets of rows."""
    return rows if ordered else sorted(rows, key=repr)


def is_ordered(text: str) -> bool:
    return "ORDER BY" in text.upper()
