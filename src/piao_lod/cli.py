"""The ``piao-lod`` command: parses arguments, calls the library, maps errors to exit codes.

Exit codes (all commands): 0 success; 1 done, but the data has problems
(reported on stderr); 2 unusable input or usage error.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from datetime import datetime
from enum import Enum
from collections.abc import Callable, Iterable
from itertools import chain
from pathlib import Path
from typing import Annotated, BinaryIO, Optional

import typer

from piao_lod import __version__
from piao_lod.cli_language import TranslatedGroup
from piao_lod.conversion import Conversion, PlanOutline, outlined, plans_read
from piao_lod.errors import EXIT_UNUSABLE_INPUT, PiaoLodError
from piao_lod.enti import is_ipa_code
from piao_lod.iris import check_base
from piao_lod.leftovers import owner_tag, remove_abandoned
from piao_lod.namespaces import DEFAULT_BASE_IRI
from piao_lod.messages import N_, gettext, ngettext
from piao_lod.problems import Severity
from piao_lod.reading import ReadingOptions, parse_pages
from piao_lod.terminal_text import for_terminal
from piao_lod.plan_pool import validate_by_ente
from piao_lod.validation import Engine, validate_store
from piao_lod.work_cache import WorkCache, default_cache_dir
from piao_lod.validation_report import fully_conforms, render_json, render_text, render_turtle
from piao_lod.converters import READERS
from piao_lod.embedded_store import DEFAULT_STORE_DIR, StoreLoad, load_into_store, open_store_for_reading, pinned_store
from piao_lod.errors import EXIT_OK, UsageError, outcome_exit_code
from piao_lod.graph_inputs import load_dataset
from piao_lod.input_folders import expand_input_folders, expand_table_folders
from piao_lod.ente_files import inputs_to_validate
from piao_lod.publish import publish_store
from piao_lod.query_isolation import answer_in_child
from piao_lod.query_results import ResultFormat, render, write_answer
from piao_lod.rdf_formats import BY_NAME as RDF_FORMATS, output_format
from piao_lod.rdf_output import write_packed_plans
from piao_lod.saved_answers import kept_answer
from piao_lod.saved_queries import SparqlQuery, resolve_query, saved_queries
from piao_lod.sparql_query import prepare, query_endpoint, query_store

LISTED_PLANS = 10           # a summary names each plan up to this many, else gives their totals
app = typer.Typer(
    cls=TranslatedGroup,
    help=N_("Turn Italian municipal performance plans (PIAO) into linked open data."),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

RdfFormat = Enum("RdfFormat", {name: name for name in RDF_FORMATS}, type=str)
SourceFormat = Enum("SourceFormat", {name: name for name in READERS}, type=str)


class ProblemsFormat(str, Enum):
    text = "text"
    json = "json"


class ReportFormat(str, Enum):
    text = "text"
    json = "json"
    ttl = "ttl"


class Language(str, Enum):
    it = "it"
    en = "en"


LangOption = Annotated[Language, typer.Option("--lang", help=N_("Language of the messages: it (default) or en."))]


Sources = Annotated[list[Path], typer.Argument(help=N_("Plan tables: the plan's PDF, extracted PDF text (.txt), .csv or .xlsx; a folder stands for those inside it."), show_default=False, callback=expand_table_folders)]
EnteOption = Annotated[Optional[str], typer.Option("--ente", help=N_("IPA code of the ente (e.g. c_d150), when the document does not say it."))]
YearOption = Annotated[Optional[int], typer.Option("--year", min=1990, max=2100, help=N_("Year of the objectives, when the document does not say it."))]
BaseOption = Annotated[str, typer.Option("--base", help=N_("Base IRI of the resources."))]
SourceFormatOption = Annotated[Optional[SourceFormat], typer.Option("--source-format", help=N_("Force the reader (default: by file suffix)."))]
PagesOption = Annotated[Optional[str], typer.Option("--pages", help=N_("PDF pages to read, e.g. 12-40 or 1,3,7-9 or 12- (default: every page)."), show_default=False)]
VersionOption = Annotated[Optional[str], typer.Option("--version-name", help=N_("The plan version a document is, when it does not say (e.g. originale, aggiornamento-luglio); two documents of one plan and year are two versions."), show_default=False)]
VersionDateOption = Annotated[Optional[datetime], typer.Option("--version-date", formats=["%Y-%m-%d"], help=N_("The date that version was adopted (YYYY-MM-DD): versions are ordered by it."), show_default=False)]
ProfileOption = Annotated[Optional[Path], typer.Option("--profile", help=N_("A layout profile (TOML) for a table the header vocabulary cannot read (see piao-lod inspect)."), show_default=False)]
ProblemsOption = Annotated[ProblemsFormat, typer.Option("--problems", help=N_("How to print data problems on stderr."))]
UserOption = Annotated[Optional[str], typer.Option("--user", help=N_("User name for the endpoint (HTTP basic or digest authentication)."))]
WorkersOption = Annotated[Optional[int], typer.Option("--workers", min=1, help=N_("Processes working on plans (reading, validating; for build also rendering pages) [default: every core]."), show_default=False)]
CacheOption = Annotated[Optional[Path], typer.Option("--cache", help=N_("Folder of the cache of plans read and validated, so unchanged sources are not read again [default: $XDG_CACHE_HOME/piao-lod, else ~/.cache/piao-lod]."), show_default=False)]
NoCacheOption = Annotated[bool, typer.Option("--no-cache", help=N_("Read and validate every plan, using no cache and writing none."))]
PasswordOption = Annotated[Optional[str], typer.Option("--password", envvar="PIAO_LOD_PASSWORD", help=N_("Password for --user (or set PIAO_LOD_PASSWORD)."))]


def version_callback(value: bool) -> None:
    if value:
        say(f"piao-lod {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    version: Annotated[Optional[bool], typer.Option("--version", callback=version_callback, is_eager=True, help=N_("Show the version and exit."))] = None,
    lang: LangOption = Language.it,
) -> None:
    # the group's help is the app's (a docstring here would take its place); --lang before the command
    # (piao-lod --lang en --help, piao-lod --lang en convert …) is the command's
    ctx.default_map = {name: {"lang": lang.value} for name in ctx.command.commands}


def reading_options(ente: str | None, year: int | None, source_format: SourceFormat | None,
                    pages: str | None = None, profile: Path | None = None, version: str | None = None,
                    version_date: datetime | None = None) -> ReadingOptions:
    """The reading options every command that reads tables takes, in one value."""
    if ente is not None and not is_ipa_code(ente):
        raise UsageError(N_("--ente “{ente}”: not an IPA code (2 to 20 lowercase letters, digits or _, e.g. c_d150)"),
                         ente=ente)
    return ReadingOptions(ente, year, source_format.value if source_format else None, profile,
                          parse_pages(pages) if pages is not None else None, version,
                          version_date.date() if version_date else None)


def work_cache(folder: Path | None, disabled: bool) -> WorkCache | None:
    if disabled:
        if folder is not None:
            raise UsageError(N_("give either --cache or --no-cache, not both"))
        return None
    return WorkCache(folder or default_cache_dir())


def say(text: str, err: bool = False, nl: bool = True) -> None:
    """:func:`typer.echo` of a text for people (not JSON or RDF, which escape what they hold themselves)."""
    typer.echo(for_terminal(text), err=err, nl=nl)


def fail(error: PiaoLodError, lang: str) -> typer.Exit:
    """The one place an error that stops a command is printed (in the command's language) and becomes its exit code."""
    say(error.describe(lang), err=True)
    return typer.Exit(error.exit_code)


def report_conversion(conversion: Conversion, problems_format: str, lang: str) -> None:
    for error in conversion.unusable:
        say(error.describe(lang), err=True)
    if problems_format == "json":
        payload = {"problems": [problem.as_dict(lang) for problem in conversion.problems],
                   "unusable": [{"file": error.file, "line": error.line, "column": error.column,
                                 "column_number": error.column_number, "message": error.message(lang)}
                                for error in conversion.unusable]}
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2), err=True)
        return
    for problem in conversion.problems:
        say(problem.describe(lang), err=True)


def write_file_atomically(path: Path, write) -> None:
    """Write beside ``path`` and rename over it: an interrupted run never leaves half a file. A device or a pipe
    (``/dev/null``, ``/dev/stdout``, a FIFO) is written to in place: renaming over it would replace it."""
    if path.exists() and not path.is_file():
        with path.open("wb") as handle:
            write(handle)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_abandoned(path.parent, f".{path.name}.partial-")        # of a run killed before it could
    partial = path.with_name(f".{path.name}.partial-{owner_tag()}")
    try:
        with partial.open("wb") as handle:
            write(handle)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


def check_output_is_no_source(output: str, sources: list[Path]) -> None:
    """Writing the RDF over a table being read would destroy the plan (``-f ttl -o plan.csv``)."""
    if output == "-" or not Path(output).is_file():
        return
    for source in sources:
        if source.is_file() and os.path.samefile(output, source):
            raise UsageError(N_("the output is the source {source}; choose another -o"), subject=output, source=str(source))


def problem_counts(problems, lang: str) -> str:
    """``0 errori, 2 avvisi, 4 note``: the problems of a run, by severity, with their plurals."""
    count = {severity: sum(problem.severity is severity for problem in problems) for severity in Severity}
    return ", ".join((ngettext(lang, "{count} error", "{count} errors", count[Severity.ERROR]),
                      ngettext(lang, "{count} warning", "{count} warnings", count[Severity.WARNING]),
                      ngettext(lang, "{count} note", "{count} notes", count[Severity.INFO])))


def plan_figures(plan: PlanOutline, lang: str) -> str:
    return gettext(lang, "{ente} {year}: {objectives}, {assignments}", ente=plan.ente.ipa_code, year=plan.year,
                   objectives=ngettext(lang, "{count} objective", "{count} objectives", plan.objectives),
                   assignments=ngettext(lang, "{count} indicator row", "{count} indicator rows", plan.indicator_rows))


def corpus_figures(plans: list[PlanOutline], lang: str) -> str:
    """The plans' figures in one line: each plan's up to :data:`LISTED_PLANS`, else their totals (a national
    corpus is tens of thousands of plans)."""
    if len(plans) <= LISTED_PLANS:
        return "; ".join(plan_figures(plan, lang) for plan in plans)
    years = sorted({plan.year for plan in plans})
    return gettext(lang, "{enti}, {first}–{last}: {objectives}, {assignments}",
                   enti=ngettext(lang, "{count} ente", "{count} enti", len({plan.ente.ipa_code for plan in plans})),
                   first=years[0], last=years[-1],
                   objectives=ngettext(lang, "{count} objective", "{count} objectives",
                                       sum(plan.objectives for plan in plans)),
                   assignments=ngettext(lang, "{count} indicator row", "{count} indicator rows",
                                        sum(plan.indicator_rows for plan in plans)))


def summary(conversion: Conversion, output: str, lang: str) -> str:
    problems = problem_counts(conversion.problems, lang)
    unusable = ngettext(lang, "{count} unusable source", "{count} unusable sources", len(conversion.unusable))
    if not conversion.plans:
        return gettext(lang, "no plan converted, nothing written to {output}; {problems}; {unusable}", output=output,
                       problems=problems, unusable=unusable)
    return gettext(lang, "converted {plans} to {output} ({figures}); {problems}; {unusable}",
                   plans=ngettext(lang, "{count} plan", "{count} plans", len(conversion.plans)), output=output,
                   figures=corpus_figures(conversion.plans, lang), problems=problems, unusable=unusable)


@app.command(help=N_("Convert plan tables to RDF. Exit 0 converted; 1 converted with data problems; 2 unusable input."))
def convert(
    sources: Sources,
    output: Annotated[str, typer.Option("-o", "--output", help=N_("Output file, or - for standard output."))] = "-",
    fmt: Annotated[Optional[RdfFormat], typer.Option("--format", "-f", help=N_("Default: from the output suffix, else ttl. TriG/N-Quads keep one named graph per plan."))] = None,
    base: BaseOption = DEFAULT_BASE_IRI,
    ente: EnteOption = None,
    year: YearOption = None,
    source_format: SourceFormatOption = None,
    pages: PagesOption = None,
    profile: ProfileOption = None,
    version_name: VersionOption = None,
    version_date: VersionDateOption = None,
    problems: ProblemsOption = ProblemsFormat.text,
    lang: LangOption = Language.it,
    workers: WorkersOption = None,
    cache: CacheOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    conversion = Conversion(base=base)
    plans = iter(())
    try:
        chosen_format = output_format(fmt.value if fmt else None, output)
        check_output_is_no_source(output, sources)
        check_base(base)
        reads = plans_read(sources, conversion, reading_options(ente, year, source_format, pages, profile, version_name,
                                                                version_date), base, workers, work_cache(cache, no_cache))
        first = next(reads, None)          # nothing is written, nor an output file made, when no plan can be read
        if first is not None:
            plans = outlined(chain([first], reads), conversion)
            write_converted(plans, base, chosen_format, output)
    except PiaoLodError as error:
        raise fail(error, lang.value) from None
    except OSError as error:
        for _ in plans:                    # the other sources still read, so that their problems are reported
            pass
        report_conversion(conversion, problems.value, lang.value)
        raise fail(UsageError(N_("cannot write output ({error})"), subject=output,
                              error=str(error.strerror or error)), lang.value) from None
    report_conversion(conversion, problems.value, lang.value)
    say(summary(conversion, output, lang.value), err=True)
    raise typer.Exit(conversion.exit_code)


def write_converted(plans: Iterable[tuple[PlanOutline, bytes]], base: str, fmt, output: str) -> None:
    """Each plan written as it arrives: to standard output, or beside ``output`` and renamed over it once complete
    (the spool of a union format in the same folder: the system's temporary folder may be in memory)."""
    if output == "-":
        write_packed_plans(plans, base, fmt, sys.stdout.buffer)
        sys.stdout.flush()
        return
    path = Path(output)
    spool_dir = path.parent if not path.exists() or path.is_file() else None
    write_file_atomically(path, lambda handle: write_packed_plans(plans, base, fmt, handle, spool_dir))


class DiffFormat(str, Enum):
    text = "text"
    json = "json"
    ttl = "ttl"


@app.command(help=N_(
    "What changed between two versions (or two years) of a plan: objectives added, removed, renamed or "
    "moved, indicators added or removed, targets, weights, units and deadlines changed. Exit 0 the same; "
    "1 different; 2 unusable."))
def diff(
    old: Annotated[str, typer.Argument(help=N_("The older side: a plan table, an RDF file, or a version or plan IRI in --store."), show_default=False)],
    new: Annotated[str, typer.Argument(help=N_("The newer side, likewise."), show_default=False)],
    store: StoreOption = None,
    fmt: Annotated[DiffFormat, typer.Option("--format", "-f", help=N_("text for people, json for machines, ttl for a cs:ChangeSet of piao:PlanChange."))] = DiffFormat.text,
    lang: LangOption = Language.it,
    base: BaseOption = DEFAULT_BASE_IRI,
    ente: EnteOption = None,
    year: YearOption = None,
    source_format: SourceFormatOption = None,
    pages: PagesOption = None,
    profile: ProfileOption = None,
    version_name: VersionOption = None,
    version_date: VersionDateOption = None,
) -> None:
    from piao_lod.plan_diff import diff as compare_plans
    from piao_lod.plan_diff import render_json as diff_json
    from piao_lod.plan_diff import render_text as diff_text
    from piao_lod.plan_diff import render_turtle as diff_turtle

    try:
        check_base(base)
        opened = open_store_for_reading(store) if store is not None else None
        result = compare_plans(old, new, base, reading_options(ente, year, source_format, pages, profile, version_name, version_date), opened)
    except PiaoLodError as error:
        raise fail(error, lang.value) from None
    output = {DiffFormat.text: lambda: diff_text(result, lang.value), DiffFormat.json: lambda: diff_json(result, lang.value),
              DiffFormat.ttl: lambda: diff_turtle(result)}[fmt]()
    (say if fmt is DiffFormat.text else typer.echo)(output, nl=False)
    raise typer.Exit(EXIT_OK if result.same else outcome_exit_code(False, True))


@app.command(help=N_(
    "Show how a table reads: each column's field, the columns not understood, the objectives and "
    "indicator rows found, the problems, and a starter profile for what was not understood. Exit 0 it "
    "reads as a plan; 1 with problems; 2 it does not (or the file is unusable)."))
def inspect(
    table: Annotated[Path, typer.Argument(help=N_("A plan table (.txt .csv .xlsx .pdf)."), show_default=False)],
    ente: EnteOption = None,
    year: YearOption = None,
    source_format: SourceFormatOption = None,
    pages: PagesOption = None,
    profile: ProfileOption = None,
    version_name: VersionOption = None,
    version_date: VersionDateOption = None,
    lang: LangOption = Language.it,
) -> None:
    from piao_lod.table_inspection import inspect_table, inspection_exit_code, render_inspection

    try:
        found = inspect_table(table, reading_options(ente, year, source_format, pages, profile, version_name, version_date))
    except PiaoLodError as error:
        raise fail(error, lang.value) from None
    say(render_inspection(found, lang.value), nl=False)
    raise typer.Exit(inspection_exit_code(found))


@app.command(help=N_(
    "Check plans against the SHACL shapes. Exit 0 conforms (warnings allowed); 1 violations; 2 unusable "
    "input."))
def validate(
    inputs: Annotated[list[Path], typer.Argument(help=N_("RDF files written by convert (.ttl .nt .trig .nq .jsonld) or plan tables, converted on the fly; a folder stands for those inside it."), show_default=False, callback=expand_input_folders)],
    fmt: Annotated[ReportFormat, typer.Option("--format", "-f", help=N_("text for people, json for machines, ttl for the SHACL sh:ValidationReport."))] = ReportFormat.text,
    lang: Annotated[Language, typer.Option("--lang", help=N_("Language of the messages."))] = Language.it,
    engine: Annotated[Engine, typer.Option("--engine", help=N_("oxigraph: shapes run as SPARQL (fast); pyshacl: the reference engine."))] = Engine.oxigraph,
    base: BaseOption = DEFAULT_BASE_IRI,
    ente: EnteOption = None,
    year: YearOption = None,
    source_format: SourceFormatOption = None,
    pages: PagesOption = None,
    profile: ProfileOption = None,
    version_name: VersionOption = None,
    version_date: VersionDateOption = None,
    workers: WorkersOption = None,
    cache: CacheOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    try:
        check_base(base)
        cached = work_cache(cache, no_cache)
        with inputs_to_validate(inputs, base, reading_options(ente, year, source_format, pages, profile, version_name, version_date), workers,
                                cached, split=engine is Engine.oxigraph) as (loaded, split):
            for error in loaded.conversion.unusable:
                say(error.describe(lang.value), err=True)
            if loaded.conversion.unusable and not loaded.conversion.plans and not loaded.graphs:
                raise typer.Exit(EXIT_UNUSABLE_INPUT)
            report = (validate_by_ente(loaded.store, workers, cached, split) if engine is Engine.oxigraph
                      else validate_store(loaded.store, Engine.pyshacl))
    except PiaoLodError as error:
        raise fail(error, lang.value) from None
    problems = loaded.conversion.problems
    if fmt is ReportFormat.json:
        typer.echo(render_json(report, problems, lang.value, engine.value), nl=False)
    elif fmt is ReportFormat.ttl:
        typer.echo(render_turtle(report, problems), nl=False)
    else:
        say(render_text(report, problems, lang.value), nl=False)
    raise typer.Exit(outcome_exit_code(bool(loaded.conversion.unusable), not fully_conforms(report, problems)))


StoreOption = Annotated[Optional[Path], typer.Option("--store", help=N_("Directory of the on-disk store."), show_default=str(DEFAULT_STORE_DIR))]


def load_summary(done: StoreLoad, store: Path, lang: str) -> str:
    return gettext(lang, "loaded {graphs} into {store} ({converted}); {unusable}; the store holds {triples} in {named}",
                   graphs=ngettext(lang, "{count} graph", "{count} graphs", len(done.graphs)), store=str(store),
                   converted=ngettext(lang, "{count} converted from a table", "{count} converted from tables",
                                      len(done.conversion.plans)),
                   unusable=ngettext(lang, "{count} unusable input", "{count} unusable inputs", len(done.conversion.unusable)),
                   triples=ngettext(lang, "{count} triple", "{count} triples", done.triples),
                   named=ngettext(lang, "{count} named graph", "{count} named graphs", done.named_graphs))


@app.command(help=N_(
    "Load plans into an on-disk store, a named graph per plan (loading again replaces it). Exit 0 loaded; "
    "1 data problems; 2 an input unusable (the others are loaded)."))
def load(
    inputs: Annotated[list[Path], typer.Argument(help=N_("Plan tables (.pdf .txt .csv .xlsx) or RDF written by convert (.ttl .nt .trig .nq .jsonld .rdf); a folder stands for those inside it."), show_default=False, callback=expand_input_folders)],
    store: Annotated[Path, typer.Option("--store", help=N_("Directory of the on-disk Oxigraph store; created if missing."))] = DEFAULT_STORE_DIR,
    base: BaseOption = DEFAULT_BASE_IRI,
    ente: EnteOption = None,
    year: YearOption = None,
    source_format: SourceFormatOption = None,
    pages: PagesOption = None,
    profile: ProfileOption = None,
    version_name: VersionOption = None,
    version_date: VersionDateOption = None,
    problems: ProblemsOption = ProblemsFormat.text,
    lang: LangOption = Language.it,
    workers: WorkersOption = None,
    cache: CacheOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    try:
        check_base(base)
        done = load_into_store(store, inputs, base, reading_options(ente, year, source_format, pages, profile, version_name, version_date), workers,
                               work_cache(cache, no_cache))
    except PiaoLodError as error:
        raise fail(error, lang.value) from None
    report_conversion(done.conversion, problems.value, lang.value)
    say(load_summary(done, store, lang.value), err=True)
    raise typer.Exit(done.exit_code)


def parse_parameters(assignments: list[str]) -> dict[str, str]:
    parameters: dict[str, str] = {}
    for assignment in assignments:
        name, equals, value = assignment.partition("=")
        if not equals or not name.strip():
            raise UsageError(N_("--param takes name=value, got “{given}”"), given=assignment)
        if name.strip() in parameters:
            raise UsageError(N_("--param {name} given twice"), name=name.strip())
        parameters[name.strip()] = value
    return parameters


def catalogue(lang: str) -> str:
    """The saved queries, as ``--list`` prints them, in ``lang`` (their headers are catalogue texts)."""
    blocks = []
    for saved in saved_queries():
        lines = [f"{saved.name} — {gettext(lang, saved.title)}" if saved.title else saved.name]
        if saved.description:
            lines.append(f"    {gettext(lang, saved.description)}")
        if not saved.parameters:
            lines.append("    " + gettext(lang, "parameters: none"))
        for parameter in saved.parameters:
            description = gettext(lang, parameter.description) if parameter.description else ""
            if parameter.default is not None:
                line = gettext(lang, "--param {name}=… (default {default}): {description}", name=parameter.name,
                               default=parameter.default, description=description)
            elif parameter.optional:
                line = gettext(lang, "--param {name}=… (optional): {description}", name=parameter.name,
                               description=description)
            else:
                line = gettext(lang, "--param {name}=… (required): {description}", name=parameter.name,
                               description=description)
            lines.append("    " + line.rstrip(": "))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


@app.command(help=N_(
    "Run SPARQL (text, .rq file or saved query) on the store, files or an endpoint. Exit 0 answered; 2 "
    "bad query, unusable input or endpoint."))
def query(
    query_text: Annotated[Optional[str], typer.Argument(metavar="QUERY", help=N_("SPARQL text, a .rq file, or the name of a saved query (see --list)."), show_default=False)] = None,
    store: StoreOption = None,
    data: Annotated[Optional[list[Path]], typer.Option("--data", help=N_("Query these files (RDF or plan tables, or the folders holding them) in memory instead of a store; repeat for several."), show_default=False, callback=expand_input_folders)] = None,
    endpoint: Annotated[Optional[str], typer.Option("--endpoint", help=N_("Query a remote SPARQL endpoint; its default graph must be the union of its graphs."), show_default=False)] = None,
    param: Annotated[Optional[list[str]], typer.Option("--param", "-p", help=N_("A parameter the query declares, name=value; repeat for several."), show_default=False)] = None,
    fmt: Annotated[Optional[ResultFormat], typer.Option("--format", "-f", help=N_("table (default), csv, tsv, json: SPARQL results; ttl: CONSTRUCT/DESCRIBE graphs (their default)."), show_default=False)] = None,
    list_queries: Annotated[bool, typer.Option("--list", help=N_("List the saved queries with their parameters and exit."))] = False,
    user: UserOption = None,
    password: PasswordOption = None,
    base: BaseOption = DEFAULT_BASE_IRI,
    ente: EnteOption = None,
    year: YearOption = None,
    source_format: SourceFormatOption = None,
    pages: PagesOption = None,
    profile: ProfileOption = None,
    version_name: VersionOption = None,
    version_date: VersionDateOption = None,
    lang: LangOption = Language.it,
) -> None:
    if list_queries:
        say(catalogue(lang.value))
        raise typer.Exit(EXIT_OK)
    try:
        if query_text is None:
            raise UsageError(N_("give a QUERY: SPARQL text, a .rq file or the name of a saved query (piao-lod query "
                                "--list)"))
        if sum(target is not None for target in (store, data, endpoint)) > 1:
            raise UsageError(N_("give one of --store, --data, --endpoint"))
        query, parameters = resolve_query(query_text), parse_parameters(param or [])
        text, form = answer_in_child(lambda: prepare(query, parameters))
        with tempfile.TemporaryFile() as answer:
            if endpoint:
                answer.write(render(query_endpoint(endpoint, text, form, user, password), fmt, lang.value))
            else:
                options = reading_options(ente, year, source_format, pages, profile, version_name, version_date)
                answer_in_child(local_answer(store, data, base, options, query, parameters, text, fmt, lang.value, answer))
            print_answer(answer)
    except PiaoLodError as error:
        raise fail(error, lang.value) from None
    except OSError as error:              # a closed stdout (``| head``), a full disk: said as convert says it
        raise fail(UsageError(N_("cannot write output ({error})"), subject="-", error=str(error.strerror or error)),
                   lang.value) from None


def print_answer(answer: BinaryIO) -> None:
    """The answer written into ``answer`` (by the child that ran the query) to stdout, a block at a time, ending
    with a line break: all of it or, when the query failed, nothing."""
    answer.seek(0)
    last = b""
    while block := answer.read(1 << 20):
        sys.stdout.buffer.write(block)
        last = block[-1:]
    if last != b"\n":
        sys.stdout.buffer.write(b"\n")
    sys.stdout.flush()


def local_answer(store: Path | None, data: list[Path] | None, base: str, options: ReadingOptions, query: SparqlQuery,
                 parameters: dict[str, str], text: str, fmt: ResultFormat | None, lang: str,
                 output: BinaryIO) -> Callable[[], None]:
    """What writes the answer to ``query`` (``text`` once prepared) into ``output``, from the files of --data loaded
    in memory (all must be usable, read here), else from the on-disk store (opened by the child
    :func:`answer_in_child` runs it in; a saved query without parameters answered from what the store keeps)."""
    if not data:
        return flushed(output, lambda: answer_from_store(store or DEFAULT_STORE_DIR, query, parameters, text, fmt, lang,
                                                         output))
    check_base(base)
    loaded = load_dataset(data, base, options)
    if loaded.conversion.unusable:
        for error in loaded.conversion.unusable[:-1]:
            say(error.describe(lang), err=True)
        raise loaded.conversion.unusable[-1]
    return flushed(output, lambda: write_answer(query_store(loaded.store, text), output, fmt, lang))


def flushed(output: BinaryIO, write: Callable[[], None]) -> Callable[[], None]:
    """``write``, then ``output`` flushed: a forked child ends without flushing its buffers. An ``OSError`` (a full
    disk under the temporary file) is raised in the parent, which says it as it says a closed stdout."""
    def run() -> None:
        write()
        output.flush()
    return run


def answer_from_store(path: Path, query: SparqlQuery, parameters: dict[str, str], text: str,
                      fmt: ResultFormat | None, lang: str, output: BinaryIO) -> None:
    """The answer on the store at ``path``, into ``output``: the one it keeps for a saved query run without
    parameters (:mod:`piao_lod.saved_answers`; in TSV, its file as it is), else the query run."""
    kept = kept_answer(pinned_store(path), query, parameters)
    if kept is not None and fmt is ResultFormat.tsv:
        kept.write_tsv(output)
        return
    write_answer(kept.solutions() if kept is not None else query_store(open_store_for_reading(path), text), output,
                 fmt, lang)


@app.command(help=N_(
    "PUT each plan's graph to a SPARQL Graph Store (again = replace). Exit 0 published; 1 data problems; "
    "2 unusable input or refused."))
def publish(
    sources: Annotated[Optional[list[Path]], typer.Argument(help=N_("Plan tables or RDF files (or folders of them) to publish instead of a store."), show_default=False, callback=expand_input_folders)] = None,
    endpoint: Annotated[str, typer.Option("--endpoint", help=N_("SPARQL query endpoint of the triple store, asked afterwards what it holds."), show_default=False)] = ...,
    graph_store: Annotated[Optional[str], typer.Option("--graph-store", help=N_("Its Graph Store Protocol URL (Virtuoso: …/sparql-graph-crud-auth) [default, for Oxigraph only: the endpoint with /query replaced by /store]."), show_default=False)] = None,
    user: UserOption = None,
    password: PasswordOption = None,
    store: StoreOption = None,
    base: BaseOption = DEFAULT_BASE_IRI,
    ente: EnteOption = None,
    year: YearOption = None,
    source_format: SourceFormatOption = None,
    pages: PagesOption = None,
    profile: ProfileOption = None,
    version_name: VersionOption = None,
    version_date: VersionDateOption = None,
    problems: ProblemsOption = ProblemsFormat.text,
    lang: LangOption = Language.it,
) -> None:
    exit_code = EXIT_OK
    try:
        if sources and store is not None:
            raise UsageError(N_("give either SOURCE files or --store, not both"))
        if sources:
            check_base(base)
            loaded = load_dataset(sources, base, reading_options(ente, year, source_format, pages, profile, version_name, version_date))
            report_conversion(loaded.conversion, problems.value, lang.value)
            if not loaded.graphs:
                raise UsageError(N_("nothing to publish: no SOURCE could be used"))
            source_store, exit_code = loaded.store, loaded.exit_code
        else:
            source_store = open_store_for_reading(store or DEFAULT_STORE_DIR)
        publication = publish_store(source_store, endpoint, graph_store, user, password)
    except PiaoLodError as error:
        raise fail(error, lang.value) from None
    say(gettext(lang.value, "published {graphs}, {triples}, to {graph_store}; {endpoint} holds them all",
                       graphs=ngettext(lang.value, "{count} graph", "{count} graphs", len(publication.graphs)),
                       triples=ngettext(lang.value, "{count} triple", "{count} triples", sum(publication.graphs.values())),
                       graph_store=publication.graph_store, endpoint=endpoint), err=True)
    raise typer.Exit(exit_code)


@app.command(help=N_(
    "Build the static linked-data site: convert, validate, render pages, RDF, dumps, catalog, search. "
    "Exit 0 built; 1 built, with validation violations or data problems (see validazione/); 2 unusable "
    "input."))
def build(
    inputs: Annotated[Optional[list[Path]], typer.Argument(help=N_("Plan tables (.pdf .txt .csv .xlsx) or RDF written by convert, or folders of them; none: the bundled Cremona example."), show_default=False, callback=expand_input_folders)] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help=N_("Folder of the site: a first build is swapped in whole when it succeeds, a rebuild updates it file by file."))] = Path("_site"),
    base_url: Annotated[str, typer.Option("--base-url", help=N_("URL the site is published at; data IRIs are minted under BASE_URL/id/."))] = "https://w3id.org/piao-lod/",
    ente: EnteOption = None,
    year: YearOption = None,
    source_format: SourceFormatOption = None,
    pages: PagesOption = None,
    profile: ProfileOption = None,
    version_name: VersionOption = None,
    version_date: VersionDateOption = None,
    workers: WorkersOption = None,
    cache: CacheOption = None,
    no_cache: NoCacheOption = False,
    search: Annotated[bool, typer.Option("--search/--no-search", help=N_("Build the Pagefind full-text search index."))] = True,
    full: Annotated[bool, typer.Option("--full", help=N_("Take nothing from the previous build: render every page into a new folder and swap it in whole."))] = False,
    contact_email: Annotated[Optional[str], typer.Option("--contact-email", help=N_("Contact point of every dataset in the DCAT-AP_IT catalog (recommended by AgID)."), show_default=False)] = None,
    sparql_endpoint: Annotated[Optional[str], typer.Option("--sparql-endpoint", help=N_("Public URL of the SPARQL endpoint, announced in VoID."), show_default=False)] = None,
    templates: Annotated[Optional[Path], typer.Option("--templates", exists=True, file_okay=False, help=N_("A folder of the publisher's templates that take the place of the site's own with the same name (accessibility.html, legal-notes.html)."), show_default=False)] = None,
    lang: LangOption = Language.it,
) -> None:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from piao_lod.website.build import build_site

    with Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=Console(stderr=True), transient=True, disable=not sys.stderr.isatty()) as bar:
        task = bar.add_task("pages", total=None)
        try:
            built = build_site(inputs or [], output, site_url=base_url,
                               options=reading_options(ente, year, source_format, pages, profile, version_name, version_date), workers=workers,
                               cache=work_cache(cache, no_cache),
                               search=search, progress=lambda done, total: bar.update(task, completed=done, total=total),
                               contact_email=contact_email, sparql_endpoint=sparql_endpoint, templates=templates,
                               full=full)
        except PiaoLodError as error:
            raise fail(error, lang.value) from None
    for problem in built.problems:
        say(problem.describe(lang.value), err=True)
    say(build_summary(built, output, lang.value), err=True)
    raise typer.Exit(built.exit_code)


def build_summary(built, output: Path, lang: str) -> str:
    from babel.numbers import format_decimal

    summary = gettext(lang, "built {output}: {pages} ({reused}), {files}, {plans}, {triples} in {seconds} s",
                      output=str(output), pages=ngettext(lang, "{count} page", "{count} pages", built.pages),
                      reused=ngettext(lang, "{count} unchanged, kept from the previous build",
                                      "{count} unchanged, kept from the previous build", built.reused),
                      files=ngettext(lang, "{count} file", "{count} files", built.files),
                      plans=ngettext(lang, "{count} plan", "{count} plans", built.plans),
                      triples=ngettext(lang, "{count} triple", "{count} triples", built.triples),
                      seconds=format_decimal(built.seconds["total"], format="0.0", locale=lang))
    if built.exit_code:
        summary += gettext(lang, "; validation found problems, see validazione/index.html")
    return summary


@app.command(help=N_("Serve the site with content negotiation and a read-only SPARQL 1.1 endpoint at /sparql."))
def serve(
    site: Annotated[Optional[Path], typer.Option("--site", help=N_("A folder written by piao-lod build (default: _site, built from the bundled example when missing)."), show_default=False)] = None,
    store: Annotated[Optional[Path], typer.Option("--store", help=N_("An on-disk store (piao-lod load): /sparql answers over it, and every page --site lacks (all, without --site) is rendered from it on request."), show_default=False)] = None,
    sources: Annotated[Optional[Path], typer.Option("--sources", help=N_("With --store: the folder of the plans' source documents, served at dati/fonti/ (default: the site's)."), show_default=False)] = None,
    host: Annotated[str, typer.Option("--host", help=N_("Interface to listen on."))] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help=N_("TCP port."))] = 8000,
    query_timeout: Annotated[float, typer.Option("--query-timeout", min=0.1, help=N_("Seconds a SPARQL query may run before it is stopped."))] = 10.0,
    max_result_bytes: Annotated[int, typer.Option("--max-result-bytes", min=1000, help=N_("Largest SPARQL answer sent, in bytes."))] = 20_000_000,
    query_workers: Annotated[int, typer.Option("--query-workers", min=1, max=32, help=N_("Processes answering SPARQL queries."))] = 2,
    client_timeout: Annotated[float, typer.Option("--client-timeout", min=0.1, help=N_("Seconds a client may take to send a request's head or body, or to read on."))] = 10.0,
    lang: LangOption = Language.it,
) -> None:
    import logging

    from piao_lod.server.app import create_app, serve as serve_app, start_queries
    from piao_lod.server.settings import ServerSettings
    from piao_lod.website.build import SITE_MARKER, build_site
    from piao_lod.website.in_place import interrupted

    if site is None and store is None:
        site = Path("_site")
        if not (site / SITE_MARKER).is_file():
            say(gettext(lang.value, "no site in {site}: building the bundled example first", site=str(site)), err=True)
            try:
                build_site([], site)
            except PiaoLodError as error:
                raise fail(error, lang.value) from None
    if site is not None and interrupted(site):
        say(gettext(lang.value, "{site}: a rebuild is updating this site, or stopped while it did: its pages "
                                       "may be part old and part new until the next piao-lod build -o {site}",
                           site=str(site)), err=True)
    settings = ServerSettings(site, store, query_timeout, max_result_bytes, query_workers, client_timeout, sources)
    try:
        application = create_app(settings)
        start_queries(application)
    except PiaoLodError as error:
        raise fail(error, lang.value) from None
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    url = f"http://{host}:{port}/"
    say(gettext(lang.value, "serving {what} at {url} (SPARQL endpoint: {url}sparql)", what=str(site or store),
                       url=url), err=True)
    serve_app(application, host, port, settings)
