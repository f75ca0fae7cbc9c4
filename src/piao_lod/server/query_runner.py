"""What ``/sparql`` needs from whatever answers its queries, and the simplest thing that does it.

The endpoint is given a :class:`QueryRunner` by the app factory (as prez is given its ``Repo``):
``piao-lod serve`` uses :class:`piao_lod.server.query_workers.QueryWorkers` (worker processes, each
query stopped at the time limit); tests and Python callers may pass :class:`InProcessQueries` over a
store they already hold, which answers in the calling process with every check but the time limit.
"""

from __future__ import annotations

from typing import Protocol

import pyoxigraph as ox

from piao_lod.server.errors import Refusal
from piao_lod.server.query_answers import Outcome, QueryRequest, answer


class QueryRunner(Protocol):
    triples: int | None          # quads in the data, once started

    async def start(self) -> None: ...

    async def run(self, request: QueryRequest) -> tuple[str, bytes]:
        """(media type, body) of the answer; raises :class:`~piao_lod.server.errors.Refusal`."""

    async def close(self) -> None: ...


def accepted(outcome: Outcome) -> tuple[str, bytes]:
    """The answer of an outcome, or the refusal it carries."""
    code, media_type, body = outcome
    if code != "ok":
        raise Refusal(code, body.decode("utf-8", "replace"))
    return media_type, body


class InProcessQueries:
    """Answers on a store held by this process, one query at a time, with no time limit (a query cannot be
    interrupted in-process): for tests and for embedding, never for a public endpoint."""

    def __init__(self, store: ox.Store, max_result_bytes: int = 20_000_000):
        self.store, self.limit = store, max_result_bytes
        self.triples: int | None = None

    async def start(self) -> None:
        self.triples = len(self.store)

    async def run(self, request: QueryRequest) -> tuple[str, bytes]:
        return accepted(answer(self.store, request, self.limit))

    async def close(self) -> None:
        pass
