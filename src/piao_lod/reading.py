"""How to read plan tables: what the document may not say, and which part of it to read.

One value carried from the command line (or the Python API) to the readers, so every
command that reads tables (convert, validate, load, query --data, publish, build, inspect)
takes the same options with the same meaning.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from piao_lod.errors import UsageError
from piao_lod.messages import N_

PAGE_RANGE = re.compile(r"^\s*([0-9]{1,6})\s*(?:[-–]\s*([0-9]{1,6})?\s*)?$")   # ASCII digits: int() reads others too


@dataclass(frozen=True)
class PageSelection:
    """The PDF pages to read, from ``--pages 12-40`` or ``--pages 1,3,7-9`` or ``--pages 12-``."""

    ranges: tuple[tuple[int, int | None], ...]
    text: str

    def __contains__(self, page: int) -> bool:
        return any(first <= page and (last is None or page <= last) for first, last in self.ranges)

    def __str__(self) -> str:
        return self.text


def parse_pages(text: str) -> PageSelection:
    ranges = []
    if any(character.isdigit() and not character.isascii() for character in text):
        raise UsageError(N_("--pages takes page numbers written with the digits 0-9, got “{pages}”"), pages=text)
    for part in text.split(","):
        match = PAGE_RANGE.match(part)
        if not match:
            raise UsageError(N_("--pages takes pages and ranges such as 12-40 or 1,3,7-9 or 12-, got “{pages}”"),
                             pages=text)
        first = int(match[1])
        last = None if "-" in part or "–" in part else first
        if match[2]:
            last = int(match[2])
        if first < 1 or (last is not None and last < first):
            raise UsageError(N_("--pages: “{part}” is not a range of pages counted from 1"), part=part.strip())
        ranges.append((first, last))
    return PageSelection(tuple(ranges), text.strip())


@dataclass(frozen=True)
class ReadingOptions:
    """``ente`` (IPA code) and ``year`` are used where the document is silent; ``source_format`` forces a
    reader; ``profile`` is a layout profile file; ``pages`` restricts the PDF pages read; ``version`` and
    ``version_date`` name and date the plan version where the document does not."""

    ente: str | None = None
    year: int | None = None
    source_format: str | None = None
    profile: Path | None = None
    pages: PageSelection | None = None
    version: str | None = None          # the plan version a document is, when it does not say (--version)
    version_date: dt.date | None = None  # the date that version was adopted (--version-date), to order versions


DEFAULT_READING = ReadingOptions()
