"""uvicorn's HTTP protocol with the time limits it lacks, so a slow client cannot hold a connection for ever.

uvicorn closes a keep-alive connection idle between requests, but not one that never finishes
sending a request's head, one byte every few seconds (slowloris), nor one that stops reading a
response. This protocol closes a connection whose request head has not arrived ``client_timeout``
seconds after it began (or after the connection opened), and one whose client has not read what
was written for ``client_timeout`` seconds. Bodies are timed by the endpoint that reads them
(:func:`piao_lod.server.sparql_protocol.read_body`), which can still answer 408. Nor does it bound a request's
head: one of 20 MB of headers was read whole and answered; past ``MAX_HEAD_BYTES`` this protocol answers 431.
"""

from __future__ import annotations

import asyncio
import logging

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from piao_lod.server.errors import KINDS, error_text
from piao_lod.server.limits import MAX_HEAD_BYTES

log = logging.getLogger("piao_lod.access")


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    def __init__(self, *args, client_timeout: float = 10.0, **kwargs):
        super().__init__(*args, **kwargs)
        self.client_timeout = client_timeout
        self.head_timer: asyncio.TimerHandle | None = None
        self.write_timer: asyncio.TimerHandle | None = None
        self.in_head = True             # the bytes arriving are a request's line and headers
        self.head_bytes = 0

    def connection_made(self, transport) -> None:   # type: ignore[override]
        super().connection_made(transport)
        self.head_timer = self.loop.call_later(self.client_timeout, self.too_slow, "sending its request")

    def data_received(self, data: bytes) -> None:
        counted = self.in_head
        super().data_received(data)
        if counted or self.in_head:
            self.head_bytes += len(data)
            if self.in_head and self.head_bytes > MAX_HEAD_BYTES and not self.transport.is_closing():
                self.refuse_head()

    def refuse_head(self) -> None:
        kind = KINDS["request-head-too-large"]
        body = error_text(kind, f"the request line and headers are larger than {MAX_HEAD_BYTES:,} bytes").encode()
        self.transport.write(b"".join([STATUS_LINE[kind.status], b"content-type: text/plain; charset=utf-8\r\n",
                                       b"content-length: %d\r\nconnection: close\r\n\r\n" % len(body), body]))
        self.transport.close()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.in_head = True
        if self.head_timer is None:
            self.head_timer = self.loop.call_later(self.client_timeout, self.too_slow, "sending its request")

    def on_headers_complete(self) -> None:
        self.cancel_head_timer()
        self.in_head, self.head_bytes = False, 0
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
