"""The saved queries (``queries/*.rq``) as pages: their SPARQL and their answers at build time (over a store, those
it keeps, :mod:`piao_lod.saved_answers`); the SPARQL form."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import pyoxigraph as ox

from piao_lod.errors import QueryError
from piao_lod.messages import gettext
from piao_lod.namespaces import compact
from piao_lod.query_results import answer_head, answer_terms
from piao_lod.saved_answers import kept_answer
from piao_lod.saved_queries import SparqlQuery, saved_queries
from piao_lod.sparql_query import prepare, query_store
from piao_lod.website.addresses import SiteAddresses
from piao_lod.website.page_fragments import Cell
from piao_lod.website.render import PageLinks

MAX_ROWS = 500          # rows shown on a page; the count says how many there are in all
# Oxigraph's position in a syntax error, as piao_lod.sparql_query words it: "QUERY:3:14: error: ..."
ERROR_POSITION = re.compile(r"^[^:\n]*:(?P<line>\d+):(?P<column>\d+): (?:error: )?(?P<detail>.*)$", re.DOTALL)
EXAMPLE = ("SELECT ?objective ?title WHERE {\n  ?objective a <https://w3id.org/piao-lod/ontology#Objective> ;\n"
           "    <http://purl.org/dc/terms/title> ?title .\n} LIMIT 20")


def answer_cells(answer, links: PageLinks) -> tuple[list[str], list[list[Cell]], int]:
    """Columns, the first MAX_ROWS rows as cells (IRIs linked to their pages), and the total row count."""
    return cells_of(*answer_terms(answer), links)


def cells_of(columns: list[str], rows: list, links: PageLinks) -> tuple[list[str], list[list[Cell]], int]:
    return columns, [[term_cell(term, links) for term in row] for row in rows[:MAX_ROWS]], len(rows)


def term_cell(term, links: PageLinks) -> Cell:
    if term is None:
        return Cell("")
    if isinstance(term, ox.NamedNode):
        return Cell(compact(term.value), links.resource(term.value))
    if isinstance(term, ox.Literal):
        return Cell(term.value, language=term.language)
    return Cell(str(term))


@dataclass(frozen=True)
class QueryFailure:
    """Why a query got no answer, with the position the parser gave (1-based), to mark it in the query."""

    message: str
    line: int | None = None
    column: int | None = None

    @classmethod
    def from_message(cls, message: str) -> QueryFailure:
        match = ERROR_POSITION.match(message.strip())
        if not match:
            return cls(message.strip())
        return cls(match["detail"].strip(), int(match["line"]), int(match["column"]))


def numbered_lines(text: str, failure: QueryFailure | None) -> list[tuple[int, str, str, str, bool]]:
    """The query's lines as (number, text before the error, the character at the error, the rest, marked)."""
    lines = []
    for number, line in enumerate(text.split("\n"), start=1):
        if failure is not None and failure.line == number:
            at = max((failure.column or 1) - 1, 0)
            lines.append((number, line[:at], line[at:at + 1] or " ", line[at + 1:], True))
        else:
            lines.append((number, line, "", "", False))
    return lines


def query_page_context(addresses: SiteAddresses, page_dir: str, text: str | None, answer, lang: str,
                       error: str | None = None) -> dict:
    """What ``sparql.html`` adds to the page context, at build time (no query) and in the server (a query
    and its answer, or why it has none)."""
    links = PageLinks(addresses, page_dir, lang=lang)
    columns, rows, total = answer_cells(answer, links) if answer is not None else ([], [], 0)
    failure = QueryFailure.from_message(error) if error is not None else None
    return {"query_text": text, "columns": columns, "rows": rows, "total": total, "saved": saved_queries(),
            "max_rows": MAX_ROWS, "example": EXAMPLE, "failure": failure, "graph_answer": isinstance(answer, list),
            "query_lines": numbered_lines(text, failure) if text is not None and failure is not None else []}


def saved_query_pages(site, base_context, lang: str) -> dict[str, Callable[[], object]]:
    """A page per saved query, with its answer over the site's data, and the list of them (``query/``): each page
    path (within the edition) -> what makes its :class:`~piao_lod.website.page_context.FixedPage`. A query runs
    once however many pages show its answer; of its rows only those a page shows are kept, and their count. A query
    whose header says ``# kept: no`` is not run: its answer over the whole corpus grows faster than the corpus (the
    build's memory and time with it, and a served page's), and the page says why instead."""
    answers: dict[str, tuple] = {}      # query name -> (columns, the first MAX_ROWS rows of terms, row count, error)

    def answer(query: SparqlQuery, links: PageLinks) -> tuple:
        if not query.kept:
            return [], [], None, None
        if query.name not in answers:
            text, _ = prepare(query)
            try:
                kept = kept_answer(site.kept_answers, query)
                answer = kept.solutions() if kept is not None else query_store(site.store, text)
                # of a kept answer the rows shown read, not the whole answer
                answers[query.name] = (*answer_head(answer, MAX_ROWS, kept.rows if kept is not None else None), None)
            except QueryError as failure:
                answers[query.name] = ([], [], 0, str(failure))
        columns, rows, total, error = answers[query.name]
        return (*cells_of(columns, rows, links)[:2], total, error)

    def query_page(query: SparqlQuery):
        from piao_lod.website.page_context import Crumb, FixedPage

        page_dir = f"query/{query.name}/"
        context = base_context(site, page_dir, title_of(query, lang), "query", lang, [])
        context["breadcrumbs"].insert(1, Crumb(gettext(lang, "Saved SPARQL queries"), context["links"].page("query/")))
        columns, rows, total, error = answer(query, context["links"])
        context.update({"query": query, "columns": columns, "rows": rows, "total": total, "error": error,
                        "max_rows": MAX_ROWS})
        return FixedPage(page_dir + "index.html", "query.html", context)

    def index_page():
        from piao_lod.website.page_context import FixedPage

        context = base_context(site, "query/", gettext(lang, "Saved SPARQL queries"), "queries", lang, [])
        context.update({"queries": [(query, f"query/{query.name}/", answer(query, context["links"])[2])
                                    for query in saved_queries()]})
        return FixedPage("query/index.html", "queries.html", context)

    makers: dict[str, Callable[[], object]] = {f"query/{query.name}/index.html": partial(query_page, query)
                                               for query in saved_queries()}
    makers["query/index.html"] = index_page
    return makers


def title_of(query: SparqlQuery, lang: str) -> str:
    return gettext(lang, query.title) if query.title else (query.name or "")
