"""Exceptions that stop a command; the CLI maps each to a documented exit code.

Data problems in an otherwise readable plan are not exceptions: they are
:class:`piao_lod.problems.Problem` values collected in a report.
"""

from __future__ import annotations

from piao_lod.messages import DEFAULT_LANGUAGE
from piao_lod.problems import Location, Phrase, Severity

EXIT_OK = 0
EXIT_DATA_PROBLEMS = 1
EXIT_UNUSABLE_INPUT = 2


def outcome_exit_code(unusable: bool, problems: bool) -> int:
    """The one rule every command ends by: 2 if an input was unusable (or none was given), else 1 if data
    problems were found (reading errors and warnings, SHACL violations), else 0."""
    if unusable:
        return EXIT_UNUSABLE_INPUT
    return EXIT_DATA_PROBLEMS if problems else EXIT_OK


class PiaoLodError(Exception):
    """Base of every error piao-lod raises on purpose.

    Its message is a catalogue text (a message id marked with :func:`~piao_lod.messages.N_`, or a
    ``(singular, plural)`` pair marked with :func:`~piao_lod.messages.ngettext_` and a ``count``) with its
    parameters, rendered in the command's language where it is printed: ``error.describe("en")``.
    ``str(error)`` is the default language's text, Italian, like a :class:`~piao_lod.problems.Problem`'s.
    """

    exit_code = EXIT_UNUSABLE_INPUT

    def __init__(self, message: str | tuple[str, str] | Phrase = "", /, *, subject: str | None = None, **params):
        self.phrase = message if isinstance(message, Phrase) else Phrase(message, tuple(params.items()))
        self.subject = subject
        super().__init__(self.phrase)

    def message(self, lang: str = DEFAULT_LANGUAGE) -> str:
        """What went wrong, in ``lang``."""
        return self.phrase.render(lang) if self.phrase.message else ""

    def describe(self, lang: str = DEFAULT_LANGUAGE) -> str:
        """The line a command prints: ``subject: errore: message`` when the error is about a file or an item."""
        if self.subject is None:
            return self.message(lang)
        return f"{self.subject}: {Severity.ERROR.word(lang)}: {self.message(lang)}"

    def render(self, lang: str) -> str:
        """As a parameter of another message (the errors a build stopped on)."""
        return self.describe(lang)

    def __str__(self) -> str:
        return self.describe()


class SourceError(PiaoLodError):
    """A source file cannot be used at all (missing, empty, binary, no table...).

    Carries the location so the message names file, line and column like a
    :class:`~piao_lod.problems.Problem` does.
    """

    def __init__(self, message: str | tuple[str, str] | Phrase, file: str, line: int | None = None,
                 column: str | None = None, /, *, column_number: int | None = None, sheet: str | None = None,
                 page: int | None = None, **params):
        super().__init__(message, subject=file, **params)
        self.file = file
        self.line = line
        self.column = column
        self.column_number = column_number
        self.sheet = sheet
        self.page = page

    def __reduce__(self):
        """Rebuilt from its parts, so it can come back from a worker process."""
        return type(self), (self.phrase, self.file, self.line, self.column), {
            "column_number": self.column_number, "sheet": self.sheet, "page": self.page}

    def without_frames(self) -> SourceError:
        """This error kept as a value in a report: without its traceback and chained exceptions, whose
        frames would keep the callers' objects alive (an on-disk store stays locked while it is referenced)."""
        self.__traceback__ = self.__context__ = self.__cause__ = None
        return self

    @property
    def location(self) -> Location:
        return Location(self.file, self.line, self.column, self.sheet, self.page, self.column_number)

    def describe(self, lang: str = DEFAULT_LANGUAGE) -> str:
        """``piano.csv:12 [Peso]: errore: …``, where the file was found unusable."""
        return f"{self.location.describe(lang)}: {Severity.ERROR.word(lang)}: {self.message(lang)}"


class UsageError(PiaoLodError):
    """The command was asked for something it cannot do (bad option value...)."""


class QueryError(PiaoLodError):
    """A query that cannot run: not valid SPARQL, an unknown saved query, a bad parameter."""


class EndpointError(PiaoLodError):
    """A remote SPARQL endpoint or graph store could not be reached or refused a request."""


class StoreError(PiaoLodError):
    """An on-disk store that cannot be opened (missing, not an Oxigraph store, locked)."""


class BuildError(PiaoLodError):
    """The site cannot be built: an input is unusable, or a tool the build runs (pyLODE, Pagefind) failed."""


class WorkerError(PiaoLodError):
    """A worker process of a parallel command stopped before giving its result: killed (the OOM killer, a
    signal) or aborted by a library it runs (Oxigraph aborts the process on some inputs)."""
