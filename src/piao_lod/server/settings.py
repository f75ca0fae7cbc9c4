"""What a server is started with; the CLI fills it, tests build their own."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ServerSettings:
    site: Path                          # a folder written by ``piao-lod build``
    store: Path | None = None           # an on-disk store (``piao-lod load``); else the site's own dump
    query_timeout_s: float = 10.0       # a query still running after this is stopped (its worker is replaced)
    max_result_bytes: int = 20_000_000  # a larger answer is refused, with advice to add LIMIT
    query_workers: int = 2              # processes answering SPARQL, each with the whole graph
    client_timeout_s: float = 10.0      # a request head, a request body, a stalled read of a response: at most this
