"""uvicorn's HTTP protocol with the time limits it lacks, so a slow client cannot hold a connection for ever.

uvicorn closes a keep-alive connection idle between requests, but not one that never finishes
sending a request's head, one byte every few seconds (slowloris), nor one that stops reading a
response. This protocol closes a connection whose request head has not arrived ``client_timeout``
seconds after it began (or after the connection opened), and one whose client has not read what
was written for ``client_timeout`` seconds. Bodies are timed by the endpoint that reads them
(:func:`piao_lod.server.sparql_protocol.read_body`), which can still answer 408.
"""

from __future__ import annotations

import asyncio
import logging

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

log = logging.getLogger("piao_lod.access")


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    def __init__(self, *args, client_timeout: float = 10.0, **kwargs):
        super().__init__(*args, **kwargs)
        self.client_timeout = client_timeout
        self.head_timer: asyncio.TimerHandle | None = None
        self.write_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport) -> None:   # type: ignore[override]
        super().connection_made(transport)
        self.head_timer = self.loop.call_later(self.client_timeout, self.too_slow, "sending its request")

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self.head_timer is None:
            self.head_timer = self.loop.call_later(self.client_timeout, self.too_slow, "sending its request")

    def on_headers_complete(self) -> None:
        self.cancel_head_timer()
        super().on_headers_complete()

    def pause_writing(self) -> None:
        super().pause_writing()
        if self.write_timer is None:
            self.write_timer = self.loop.call_later(self.client_timeout, self.too_slow, "reading the response")

    def resume_writing(self) -> None:
        super().resume_writing()
        if self.write_timer is not None:
            self.write_timer.cancel()
            self.write_timer = None

    def connection_lost(self, exc: Exception | None) -> None:
        self.cancel_head_timer()
        if self.write_timer is not None:
            self.write_timer.cancel()
            self.write_timer = None
        super().connection_lost(exc)

    def cancel_head_timer(self) -> None:
        if self.head_timer is not None:
            self.head_timer.cancel()
            self.head_timer = None

    def too_slow(self, doing: str) -> None:
        self.head_timer = self.write_timer = None
        if not self.transport.is_closing():
            client = self.client[0] if self.client else "-"
            log.info("%s closed: the client spent more than %g s %s", client, self.client_timeout, doing)
            self.transport.abort()      # close() would wait for a client that does not read to read
