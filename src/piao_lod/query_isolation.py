"""Run a local query in a child process, so that Oxigraph aborting is a message and not a silent exit.

pyoxigraph can end the whole process with a Rust panic on some queries (0.5.13:
an ``ORDER BY`` whose key meets numbers and strings, or numbers and dates, in one
column, which RDF from another producer can hold): exit 134, nothing a ``try``
can catch. Oxigraph evaluates a query when it is given (so even the syntax check
on an empty store sorts a ``VALUES`` block), and the answer's solutions are read
when it is rendered: both run in a forked child, which sends back its result or
the :class:`~piao_lod.errors.PiaoLodError` it met. A child that dies instead is
reported as :class:`~piao_lod.errors.QueryError`, exit 2, with the library's own
reason (its panic message, which the child's standard error is kept for); the advice on
``ORDER BY`` only for an abort. Any other exception in the child is raised in the parent.

An on-disk store is opened by the child (a RocksDB handle is not carried over a
fork); an in-memory store is inherited, copy-on-write.
"""

from __future__ import annotations

import faulthandler
import multiprocessing
import os
import signal
import sys
import tempfile
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import TypeVar

from piao_lod.errors import QueryError
from piao_lod.messages import N_
from piao_lod.problems import Phrase

Result = TypeVar("Result")
PANIC_MARK = "panicked at"


def answer_in_child(work: Callable[[], Result]) -> Result:
    """``work()`` run in a forked child: its (picklable) result, or its error raised here."""
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    with tempfile.TemporaryFile() as child_errors:
        sys.stderr.flush()
        child = context.Process(target=run_and_send, args=(work, sending, child_errors.fileno()), name="query", daemon=True)
        child.start()
        sending.close()
        try:
            outcome = receiving.recv()
        except EOFError:
            outcome = None
        finally:
            receiving.close()
            child.join()
        child_errors.seek(0)
        said = child_errors.read().decode("utf-8", "replace")
    if outcome is None:
        raise stopped_error(child.exitcode, said)
    if said:
        sys.stderr.write(said)
    kind, value = outcome
    if kind == "error":
        raise value
    return value


def run_and_send(work: Callable[[], object], sending: Connection, errors_fd: int) -> None:
    faulthandler.disable()          # an abort is the parent's to report (a test runner's handler would dump frames)
    sys.stderr.flush()
    os.dup2(errors_fd, 2)
    try:
        outcome = ("result", work())
    except Exception as error:          # a PiaoLodError, or a bug: raised in the parent as without the child
        outcome = ("error", error)
    try:
        sending.send(outcome)
    except (TypeError, AttributeError, ValueError) as unpicklable:    # pickling fails with any of these
        sending.send(("error", RuntimeError(f"{outcome[1]!r} (not picklable: {unpicklable})")))
    sending.close()


def stopped_error(exit_code: int | None, said: str) -> QueryError:
    """Why the child ended (a signal's name or its exit code) and the library's own reason, if it gave one."""
    ending = (Phrase(N_("it ended on signal {signal}"), (("signal", signal.Signals(-exit_code).name),))
              if exit_code is not None and exit_code < 0 else
              Phrase(N_("it ended with exit code {code}"), (("code", exit_code),)))
    reason = panic_reason(said)
    if reason:
        ending = Phrase(N_("{ending}: {reason}"), (("ending", ending), ("reason", reason)))
    if not reason and exit_code != -signal.SIGABRT:     # killed (the OOM killer, an operator), not Oxigraph's abort
        return QueryError(N_("the process running the query stopped ({ending}) before it answered"), subject="QUERY",
                          ending=ending)
    return QueryError(N_("the query stopped Oxigraph ({ending}). pyoxigraph aborts on an ORDER BY whose key holds "
                         "values of different types (numbers and strings, or numbers and dates): sort by STR(?x), "
                         "or by xsd:decimal(?x) then STR(?x)"), subject="QUERY", ending=ending)


def panic_reason(said: str) -> str:
    """The line after Rust's ``thread '…' panicked at file:line:`` (the panic's message), if there is one."""
    lines = said.splitlines()
    for number, line in enumerate(lines[:-1]):
        if PANIC_MARK in line:
            return lines[number + 1].strip()
    return ""
