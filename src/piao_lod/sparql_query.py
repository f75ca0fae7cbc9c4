"""Run SPARQL on an Oxigraph store or a remote endpoint, with the same kind of answer from both.

A query is checked by Oxigraph's parser before it runs anywhere, so a mistake
is reported with its line and column whatever the target. On a store, queries
see the union of every graph (every plan, the ontology, the PNRR scheme);
remote endpoints are asked through SPARQLWrapper and must be set up to do the
same (Oxigraph ``serve --union-default-graph``; Virtuoso does it by default).

Answers are pyoxigraph's own objects (solutions, a boolean, or a list of
triples), whichever the target, so one module renders them
(:mod:`piao_lod.query_results`).
"""

from __future__ import annotations

import re
import urllib.error
from collections.abc import Mapping
from enum import Enum

import pyoxigraph as ox

from piao_lod.errors import EndpointError, QueryError
from piao_lod.messages import N_
from piao_lod.query_parameters import bind_parameters
from piao_lod.saved_queries import SparqlQuery

Answer = ox.QuerySolutions | ox.QueryBoolean | list[ox.Triple]
PARSER_POSITION = re.compile(r"^error at (?P<line>\d+):(?P<column>\d+):\s*(?P<detail>.*)$", re.DOTALL)
CHARACTER_CLASS = re.compile(r",?\s*\[(?:'[^\]]*|_)\]")
ENDPOINT_TIMEOUT_S = 120


class QueryForm(str, Enum):
    select = "SELECT"
    ask = "ASK"
    graph = "CONSTRUCT/DESCRIBE"


def check_syntax(text: str, source: str = "QUERY") -> QueryForm:
    """Parse the query (an empty store evaluates nothing) and say which form it is."""
    try:
        parsed = ox.Store().query(text)
    except SyntaxError as error:
        raise syntax_error(str(error), source) from None
    if isinstance(parsed, ox.QuerySolutions):
        return QueryForm.select
    if isinstance(parsed, ox.QueryBoolean):
        return QueryForm.ask
    return QueryForm.graph


def syntax_error(parser_message: str, source: str) -> QueryError:
    """``file:line:column: errore: SPARQL non valido: …`` from Oxigraph's ``error at L:C: …``."""
    match = PARSER_POSITION.match(parser_message)
    if not match:
        return QueryError(N_("not valid SPARQL: {error}"), subject=source, error=readable(parser_message))
    return QueryError(N_("not valid SPARQL: {error}"), subject=f"{source}:{match['line']}:{match['column']}",
                      error=readable(match["detail"]))


def syntax_message(parser_message: str, source: str) -> str:
    """The same, in English: the server's answers to SPARQL clients are English."""
    return syntax_error(parser_message, source).describe("en")


def readable(detail: str) -> str:
    """The parser's expectations without its Unicode character classes (``['A' ..= 'Z' | …]``)."""
    text = " ".join(detail.split())
    shorter = CHARACTER_CLASS.sub("", text)
    return shorter + " or a name" if shorter != text else text


def prepare(query: SparqlQuery, parameters: Mapping[str, str] | None = None) -> tuple[str, QueryForm]:
    """The text to run, parameters bound, after checking the query as written (so positions are the file's)."""
    form = check_syntax(query.text, query.source)
    return bind_parameters(query, parameters), form


def query_store(store: ox.Store, text: str) -> Answer:
    try:
        answer = store.query(text, use_default_graph_as_union=True)
        return list(answer) if isinstance(answer, ox.QueryTriples) else answer
    except SyntaxError as error:
        raise syntax_error(str(error), "QUERY") from None
    except (OSError, RuntimeError, ValueError) as error:
        raise QueryError(N_("the query failed: {error}"), subject="QUERY", error=str(error)) from None


def query_endpoint(url: str, text: str, form: QueryForm, user: str | None = None, password: str | None = None) -> Answer:
    """Ask a SPARQL 1.1 Protocol endpoint (POST), for JSON results or Turtle."""
    from SPARQLWrapper import ASK, CONSTRUCT, JSON, POST, SELECT, TURTLE, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

    client = SPARQLWrapper(url)
    client.setQuery(text)
    # SPARQLWrapper guesses the form with a regular expression that reads comments ("weights add up"
    # is an ADD update to it); Oxigraph's parser already said which form it is.
    client.queryType = {QueryForm.select: SELECT, QueryForm.ask: ASK, QueryForm.graph: CONSTRUCT}[form]
    client.setMethod(POST)
    client.setOnlyConneg(True)
    client.setTimeout(ENDPOINT_TIMEOUT_S)
    client.setReturnFormat(TURTLE if form is QueryForm.graph else JSON)
    if user:
        client.setCredentials(user, password or "")
    try:
        response = client.query().response
        body, media_type = response.read(), response.headers.get("Content-Type", "")
    except SPARQLWrapperException as error:
        raise EndpointError(N_("the endpoint refused the query: {error}"), subject=url,
                            error=" ".join(str(error).split())[:2000]) from None
    except urllib.error.HTTPError as error:
        raise EndpointError(N_("the endpoint answered HTTP {status}"), subject=url,
                            status=f"{error.code} {error.reason}") from None
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise EndpointError(N_("cannot reach the endpoint ({error})"), subject=url,
                            error=str(getattr(error, "reason", error))) from None
    return parse_endpoint_answer(url, body, media_type.split(";")[0].strip(), form)


def parse_endpoint_answer(url: str, body: bytes, media_type: str, form: QueryForm) -> Answer:
    try:
        if form is QueryForm.graph:
            rdf_format = ox.RdfFormat.from_media_type(media_type) or ox.RdfFormat.TURTLE
            return [quad.triple for quad in ox.parse(body, format=rdf_format)]
        results_format = ox.QueryResultsFormat.from_media_type(media_type) or ox.QueryResultsFormat.JSON
        return ox.parse_query_results(body, format=results_format)
    except (SyntaxError, ValueError) as error:
        raise EndpointError(N_("cannot read the endpoint's answer ({media_type}): {error}"), subject=url,
                            media_type=media_type or "no media type", error=str(error)) from None


def run_query(query: SparqlQuery, parameters: Mapping[str, str] | None = None, store: ox.Store | None = None,
              endpoint: str | None = None, user: str | None = None, password: str | None = None) -> Answer:
    """Run a query, with its parameters bound, on a store or an endpoint (exactly one of them)."""
    if (store is None) == (endpoint is None):
        raise ValueError("run_query needs a store or an endpoint")
    text, form = prepare(query, parameters)
    if store is not None:
        return query_store(store, text)
    return query_endpoint(endpoint, text, form, user, password)
