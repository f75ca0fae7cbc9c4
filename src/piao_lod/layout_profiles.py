"""Layout profiles: a small TOML file that tells piao-lod how to read a layout its vocabulary cannot.

A profile maps a table's header names to plan fields, adds the block headings the table uses
(``AREA N - NAME`` opening each settore's rows), and says how rows work where the default rules
do not fit. ``--profile FILE`` applies one; the bundled profiles in ``profiles/`` apply by
themselves to a table whose header holds every name of their ``[match] headers``. See
``profiles/README.md`` for the format. A bad profile is refused with its file and line.
"""

from __future__ import annotations

import csv
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from piao_lod.columns import FIELDS, IGNORED, header_key
from piao_lod.errors import SourceError
from piao_lod.messages import N_
from piao_lod.resources import packaged, vocabulary_file
from piao_lod.user_files import read_user_text, reason_of

BLOCK_FIELDS = ("settore", "dirigente")
WEIGHT_GROUPS = ("settore", "dirigente")
LONGEST_HEADING = 500
KNOWN_KEYS = {
    "profile": {"name", "description"},
    "match": {"headers"},
    "columns": None,                       # any header name
    "blocks": None,                        # any pattern
    "rows": {"one_objective_per_row"},
    "weights": {"objective_weights_per"},
}


@dataclass(frozen=True)
class BlockHeading:
    """A prose line (or a one-cell row) that opens a block of rows: its text names a settore or a dirigente."""

    pattern: re.Pattern
    field: str

    def value(self, line: str) -> str | None:
        line = line.strip()
        if len(line) > LONGEST_HEADING:
            return None
        match = self.pattern.match(line)
        if not match:
            return None
        value = match.groupdict().get("value") or (match.group(1) if match.groups() else None)
        return " ".join(value.split()) if value and value.strip() else None


@dataclass(frozen=True)
class Profile:
    source: str                                # the file, or "bundled:NAME"
    name: str
    description: str = ""
    match_headers: tuple[str, ...] = ()
    columns: dict[str, str] = field(default_factory=dict)
    blocks: tuple[BlockHeading, ...] = ()
    one_objective_per_row: bool = False
    objective_weights_per: str | None = None

    def matches(self, cells: tuple[str, ...]) -> bool:
        keys = {header_key(cell) for cell in cells if cell.strip()}
        return bool(self.match_headers) and all(header_key(name) in keys for name in self.match_headers)


@lru_cache(maxsize=1)
def default_block_headings() -> tuple[BlockHeading, ...]:
    with vocabulary_file("block-headings.csv").open(encoding="utf-8", newline="") as handle:
        return tuple(BlockHeading(re.compile(row["pattern"], re.IGNORECASE), row["field"]) for row in csv.DictReader(handle))


def line_of(text: str, needle: str) -> int | None:
    """The first line of the file that holds ``needle`` (TOML keeps no positions once parsed)."""
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    return None


def load_profile(path: Path, source: str | None = None) -> Profile:
    source = source or str(path)
    try:
        text = read_user_text(path)
    except (OSError, UnicodeDecodeError) as error:
        raise SourceError(N_("cannot read the profile ({error})"), source, error=reason_of(error)) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        line = getattr(error, "lineno", None) or _line_in_message(str(error))
        raise SourceError(N_("not a valid TOML profile: {error}"), source, line, error=str(error)) from None
    return profile_from_data(data, text, source)


def _line_in_message(message: str) -> int | None:
    found = re.search(r"line (\d+)", message)
    return int(found[1]) if found else None


def profile_from_data(data: dict, text: str, source: str) -> Profile:
    def fail(message: str, needle: str | None = None, **params) -> SourceError:
        return SourceError(message, source, line_of(text, needle) if needle else None, **params)

    for section, value in data.items():
        if section not in KNOWN_KEYS:
            raise fail(N_("unknown section [{section}]; a profile has {sections}"), f"[{section}", section=section,
                       sections=", ".join(f"[{name}]" for name in KNOWN_KEYS))
        if not isinstance(value, dict):
            raise fail(N_("{section} must be a table ([{section}])"), section, section=section)
        allowed = KNOWN_KEYS[section]
        for key in value:
            if allowed is not None and key not in allowed:
                raise fail(N_("unknown key “{key}” in [{section}]; known: {keys}"), key, key=key, section=section,
                           keys=", ".join(sorted(allowed)))
    info, match, rows, weights = (data.get(name, {}) for name in ("profile", "match", "rows", "weights"))
    name = info.get("name")
    if not isinstance(name, str) or not name.strip():
        raise fail(N_('the profile needs a name: [profile] name = "..."'), "[profile")
    headers = match.get("headers", [])
    if not isinstance(headers, list) or not all(isinstance(item, str) and item.strip() for item in headers):
        raise fail(N_("[match] headers must be a list of header names"), "headers")
    columns = {}
    for header, column_field in data.get("columns", {}).items():
        if column_field not in FIELDS and column_field != IGNORED:
            raise fail(N_("column “{header}” maps to unknown field “{field}”; fields: {fields}, or “{ignored}”"), header,
                       header=header, field=column_field, fields=", ".join(FIELDS), ignored=IGNORED)
        columns[header] = column_field
    blocks = []
    for pattern, block_field in data.get("blocks", {}).items():
        if block_field not in BLOCK_FIELDS:
            raise fail(N_("block heading “{pattern}” must open a block of {fields}, not “{field}”"), pattern[:30],
                       pattern=pattern, fields=" / ".join(BLOCK_FIELDS), field=block_field)
        try:
            compiled = re.compile(pattern, re.IGNORECASE)
        except re.error as error:
            raise fail(N_("block heading “{pattern}” is not a valid regular expression ({error})"), pattern[:30],
                       pattern=pattern, error=str(error)) from None
        if "value" not in compiled.groupindex and compiled.groups != 1:
            raise fail(N_("block heading “{pattern}” must capture the name, as (?P<value>...)"), pattern[:30],
                       pattern=pattern)
        blocks.append(BlockHeading(compiled, block_field))
    per_row = rows.get("one_objective_per_row", False)
    if not isinstance(per_row, bool):
        raise fail(N_("[rows] one_objective_per_row is true or false"), "one_objective_per_row")
    per = weights.get("objective_weights_per")
    if per is not None and per not in WEIGHT_GROUPS:
        raise fail(N_("[weights] objective_weights_per is one of {groups}"), "objective_weights_per",
                   groups=", ".join(WEIGHT_GROUPS))
    return Profile(source, name.strip(), str(info.get("description", "")), tuple(headers), columns, tuple(blocks),
                   per_row, per)


@lru_cache(maxsize=1)
def bundled_profiles() -> tuple[Profile, ...]:
    folder = packaged("profiles")
    found = []
    for item in sorted(folder.iterdir(), key=lambda entry: entry.name):
        if item.name.endswith(".toml"):
            text = item.read_text(encoding="utf-8")
            found.append(profile_from_data(tomllib.loads(text), text, f"bundled:{item.name}"))
    return tuple(found)
