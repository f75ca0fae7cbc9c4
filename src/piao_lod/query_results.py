"""Write query answers: a table for people, the W3C results formats for machines, Turtle for graphs.

``json``, ``csv`` and ``tsv`` are the SPARQL 1.1 Query Results formats, written
by Oxigraph; ``ttl`` is for CONSTRUCT and DESCRIBE; ``table`` (rich) shows
literals as their text and IRIs with the project's prefixes (``pnrr:M5C2-I2.1``).
"""

from __future__ import annotations

import io
import shutil
from itertools import islice
from typing import BinaryIO
from enum import Enum

import pyoxigraph as ox
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from piao_lod.errors import QueryError, UsageError
from piao_lod.messages import DEFAULT_LANGUAGE, N_, ngettext
from piao_lod.namespaces import PREFIX_IRIS, compact
from piao_lod.sparql_query import Answer
from piao_lod.terminal_text import for_terminal

RESULTS_FORMATS = {"json": ox.QueryResultsFormat.JSON, "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV}


class ResultFormat(str, Enum):
    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"
    ttl = "ttl"


def is_graph(answer: Answer) -> bool:
    return isinstance(answer, list)


def default_format(answer: Answer) -> ResultFormat:
    return ResultFormat.ttl if is_graph(answer) else ResultFormat.table


def render(answer: Answer, fmt: ResultFormat | None = None, lang: str = DEFAULT_LANGUAGE) -> bytes:
    """The answer in ``fmt``; ``lang`` is the language of the table's count of rows."""
    buffer = io.BytesIO()
    write_answer(answer, buffer, fmt, lang)
    return buffer.getvalue()


def write_answer(answer: Answer, output: BinaryIO, fmt: ResultFormat | None = None,
                 lang: str = DEFAULT_LANGUAGE) -> None:
    """The answer in ``fmt`` written to ``output`` as its solutions are read, never held whole (a listing of the
    national corpus is millions of rows); the table, for people, is the exception."""
    fmt = fmt or default_format(answer)
    if fmt is ResultFormat.table:
        output.write(render_table(answer, lang).encode("utf-8"))
        return
    if is_graph(answer):
        if fmt is not ResultFormat.ttl:
            raise UsageError(N_("--format {format} is for SELECT and ASK answers; a CONSTRUCT/DESCRIBE answer is a "
                                "graph: use --format ttl or table"), format=fmt.value)
        ox.serialize(answer, output, format=ox.RdfFormat.TURTLE, prefixes=PREFIX_IRIS)
        return
    if fmt is ResultFormat.ttl:
        raise UsageError(N_("--format ttl is for CONSTRUCT and DESCRIBE; use table, csv, tsv or json"))
    try:
        answer.serialize(output, format=RESULTS_FORMATS[fmt.value])
    except (RuntimeError, ValueError) as error:         # the evaluation, which goes on as the rows are written
        raise QueryError(N_("the query failed: {error}"), subject="QUERY", error=str(error)) from None


def short(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None) -> str:
    """A term as a person reads it: literal text, prefixed IRI, blank node label."""
    if term is None:
        return ""
    if isinstance(term, ox.Literal):
        return term.value
    if isinstance(term, ox.NamedNode):
        return compact(term.value)
    return str(term)


def answer_terms(answer: Answer) -> tuple[list[str], list[list]]:
    """Column names and rows of terms (None where unbound), whatever the query form."""
    if isinstance(answer, ox.QueryBoolean):
        return ["answer"], [[ox.Literal("true" if bool(answer) else "false")]]
    if is_graph(answer):
        return ["subject", "predicate", "object"], [[t.subject, t.predicate, t.object] for t in answer]
    variables = [variable.value for variable in answer.variables]
    return variables, [[solution[name] for name in variables] for solution in answer]


def answer_head(answer: Answer, limit: int, total: int | None = None) -> tuple[list[str], list[list], int]:
    """Column names, the first ``limit`` rows of terms and how many rows there are in all (``total`` when it is
    known: the rest is then not read): the rows after the first ``limit`` are counted as they stream by, never
    held."""
    if isinstance(answer, ox.QuerySolutions):
        variables = [variable.value for variable in answer.variables]
        solutions = iter(answer)
        rows = [[solution[name] for name in variables] for solution in islice(solutions, limit)]
        return variables, rows, total if total is not None else len(rows) + sum(1 for _ in solutions)
    columns, rows = answer_terms(answer)
    return columns, rows[:limit], len(rows)


def answer_table(answer: Answer) -> tuple[list[str], list[list[str]]]:
    """Column names and rows of text, whatever the query form."""
    columns, rows = answer_terms(answer)
    return columns, [[short(term) for term in row] for row in rows]


def render_table(answer: Answer, lang: str = DEFAULT_LANGUAGE) -> str:
    columns, rows = answer_table(answer)
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for column in columns:
        table.add_column(Text(for_terminal(column)))
    for row in rows:
        table.add_row(*(Text(for_terminal(cell)) for cell in row))   # Text: a cell like "[1]" is data, not markup
    buffer = io.StringIO()
    Console(file=buffer, width=shutil.get_terminal_size().columns, no_color=True, highlight=False,
            emoji=False, markup=False, force_terminal=False).print(table)
    if isinstance(answer, ox.QueryBoolean):
        return buffer.getvalue()
    return buffer.getvalue() + ngettext(lang, "({count} row)", "({count} rows)", len(rows)) + "\n"
