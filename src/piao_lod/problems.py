"""Data problems found while reading a plan, reported as values (never raised).

Modelled on frictionless' errors: every problem has a stable ``code`` slug, a severity, a
message and the place in the source (file, line or page and row, column). The codes, their
severities and their message templates are registered once in :data:`PROBLEMS`; the texts are
translated through the message catalogue (:mod:`piao_lod.messages`), so a problem reads in
Italian or English, and the README's table of codes is generated from the registry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from babel.numbers import format_decimal

from piao_lod.messages import DEFAULT_LANGUAGE, N_, gettext, ngettext


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    def word(self, lang: str = DEFAULT_LANGUAGE) -> str:
        return gettext(lang, self.value)


N_("error"), N_("warning"), N_("info")   # the severity words


class Term(str):
    """A message parameter that is itself a catalogue text (a field name), translated with the message."""


@dataclass(frozen=True)
class Phrase:
    """A message parameter that is a catalogue text with parameters of its own (a reason, which may be a phrase
    too), in the message's language."""

    message: str | tuple[str, str]
    params: tuple[tuple[str, object], ...] = ()

    def render(self, lang: str) -> str:
        """A ``(singular, plural)`` pair (marked with :func:`~piao_lod.messages.ngettext_`) takes its form from the
        ``count`` parameter."""
        params = {name: rendered(value, lang) for name, value in self.params}
        if isinstance(self.message, tuple):
            return ngettext(lang, *self.message, params.pop("count"), **params)
        return gettext(lang, self.message, **params)


@dataclass(frozen=True)
class Listing:
    """A message parameter listing texts with their lines (``line 2: “Lavori avviati”; line 3: …``), in the
    message's language."""

    items: tuple[tuple[str, int], ...]

    def render(self, lang: str) -> str:
        return "; ".join(gettext(lang, "line {line}: “{text}”", line=line, text=text) for text, line in self.items)


@dataclass(frozen=True)
class Phrases:
    """A message parameter that is several phrases (or terms), in the message's language, one after the other."""

    items: tuple[Phrase | Term, ...]
    separator: str = "; "

    def render(self, lang: str) -> str:
        return self.separator.join(str(rendered(item, lang)) for item in self.items)


QUOTED = N_("“{text}”")   # a text quoted inside a message: «…» in Italian


class Quoted(str):
    """A message parameter that is a text someone wrote (a cell, a title), in the quotes of the message's language
    (“…”, «…»)."""

    def render(self, lang: str) -> str:
        return gettext(lang, QUOTED, text=str(self))


def quoted(texts, separator: str = ", ", limit: int = 500) -> Phrases:
    """Texts as one message parameter, each :class:`Quoted`; texts past ``limit`` characters in all are left out."""
    kept, length = [], 0
    for text in texts:
        length += len(text) + len(separator) + 2
        if kept and length > limit:
            break
        kept.append(Quoted(shorten(text, limit)))
    return Phrases(tuple(kept), separator)


@dataclass(frozen=True)
class Amount:
    """A message parameter that is a large number, grouped as the message's language writes it (``10.000.000``,
    ``10,000,000``)."""

    value: int | float

    def render(self, lang: str) -> str:
        return format_decimal(self.value, format="#,##0.#", locale=lang)


def rendered(value, lang: str):
    """A message parameter in ``lang``: a :class:`Term` translated; a :class:`Phrase`, :class:`Phrases`,
    :class:`Listing`, :class:`Quoted`, :class:`Amount` or error rendered (anything with ``render(lang)``); anything else as it is."""
    if isinstance(value, Term):
        return gettext(lang, value)
    render = getattr(value, "render", None)
    return render(lang) if callable(render) else value


@dataclass(frozen=True)
class ProblemCode:
    code: str
    severity: Severity
    template: str          # the English message, a catalogue id with {placeholders}
    summary: str           # one line for the README table: what happened and what was done


E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO
UNREADABLE = N_("{what} is not {expected}; kept as written")

PROBLEMS: dict[str, ProblemCode] = {code.code: code for code in (
    # how the file was read
    ProblemCode("encoding", W, N_("not valid {encoding} ({where}); {reading}"),
                N_("the file is not UTF-8; lines that are not were read as Windows-1252")),
    ProblemCode("unreadable-rows", E, N_("the rest of the file could not be read as CSV: {detail}"),
                N_("the CSV parser stopped; the rows after that line are not converted")),
    ProblemCode("unclosed-quote", E, N_("the quote that opens this cell does not close where the cell ends: it "
                                        "swallowed {swallowed} into the cell; the quote is read as a character, and "
                                        "what it swallowed as rows"),
                N_("a CSV quote left open (a stray \" in a title) swallowed the lines after it; reported where it opens, "
                   "those lines read again as rows")),
    ProblemCode("formula-without-value", W, N_("formula cell without a computed value (the program that saved the "
                                               "workbook did not calculate it); its formula is read as the cell's text"),
                N_("an XLSX formula cell without a cached value; the formula (=SUM(A1:A3)) is kept as the cell's text")),
    ProblemCode("hidden-row", I, N_("the row is hidden in the workbook; read like the others"),
                N_("an XLSX row hidden from view that holds cells: read, since its cells are in the plan's file")),
    ProblemCode("hidden-column", I, N_("the column is hidden in the workbook; read like the others"),
                N_("an XLSX column hidden from view that holds cells: read, and noted at its first cell")),
    ProblemCode("pdf-page-skipped", W, N_("the PDF was not read in full: {detail}"),
                N_("a PDF page not read: an image without text (a scan), text drawn sideways, a page that could not "
                   "be parsed, or one that draws more than 50,000 lines, shapes and strings (or has over 8 MB of "
                   "content); or read only in part, some of its content damaged; the page is named")),
    ProblemCode("sheet-skipped", I, N_("sheet “{sheet}” holds no objectives table; not read"),
                N_("a sheet of the workbook without a plan header row")),
    # the header
    ProblemCode("missing-column", E, N_("the header has no {what} column; those values are left empty"),
                N_("the header lacks an expected column (settore, indicator title, target, weight...)")),
    ProblemCode("unknown-column", W, N_("column “{name}” is not a plan field (see vocabularies/columns.csv, or "
                                        "map it in a profile); its values are not converted"),
                N_("a header cell that names no plan field (e.g. Note); its cells stay in the source rows")),
    ProblemCode("duplicate-column", W, N_("columns “{first}” and “{second}” both read as {what}; "
                                          "the values of “{first}” are used"),
                N_("two columns map to one field; the first one is read")),
    ProblemCode("year-span-column", I, N_("column “{name}” names the years {first}–{last}: its values are read as "
                                          "those of {first}, the first of them"),
                N_("a column headed by a span of years (Target 2025-2027): read as the first year's")),
    ProblemCode("year-outside-triennium", W, N_("column “{name}” is for {year}, outside the plan's triennium "
                                                "{first}–{last}"),
                N_("a year column (Target 2030) outside the plan's three years; its values are kept")),
    ProblemCode("no-objective-code-column", W, N_("the header has no objective code column: objectives are "
                                                  "identified by their titles"),
                N_("objectives get IRIs from their titles (titolo-…), so the same title joins across years")),
    # rows
    ProblemCode("ragged-row", E, N_("the row has {cells} cells but the header has {width}; the extra cells are "
                                    "not converted"),
                N_("a row has more non-empty cells than the header; the extra text is kept in the source row")),
    ProblemCode("short-row", W, N_("the row has {cells} cells but the header has {width}; missing cells read as empty"),
                N_("a row has fewer cells than the header")),
    ProblemCode("realigned-row", I, N_("the row was shifted left by one cell (PDF extraction); realigned to the header"),
                N_("a row the PDF extraction shifted left by one cell was put back under its headers")),
    ProblemCode("continued-cell", I, N_("the row continues the {what} of line {first}; its text was appended to it"),
                N_("a row holding only text that continues a cell above (a wrapped definition); appended")),
    ProblemCode("prose-in-table", W, N_("a line of text inside the table that is not a row of it; not converted"),
                N_("a line between table rows that is neither a row nor a heading; kept in the source rows")),
    ProblemCode("weight-of-objectives", I, N_("column “{name}” holds one weight for each objective, on its first row "
                                              "(a cell over its indicators): read as the objectives' weights"),
                N_("a weight column filled only on each objective's first row, over objectives of several indicators")),
    ProblemCode("totals-row", I, N_("a totals row of the table, not an objective or an indicator; not converted"),
                N_("a row that totals the table (Totale pesi 100): its label and numbers are not read as a record")),
    ProblemCode("settore-without-objectives", W, N_("settore “{settore}” has no objective under it"),
                N_("a settore written on a row of its own with no objective after it")),
    # objectives
    ProblemCode("missing-objective-code", E, N_("the objective has a title but no code; it is named after its line"),
                N_("an objective with a title but no code (named riga-N after its line)")),
    ProblemCode("duplicate-objective-code", E, N_("objective code {code} is also used at line {first}; both are kept, "
                                                  "this one as {key}"),
                N_("two different rows use one objective code; both are kept (X and X--2)")),
    ProblemCode("missing-settore", W, N_("the objective has no settore (none written above it in this block)"),
                N_("an objective with no settore")),
    ProblemCode("missing-dirigente", W, N_("the objective has no dirigente (no DIRIGENTE: heading or Responsabile "
                                           "column)"),
                N_("an objective with no dirigente")),
    ProblemCode("unknown-missione", W, N_("budget mission “{text}” is not a mission of D.Lgs. 118/2011; left unlinked"),
                N_("a Missione cell that is not a budget mission code or name")),
    ProblemCode("unknown-programma", W, N_("budget programme “{text}” is not a programme of D.Lgs. 118/2011; "
                                           "left unlinked"),
                N_("a Programma cell that is not a budget programme code or name")),
    ProblemCode("programma-not-in-missione", W, N_("programme {programme} does not belong to mission {mission}"),
                N_("the Programma and Missione cells of a row disagree; the programme's own mission is used")),
    ProblemCode("unknown-pnrr-code", E, N_("PNRR code {notation} is not in the PNRR scheme; left unlinked"),
                N_("a code in a title that is not in the PNRR scheme, nor inside a measure of it")),
    ProblemCode("pnrr-code-not-in-scheme", W, N_("PNRR code {notation} is not in the PNRR scheme; linked to the "
                                                 "measure that contains it, {linked}"),
                N_("a sub-code the scheme lacks (M5C2-I2.1.2); linked to the measure that contains it")),
    ProblemCode("pnrr-without-code", W, N_("the title mentions PNRR but gives no measure code (e.g. M5C2-I2.1); "
                                           "left unlinked"),
                N_("a title that mentions PNRR without a code; never linked to a guessed measure")),
    # indicators and values
    ProblemCode("row-without-objective", E, N_("indicator row before any objective of its block; not converted"),
                N_("an indicator row before any objective; its cells are printed and kept in the source row")),
    ProblemCode("missing-indicator-code", W, N_("the indicator row has no indicator code; the indicator is "
                                                "identified by its title"),
                N_("an indicator row without code, in a table that has a code column")),
    ProblemCode("duplicate-indicator-in-objective", E, N_("indicator {indicator} appears more than once in objective "
                                                          "{objective}"),
                N_("one indicator listed twice in one objective; both rows are kept")),
    ProblemCode("indicator-title-conflict", W, N_("indicator {code} has {count} different titles ({titles})"),
                N_("one indicator code with different titles in one plan; every line is named")),
    ProblemCode("indicator-title-ambiguous", W, N_("indicators without code titled “{title}” have different formulas "
                                                   "(lines {lines}); they are kept apart"),
                N_("two uncoded indicators with one title and different formulas are not merged")),
    ProblemCode("unreadable-target", E, UNREADABLE, N_("a target that cannot be read as its kind (number, "
                                                       "percentage, date, yes/no); the text is kept in the graph")),
    ProblemCode("unreadable-weight", E, UNREADABLE, N_("a weight that is not a number; the text is kept")),
    ProblemCode("unreadable-baseline", E, UNREADABLE, N_("a baseline that cannot be read as its kind; the text is kept")),
    ProblemCode("unreadable-achieved", E, UNREADABLE, N_("an achieved value or achievement rate that cannot be read; "
                                                         "the text is kept")),
    ProblemCode("unreadable-latex", W, N_("the LaTeX of the formula could not be read ({reason}); kept as written, "
                                          "and as its plain text"),
                N_("a LaTeX formula too long, too deeply nested or not valid; kept as written")),
    ProblemCode("date-without-year", I, N_("the date “{text}” has no year: read in {year}, the year of its column ({what})"),
                N_("a date target without its year (entro il 31/12), dated in the year of its column")),
    ProblemCode("qualitative-target", I, N_("target “{text}” is not a number: kept as a qualitative target"),
                N_("a target written in words, with no unit or formula that asks for a number")),
    ProblemCode("unknown-unit", I, N_("unit of measure “{text}” is not in the unit vocabulary; kept as written"),
                N_("a unit the vocabulary (vocabularies/units.csv) does not know; not linked to QUDT")),
    # the site
    ProblemCode("resource-without-page", E, N_("no page in the site for this resource: {reason}; its data are in the "
                                               "dumps"),
                N_("a resource of an RDF input whose IRI cannot be a page inside the site (too long, or the folder of "
                   "another page); reported by build, its triples stay in the dumps")),
    ProblemCode("plan-without-year", E, N_("the plan's year “{text}” is not a year: the plan is not in the data "
                                           "catalogue (catalog.ttl); its pages and data are in the site"),
                N_("a plan of an RDF input whose piao:year is not a year; reported by build, left out of the "
                   "DCAT-AP_IT catalogue")),
    # the plan as a whole
    ProblemCode("option-overridden", W, N_("{option} {flag} ignored: the document says {stated}"),
                N_("--ente/--year disagrees with the document; the document wins")),
    ProblemCode("year-from-triennium", I, N_("the objectives' year is not stated; using the first year of the "
                                             "triennium {first}–{last}"),
                N_("no objectives year stated; the first year of the triennium was used")),
    ProblemCode("year-from-columns", I, N_("the objectives' year is not stated; using {year}, the first year of the "
                                           "target columns"),
                N_("no objectives year stated; the first year of the Target YYYY columns was used")),
)}


@dataclass(frozen=True, order=True)
class Location:
    """A place in a source file: 1-based line (text/CSV), row (XLSX) or row on a page (PDF), and column."""

    file: str
    line: int | None = None
    column: str | None = None
    sheet: str | None = None
    page: int | None = None
    column_number: int | None = None

    def describe(self, lang: str = DEFAULT_LANGUAGE) -> str:
        """``plan.csv:12 [Peso, colonna 9]``, ``plan.pdf, pagina 14, riga 3 [Peso, colonna 9]``."""
        where = self.file
        if self.sheet:
            where += gettext(lang, ", sheet {sheet}", sheet=self.sheet)
        if self.page is not None:
            where += gettext(lang, ", page {page}", page=self.page)
            if self.line is not None:
                where += gettext(lang, ", row {row}", row=self.line)
        elif self.line is not None:
            where += gettext(lang, ", row {row}", row=self.line) if self.sheet else f":{self.line}"
        column = self.column_text(lang)
        return f"{where} [{column}]" if column else where

    def column_text(self, lang: str = DEFAULT_LANGUAGE) -> str | None:
        if self.column and self.column_number:
            return gettext(lang, "{header}, column {number}", header=self.column, number=self.column_number)
        if self.column_number:
            return gettext(lang, "column {number}", number=self.column_number)
        return self.column

    def __str__(self) -> str:
        return self.describe()


@dataclass(frozen=True)
class Problem:
    code: str
    location: Location
    params: dict = field(default_factory=dict)
    value: str | None = None
    related_lines: tuple[int, ...] = field(default=())

    def __post_init__(self):
        if self.code not in PROBLEMS:
            raise ValueError(f"unregistered problem code {self.code!r}")

    @property
    def severity(self) -> Severity:
        return PROBLEMS[self.code].severity

    def message(self, lang: str = DEFAULT_LANGUAGE) -> str:
        params = {name: rendered(value, lang) for name, value in self.params.items()}
        return gettext(lang, PROBLEMS[self.code].template, **params)

    def describe(self, lang: str = DEFAULT_LANGUAGE) -> str:
        """One line: place, severity, message, the value as written, and the code."""
        text = f"{self.location.describe(lang)}: {self.severity.word(lang)}: {self.message(lang)}"
        if self.value is not None:
            text += gettext(lang, " (value: “{value}”)", value=shorten(self.value))
        return text + f" [{self.code}]"

    def __str__(self) -> str:
        return self.describe()

    def as_dict(self, lang: str = DEFAULT_LANGUAGE) -> dict:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message(lang),
            "file": self.location.file,
            "sheet": self.location.sheet,
            "page": self.location.page,
            "line": self.location.line,
            "column": self.location.column,
            "column_number": self.location.column_number,
            "value": self.value,
            "related_lines": list(self.related_lines),
        }


def shorten(text: str, limit: int = 200) -> str:
    """A value as a message quotes it: one line, at most ``limit`` characters (the graph keeps it whole)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def counts_as_data_problem(problem: Problem) -> bool:
    """Errors and warnings make ``convert`` exit 1; info notes (e.g. realigned rows) do not."""
    return problem.severity in (Severity.ERROR, Severity.WARNING)


READING_ONLY_CODES = frozenset({
    "encoding", "unreadable-rows", "pdf-page-skipped", "sheet-skipped", "ragged-row", "short-row", "realigned-row", "missing-column",
    "unknown-column", "duplicate-column", "year-outside-triennium", "no-objective-code-column", "continued-cell",
    "prose-in-table", "settore-without-objectives", "row-without-objective", "pnrr-code-not-in-scheme",
    "option-overridden", "year-from-triennium", "year-from-columns", "qualitative-target", "date-without-year", "unknown-unit",
    "unknown-missione", "unknown-programma", "programma-not-in-missione", "indicator-title-ambiguous",
    "missing-indicator-code", "unclosed-quote", "formula-without-value", "unreadable-latex", "totals-row",
    "hidden-row", "hidden-column", "weight-of-objectives",
})
"""Problems only the reader can see: the graph has no trace of them, so ``validate``
reports them beside the SHACL results. Every other problem code has a shape."""
