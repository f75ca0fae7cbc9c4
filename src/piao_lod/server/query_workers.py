"""SPARQL queries answered in worker processes, so that a query can be stopped.

Oxigraph cannot interrupt a running query, and a thread cannot be killed: a query
over its time limit would keep a core busy for as long as it likes. Each worker
process holds the whole graph and answers one query at a time; the server waits
for its answer at most ``timeout`` seconds, then kills it and starts another. Two
workers also use both cores, which threads holding the GIL between Oxigraph calls
would not.

The event loop waits on a worker's pipe directly (a reader callback, no thread hop),
and a worker that has to be replaced is replaced in the background: the request that
cost it is answered at once, and the other workers go on serving. Inside a worker,
queries run on a thread with a large stack, so that long chains (``1+1+…``, ``UNION``
after ``UNION``) that Oxigraph's parser descends recursively run into the time limit
rather than overflow the stack; deeply nested brackets are refused before the parser
sees them (:mod:`piao_lod.server.query_scan`).
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
import threading
from multiprocessing.connection import Connection

from piao_lod.errors import PiaoLodError, WorkerError
from piao_lod.messages import N_
from piao_lod.server.errors import Refusal
from piao_lod.server.query_answers import DataSource, QueryRequest, answer, open_data
from piao_lod.server.query_runner import accepted
from piao_lod.store_directory import StoreGeneration

WORKER_STACK_BYTES = 512 * 1024 * 1024      # address space reserved, not memory used: pages are touched on demand
log = logging.getLogger("piao_lod.server")


def worker_main(connection: Connection, source: DataSource, limit: int) -> None:
    threading.stack_size(WORKER_STACK_BYTES)
    thread = threading.Thread(target=serve_queries, args=(connection, source, limit), name="queries")
    thread.start()
    thread.join()


def serve_queries(connection: Connection, source: DataSource, limit: int) -> None:
    try:
        store = open_data(source)
    except PiaoLodError as error:
        connection.send(("failed", error))
        return
    connection.send(("ready", len(store)))
    while True:
        try:
            request = connection.recv()
        except EOFError:
            return
        connection.send(answer(store, request, limit))


def settle(future: asyncio.Future, error: type[Exception] | None) -> None:
    if not future.done():
        if error is None:
            future.set_result(None)
        else:
            future.set_exception(error())


class WorkerGone(Exception):
    """The worker was dead before it received the query."""


class Worker:
    def __init__(self, context, source: DataSource, limit: int, generation: tuple[int, int] | None = None):
        """``generation``: the store directory it opens (looked up just before: a load swapping in another one
        meanwhile only makes it replaced once more)."""
        self.generation = generation
        self.connection, child = context.Pipe()
        self.process = context.Process(target=worker_main, args=(child, source, limit), daemon=True)
        self.process.start()
        child.close()

    def ready(self) -> int:
        """Wait until the worker holds the graph; its number of quads. The error that stopped it from opening
        the data, or a :class:`WorkerError` if it died first."""
        try:
            status, result = self.connection.recv()
        except EOFError:
            self.process.join(5)
            raise WorkerError(N_("a query worker stopped while opening the data (exit code {code})"),
                              code=self.process.exitcode) from None
        if status == "failed":
            raise result
        return result

    async def ask(self, request: QueryRequest, timeout: float):
        """The worker's outcome for one query; TimeoutError past ``timeout``, EOFError if the worker died.
        The loop wakes on the pipe or on the timer, whichever comes first (no task, no thread per query)."""
        loop = asyncio.get_running_loop()
        answered = loop.create_future()
        descriptor = self.connection.fileno()
        os.set_blocking(descriptor, True)       # uvloop's readers make it non-blocking; send and recv need it blocking
        try:
            self.connection.send(request)
        except OSError as error:
            raise WorkerGone from error         # it died before it had the query: another worker may take it
        loop.add_reader(descriptor, settle, answered, None)
        timer = loop.call_later(timeout, settle, answered, TimeoutError)
        try:
            await answered
        finally:
            timer.cancel()
            loop.remove_reader(descriptor)
        os.set_blocking(descriptor, True)       # the rest of a long answer is read as it comes
        return self.connection.recv()

    def stop(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.connection.close()


def killed_from_outside(worker: Worker) -> bool:
    """Whether a stopped worker was killed by a signal sent to it, which the query it had cannot have caused
    (a query that crashes Oxigraph ends it with SIGSEGV or SIGABRT, and would crash the next worker too)."""
    return worker.process.exitcode in (-signal.SIGKILL, -signal.SIGTERM)


class QueryWorkers:
    """A fixed number of worker processes, each answering one query at a time (a :class:`QueryRunner`). Over a
    store, a worker holding a store a load has replaced is replaced before it is given a query
    (:mod:`piao_lod.server.followed_store`)."""

    def __init__(self, source: DataSource, size: int, timeout: float, limit: int):
        self.context = multiprocessing.get_context("spawn")
        self.source, self.size, self.timeout, self.limit = source, max(1, size), timeout, limit
        self.generation = StoreGeneration(source.store) if source.store is not None else None
        self.triples: int | None = None
        self.idle: asyncio.Queue[Worker] | None = None
        self.replacing: set[asyncio.Future] = set()
        self.closed = False

    async def start(self) -> None:
        """Start every worker at once (each loads the graph) and wait until all are ready; if one cannot open
        the data, stop them all and raise its error. Once started (by :func:`~piao_lod.server.app.start_queries`,
        before the server listens), starting again does nothing."""
        if self.idle is not None:
            return
        workers = [self.new_worker() for _ in range(self.size)]
        try:
            counts = await asyncio.gather(*(asyncio.to_thread(worker.ready) for worker in workers))
        except BaseException:
            for worker in workers:
                worker.process.kill()       # a worker still loading would keep its thread, and the loop, waiting
            raise
        self.idle = asyncio.Queue()
        self.triples = counts[0]
        for worker in workers:
            self.idle.put_nowait(worker)

    async def run(self, request: QueryRequest) -> tuple[str, bytes]:
        retried = False
        while True:
            worker = await self.idle_worker()
            try:
                outcome = await worker.ask(request, self.timeout)
                break
            except WorkerGone:          # the query is handed to the next worker
                self.replace(worker, f"stopped while idle (exit code {worker.process.exitcode})")
            except TimeoutError:
                self.replace(worker, "ran past the time limit")
                raise Refusal("query-timeout", f"the query ran longer than the limit of {self.timeout:g} s "
                                               "and was stopped") from None
            except (EOFError, OSError):
                self.replace(worker, f"stopped (exit code {worker.process.exitcode})")
                if not retried and killed_from_outside(worker):
                    retried = True      # killed (an operator, the OOM killer), not crashed by the query: once more
                    continue
                raise Refusal("worker-stopped", "the query worker stopped while answering; it is being replaced, "
                                                "try again") from None
            except BaseException:       # cancelled (the server is stopping): the worker may still be busy
                self.replace(worker, "was interrupted")
                raise
        self.idle.put_nowait(worker)
        return accepted(outcome)

    async def idle_worker(self) -> Worker:
        """The next idle worker that is alive (one killed while idle is replaced, not handed a query)."""
        deadline = asyncio.get_running_loop().time() + self.timeout
        while True:
            try:
                worker = self.idle.get_nowait() if not self.idle.empty() else await asyncio.wait_for(
                    self.idle.get(), max(0.0, deadline - asyncio.get_running_loop().time()))
            except TimeoutError:
                raise Refusal("workers-busy", f"every query worker stayed busy for {self.timeout:g} s; "
                                              "try again later") from None
            if not worker.process.is_alive():
                self.replace(worker, f"stopped while idle (exit code {worker.process.exitcode})")
            elif self.generation is not None and self.generation.replaced(worker.generation):
                self.replace(worker, "holds a store that a load has replaced")
            else:
                return worker

    def new_worker(self) -> Worker:
        return Worker(self.context, self.source, self.limit, self.generation.look() if self.generation else None)

    def replace(self, worker: Worker, why: str) -> None:
        """Kill a worker and start another in the background; it joins the idle ones when it holds the graph."""
        log.warning("query worker %s %s; replacing it", worker.process.pid, why)
        worker.stop()
        if self.closed:
            return

        def start_one() -> Worker:
            fresh = self.new_worker()
            self.triples = fresh.ready()
            return fresh

        replacement = asyncio.ensure_future(asyncio.to_thread(start_one))
        self.replacing.add(replacement)
        replacement.add_done_callback(self.replaced)

    def replaced(self, replacement: asyncio.Future) -> None:
        self.replacing.discard(replacement)
        if replacement.cancelled() or replacement.exception() is not None:
            log.error("a query worker could not be started: %s", replacement.exception())
        elif self.closed:
            replacement.result().stop()
        else:
            self.idle.put_nowait(replacement.result())

    async def close(self) -> None:
        self.closed = True
        if self.replacing:
            await asyncio.wait(self.replacing, timeout=30)
        while self.idle is not None and not self.idle.empty():
            self.idle.get_nowait().stop()
