"""Every way the server refuses a request: a stable code, an HTTP status, and one place that turns them into a response.

Code anywhere in the server (the query workers included) says *what* went wrong by raising
:class:`Refusal` with a kind from :data:`ERROR_KINDS`; :func:`error_response` alone decides how
it looks on the wire: JSON for clients that ask for it, the site's 404 page for browsers, plain
text otherwise. The codes are part of the interface (the README lists them, generated from
here): clients may rely on them, so they never change meaning.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from piao_lod.errors import PiaoLodError
from piao_lod.server.limits import MAX_HEAD_BYTES, MAX_NESTING, MAX_PATH_BYTES, MAX_REQUEST_BYTES, MAX_SEGMENT_BYTES
from piao_lod.server.negotiation import choose


@dataclass(frozen=True)
class ErrorKind:
    code: str
    status: int
    meaning: str            # what the README says about it
    retry: bool = False     # worth trying again later (503: Retry-After)
    closes: bool = False    # the connection is closed after the answer (the request body was not read)


ERROR_KINDS = [
    ErrorKind("bad-path", 400, "the path is malformed: a NUL or control character, invalid percent-encoding, a "
                               f"backslash, a `.` or `..` segment, a segment over {MAX_SEGMENT_BYTES} bytes or a path "
                               f"over {MAX_PATH_BYTES:,} bytes"),
    ErrorKind("malformed-query", 400, "not valid SPARQL; the message gives the parser's line and column"),
    ErrorKind("query-too-deep", 400, f"brackets nested more than {MAX_NESTING} deep (Oxigraph's parser would "
                                     "overflow the worker's stack)"),
    ErrorKind("service-refused", 400, "the query uses `SERVICE`: this endpoint only queries its own data"),
    ErrorKind("bad-dataset", 400, "a `default-graph-uri` or `named-graph-uri` that is not an absolute IRI"),
    ErrorKind("answer-too-large", 400, "the answer is larger than `--max-result-bytes`; add `LIMIT`"),
    ErrorKind("query-failed", 400, "the store could not evaluate the query"),
    ErrorKind("missing-query", 400, "a POST without a query"),
    ErrorKind("update-refused", 403, "a SPARQL update: the endpoint is read-only"),
    ErrorKind("not-found", 404, "nothing at this path (browsers get the site's 404 page)"),
    ErrorKind("method-not-allowed", 405, "the method is not served at this path"),
    ErrorKind("not-acceptable", 406, "none of the media types asked for (`Accept`, `format=`) is offered; "
                                     "the message lists those that are"),
    ErrorKind("request-timeout", 408, "the request body did not arrive within `--client-timeout` seconds", closes=True),
    ErrorKind("request-too-large", 413, f"the request body is larger than {MAX_REQUEST_BYTES:,} bytes (refused as soon "
                                        "as it passes the limit, chunked or not)", closes=True),
    ErrorKind("unsupported-media-type", 415, "a POST body that is neither `application/sparql-query` nor a form"),
    ErrorKind("request-head-too-large", 431, f"the request line and headers are larger than {MAX_HEAD_BYTES:,} bytes "
                                             "(refused as soon as they pass the limit, and the connection closed)",
              closes=True),
    ErrorKind("query-timeout", 503, "the query ran longer than `--query-timeout` and was stopped", retry=True),
    ErrorKind("workers-busy", 503, "every query worker stayed busy for `--query-timeout` seconds", retry=True),
    ErrorKind("worker-stopped", 503, "the query worker stopped while answering (it is replaced); a worker killed by a "
                                     "signal sent to it (SIGKILL, SIGTERM: an operator, the OOM killer) has its query "
                                     "run once more on another worker, a crash (SIGSEGV, SIGABRT) does not", retry=True),
]
KINDS = {kind.code: kind for kind in ERROR_KINDS}
BY_STATUS = {kind.status: kind for kind in reversed(ERROR_KINDS)}      # the first kind of each status
ERROR_TYPES = ["text/plain", "application/json"]
NOT_FOUND_TYPES = ["text/html", *ERROR_TYPES]


class Refusal(PiaoLodError):
    """A request the server will not (or cannot) answer; ``kind`` is a code of :data:`ERROR_KINDS`."""

    def __init__(self, kind: str, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.kind = KINDS[kind]
        self.headers = headers or {}


def error_response(request: Request, kind: ErrorKind, message: str, not_found_page: Callable[[str], str],
                   html_headers: dict[str, str], headers: dict[str, str] | None = None) -> Response:
    """The one mapping from an error to a response: its status, its headers, a body in the type the client asks
    for. Browsers get the site's 404 page (``not_found_page(path)``, in the edition of the path asked for);
    every other error is text or JSON."""
    offered = NOT_FOUND_TYPES if kind.code == "not-found" else ERROR_TYPES
    media_type = choose(request.headers.get("accept"), offered) or offered[0]
    extra = {"Vary": "Accept", **(headers or {})}
    if kind.retry:
        extra.setdefault("Retry-After", "1")
    if kind.closes:
        extra["Connection"] = "close"
    if media_type == "text/html":
        body, media_type = not_found_page(request.url.path), "text/html; charset=utf-8"
        extra.update(html_headers)
    elif media_type == "application/json":
        body = json.dumps({"error": kind.code, "status": kind.status, "message": message}, ensure_ascii=False) + "\n"
    else:
        body, media_type = error_text(kind, message), "text/plain; charset=utf-8"
    return Response(b"" if request.method == "HEAD" else body.encode("utf-8"), status_code=kind.status,
                    media_type=media_type, headers=extra)


def error_text(kind: ErrorKind, message: str) -> str:
    """The plain-text body of a refusal: the message, then the code on a line of its own."""
    return f"{message}\nerror: {kind.code} (HTTP {kind.status})\n"


def install(app, not_found_page: Callable[[str], str], html_headers: dict[str, str]) -> None:
    """Route every refusal, and Starlette's own HTTP errors (404 of no route, 405), through :func:`error_response`."""

    async def refused(request: Request, error: Refusal) -> Response:
        return error_response(request, error.kind, str(error), not_found_page, html_headers, error.headers)

    async def http_error(request: Request, error: HTTPException) -> Response:
        kind = BY_STATUS.get(error.status_code) or ErrorKind(f"http-{error.status_code}", error.status_code, "")
        return error_response(request, kind, str(error.detail), not_found_page, html_headers, dict(error.headers or {}))

    app.add_exception_handler(Refusal, refused)
    app.add_exception_handler(HTTPException, http_error)


def error_table() -> str:
    """The README's table of error codes (a test keeps the README equal to it)."""
    rows = ["| code | HTTP | meaning |", "|---|---|---|"]
    rows += [f"| `{kind.code}` | {kind.status} | {kind.meaning} |" for kind in ERROR_KINDS]
    return "\n".join(rows)
