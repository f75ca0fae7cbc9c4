"""The saved queries (``queries/*.rq``) as pages: their SPARQL and their answers at build time."""

from __future__ import annotations

import pyoxigraph as ox

from piao_lod.errors import QueryError
from piao_lod.namespaces import compact
from piao_lod.query_results import answer_terms
from piao_lod.saved_queries import saved_queries
from piao_lod.sparql_query import prepare, query_store
from piao_lod.website.addresses import SiteAddresses
from piao_lod.website.render import Cell, PageLinks

MAX_ROWS = 500          # rows shown on a page; the count says how many there are in all


def answer_cells(answer, links: PageLinks) -> tuple[list[str], list[list[Cell]], int]:
    """Columns, the first MAX_ROWS rows as cells (IRIs linked to their pages), and the total row count."""
    columns, rows = answer_terms(answer)
    return columns, [[term_cell(term, links) for term in row] for row in rows[:MAX_ROWS]], len(rows)


def term_cell(term, links: PageLinks) -> Cell:
    if term is None:
        return Cell("")
    if isinstance(term, ox.NamedNode):
        return Cell(compact(term.value), links.resource(term.value))
    if isinstance(term, ox.Literal):
        return Cell(term.value, language=term.language)
    return Cell(str(term))


def query_page_context(addresses: SiteAddresses, page_dir: str, text: str | None, answer) -> dict:
    """What ``sparql.html`` needs, at build time (no query) and in the server (a query and its answer)."""
    links = PageLinks(addresses, page_dir)
    columns, rows, total = answer_cells(answer, links) if answer is not None else ([], [], 0)
    return {"links": links, "page_dir": page_dir, "title": "Interroga con SPARQL", "page_type": "sparql",
            "canonical": addresses.url("sparql"), "query_text": text, "columns": columns, "rows": rows,
            "total": total, "saved": saved_queries(), "max_rows": MAX_ROWS,
            "example": "SELECT ?obiettivo ?titolo WHERE {\n  ?obiettivo a <https://w3id.org/piao-lod/ontology#Objective> ;\n"
                       "    <http://purl.org/dc/terms/title> ?titolo .\n} LIMIT 20"}


def saved_query_pages(site, base_context) -> list:
    from piao_lod.website.page_context import FixedPage

    pages = []
    listed = []
    for query in saved_queries():
        page_dir = f"query/{query.name}/"
        context = base_context(site, page_dir, query.title or query.name, "query")
        text, _ = prepare(query)
        try:
            columns, rows, total = answer_cells(query_store(site.store, text), context["links"])
            error = None
        except QueryError as failure:
            columns, rows, total, error = [], [], 0, str(failure)
        context.update({"query": query, "columns": columns, "rows": rows, "total": total, "error": error,
                        "max_rows": MAX_ROWS})
        pages.append(FixedPage(page_dir + "index.html", "query.html", context))
        listed.append((query, page_dir, total))
    context = base_context(site, "query/", "Interrogazioni SPARQL salvate", "queries")
    context.update({"queries": listed})
    pages.append(FixedPage("query/index.html", "queries.html", context))
    return pages
