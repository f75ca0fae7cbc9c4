"""Malformed request paths are refused (400) before routing, so no route and no file-system call ever sees one.

Found by an attack run: ``/%00`` and a segment over 255 bytes reached the file system and came back
as 500s (``embedded null byte``, ``File name too long``), and a path holding a line break matched no
route at all. The checks are on the raw, still percent-encoded path, which is the only place invalid
escapes and encoded dots or backslashes can be seen.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes

from starlette.requests import Request

from piao_lod.server.errors import KINDS, error_response
from piao_lod.server.limits import MAX_PATH_BYTES, MAX_SEGMENT_BYTES

MALFORMED_ESCAPE = re.compile(rb"%(?![0-9A-Fa-f]{2})")
CONTROL = re.compile(rb"[\x00-\x1f\x7f]")


def path_problem(raw_path: bytes) -> str | None:
    """What is wrong with a request path (raw, as sent), or None."""
    if (len(raw_path) <= MAX_SEGMENT_BYTES and b"%" not in raw_path and b"\\" not in raw_path and b"/." not in raw_path
            and not CONTROL.search(raw_path)):
        return None                 # nearly every path: nothing encoded, nothing to decode
    if len(raw_path) > MAX_PATH_BYTES:
        return f"longer than {MAX_PATH_BYTES:,} bytes"
    if MALFORMED_ESCAPE.search(raw_path):
        return "a % not followed by two hexadecimal digits"
    decoded = unquote_to_bytes(raw_path)
    if CONTROL.search(decoded):
        return "a NUL or control character"
    if b"\\" in decoded:
        return "a backslash"
    segments = decoded.split(b"/")
    if any(segment in (b".", b"..") for segment in segments):
        return "a . or .. segment"
    if any(len(segment) > MAX_SEGMENT_BYTES for segment in segments):
        return f"a segment longer than {MAX_SEGMENT_BYTES} bytes"
    try:
        decoded.decode("utf-8")
    except UnicodeDecodeError:
        return "percent-encoded bytes that are not UTF-8"
    return None


class PathGuard:
    """ASGI middleware: a request whose path is malformed gets its ``bad-path`` answer here."""

    def __init__(self, app, not_found_page, html_headers: dict[str, str]):
        self.app, self.not_found_page, self.html_headers = app, not_found_page, html_headers

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            raw_path = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")
            if (problem := path_problem(raw_path)) is not None:
                response = error_response(Request(scope), KINDS["bad-path"], f"malformed path: {problem}",
                                          self.not_found_page, self.html_headers)
                return await response(scope, receive, send)
        return await self.app(scope, receive, send)
