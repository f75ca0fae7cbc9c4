"""Exceptions that stop a command; the CLI maps each to a documented exit code.

Data problems in an otherwise readable plan are not exceptions: they are
:class:`piao_lod.problems.Problem` values collected in a report.
"""

from __future__ import annotations

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
    """Base of every error piao-lod raises on purpose."""

    exit_code = EXIT_UNUSABLE_INPUT


class SourceError(PiaoLodError):
    """A source file cannot be used at all (missing, empty, binary, no table...).

    Carries the location so the message names file, line and column like a
    :class:`~piao_lod.problems.Problem` does.
    """

    def __init__(self, message: str, file: str, line: int | None = None, column: str | None = None):
        self.file = file
        self.line = line
        self.column = column
        self.detail = message
        super().__init__(self.located())

    def __reduce__(self):
        """Rebuilt from its parts, so it can come back from a worker process."""
        return type(self), (self.detail, self.file, self.line, self.column)

    def without_frames(self) -> SourceError:
        """This error kept as a value in a report: without its traceback and chained exceptions, whose
        frames would keep the callers' objects alive (an on-disk store stays locked while it is referenced)."""
        self.__traceback__ = self.__context__ = self.__cause__ = None
        return self

    def located(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        if self.column:
            where += f" [{self.column}]"
        return f"{where}: error: {self.detail}"


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
