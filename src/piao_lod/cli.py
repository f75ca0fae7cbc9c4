"""The ``piao-lod`` command: parses arguments, calls the library, maps errors to exit codes.

Exit codes (all commands): 0 success; 1 done, but the data has problems
(reported on stderr); 2 unusable input or usage error.
"""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from piao_lod import __version__
from piao_lod.conversion import Conversion, convert_sources
from piao_lod.errors import EXIT_UNUSABLE_INPUT, PiaoLodError
from piao_lod.iris import check_base
from piao_lod.namespaces import DEFAULT_BASE_IRI
from piao_lod.problems import Severity
from piao_lod.validation import Engine, store_as_graph, validate_graph, validate_store
from piao_lod.validation_report import reading_problems, render_json, render_text, render_turtle
from piao_lod.converters import READERS
from piao_lod.errors import EXIT_DATA_PROBLEMS, EXIT_OK
from piao_lod.graph_inputs import load_inputs
from piao_lod.rdf_output import RDFLIB_FORMATS, output_format, serialize_plans

app = typer.Typer(
    help="Turn Italian municipal performance plans (PIAO) into linked open data.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

RdfFormat = Enum("RdfFormat", {name: name for name in RDFLIB_FORMATS}, type=str)
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


Sources = Annotated[list[Path], typer.Argument(help="Plan tables: extracted PDF text (.txt), .csv or .xlsx.", show_default=False)]
EnteOption = Annotated[Optional[str], typer.Option("--ente", help="IPA code of the ente (e.g. c_d150), when the document does not say it.")]
YearOption = Annotated[Optional[int], typer.Option("--year", min=1990, max=2100, help="Year of the objectives, when the document does not say it.")]
BaseOption = Annotated[str, typer.Option("--base", help="Base IRI of the resources.")]
SourceFormatOption = Annotated[Optional[SourceFormat], typer.Option("--source-format", help="Force the reader (default: by file suffix).")]


def version_callback(value: bool) -> None:
    if value:
        typer.echo(f"piao-lod {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[Optional[bool], typer.Option("--version", callback=version_callback, is_eager=True, help="Show the version and exit.")] = None,
) -> None:
    """Turn Italian municipal performance plans (PIAO) into linked open data."""


def fail(error: PiaoLodError) -> typer.Exit:
    typer.echo(str(error), err=True)
    return typer.Exit(error.exit_code)


def report_conversion(conversion: Conversion, problems_format: str) -> None:
    for error in conversion.unusable:
        typer.echo(error.located(), err=True)
    if problems_format == "json":
        payload = {"problems": [problem.as_dict() for problem in conversion.problems],
                   "unusable": [{"file": error.file, "line": error.line, "column": error.column, "message": error.detail}
                                for error in conversion.unusable]}
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2), err=True)
        return
    for problem in conversion.problems:
        typer.echo(str(problem), err=True)


def summary(conversion: Conversion, output: str) -> str:
    counts = {severity: sum(problem.severity is severity for problem in conversion.problems) for severity in Severity}
    plans = ", ".join(
        f"{plan.ente.ipa_code} {plan.year}: {len(plan.objectives)} objectives, "
        f"{sum(len(objective.assignments) for objective in plan.objectives)} indicator assignments"
        for plan in conversion.plans
    )
    return (f"converted {len(conversion.plans)} plan(s) to {output} ({plans}); "
            f"{counts[Severity.ERROR]} errors, {counts[Severity.WARNING]} warnings, {counts[Severity.INFO]} notes; "
            f"{len(conversion.unusable)} unusable source(s)")


@app.command()
def convert(
    sources: Sources,
    output: Annotated[str, typer.Option("-o", "--output", help="Output file, or - for standard output.")] = "-",
    fmt: Annotated[Optional[RdfFormat], typer.Option("--format", "-f", help="Default: from the output suffix, else ttl. TriG/N-Quads keep one named graph per plan.")] = None,
    base: BaseOption = DEFAULT_BASE_IRI,
    ente: EnteOption = None,
    year: YearOption = None,
    source_format: SourceFormatOption = None,
    problems: Annotated[ProblemsFormat, typer.Option("--problems", help="How to print data problems on stderr.")] = ProblemsFormat.text,
) -> None:
    """Convert plan tables to RDF. Exit 0 converted; 1 converted with data problems; 2 unusable input."""
    try:
        chosen_format = output_format(fmt.value if fmt else None, output)
        check_base(base)
        conversion = convert_sources(sources, ente=ente, year=year, source_format=source_format.value if source_format else None)
    except PiaoLodError as error:
        raise fail(error) from None
    report_conversion(conversion, problems.value)
    if conversion.plans:
        data = serialize_plans(conversion.plans, base, chosen_format)
        if output == "-":
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        else:
            try:
                Path(output).parent.mkdir(parents=True, exist_ok=True)
                Path(output).write_bytes(data)
            except OSError as error:
                typer.echo(f"{output}: error: cannot write output ({error.strerror})", err=True)
                raise typer.Exit(EXIT_UNUSABLE_INPUT) from None
    typer.echo(summary(conversion, output), err=True)
    raise typer.Exit(conversion.exit_code)


@app.command()
def validate(
    inputs: Annotated[list[Path], typer.Argument(help="RDF files written by convert (.ttl .nt .trig .nq .jsonld) or plan tables, converted on the fly.", show_default=False)],
    fmt: Annotated[ReportFormat, typer.Option("--format", "-f", help="text for people, json for machines, ttl for the SHACL sh:ValidationReport.")] = ReportFormat.text,
    lang: Annotated[Language, typer.Option("--lang", help="Language of the messages.")] = Language.it,
    engine: Annotated[Engine, typer.Option("--engine", help="oxigraph: shapes run as SPARQL (fast); pyshacl: the reference engine.")] = Engine.oxigraph,
    base: BaseOption = DEFAULT_BASE_IRI,
    ente: EnteOption = None,
    year: YearOption = None,
    source_format: SourceFormatOption = None,
) -> None:
    """Check plans against the SHACL shapes. Exit 0 conforms (warnings allowed); 1 violations; 2 unusable input."""
    try:
        check_base(base)
        loaded = load_inputs(inputs, base, ente=ente, year=year, source_format=source_format.value if source_format else None)
    except PiaoLodError as error:
        raise fail(error) from None
    for error in loaded.conversion.unusable:
        typer.echo(error.located(), err=True)
    if loaded.conversion.unusable and not loaded.conversion.plans and len(loaded.store) == 0:
        raise typer.Exit(EXIT_UNUSABLE_INPUT)
    report = validate_store(loaded.store) if engine is Engine.oxigraph else validate_graph(store_as_graph(loaded.store), Engine.pyshacl)
    problems = loaded.conversion.problems
    if fmt is ReportFormat.json:
        typer.echo(render_json(report, problems, lang.value, engine.value), nl=False)
    elif fmt is ReportFormat.ttl:
        typer.echo(render_turtle(report), nl=False)
    else:
        typer.echo(render_text(report, problems, lang.value), nl=False)
    if loaded.conversion.unusable:
        raise typer.Exit(EXIT_UNUSABLE_INPUT)
    reading_errors = any(problem.severity is Severity.ERROR for problem in reading_problems(problems))
    raise typer.Exit(EXIT_OK if report.conforms and not reading_errors else EXIT_DATA_PROBLEMS)
