"""The parts of an XLSX workbook a plan reader needs, opened within bounds.

An XLSX file is a ZIP of XML parts. A part can inflate to gigabytes from a few kilobytes
(a "ZIP bomb"), so before anything is parsed the sizes the ZIP declares for the parts that
will be read (workbook, relationships, styles, shared strings, sheets) are checked against
:data:`MAX_PARTS_BYTES` and :data:`MAX_SHARED_STRINGS_BYTES`. ``zipfile`` never inflates a
member past its declared size (a member that lies fails its CRC check), so the check bounds
the work and the memory. Sheets are not parsed here: :mod:`spreadsheet` streams them.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO
from xml.etree.ElementTree import Element, iterparse

from openpyxl.styles.numbers import builtin_format_code, is_date_format, is_timedelta_format

from piao_lod.errors import SourceError
from piao_lod.messages import N_
from piao_lod.problems import Amount

MAX_PARTS_BYTES = 64 * 2**20
MAX_SHARED_STRINGS_BYTES = 16 * 2**20
RELATIONSHIPS = "_rels/.rels"
DEFAULT_WORKBOOK = "xl/workbook.xml"
XML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
SURROGATES = range(0xD800, 0xE000)
STRING_CONTENT = frozenset({"si", "is", "r"})
FORMAT_LITERALS = re.compile(r'"[^"]*+"|\\.')


def local_name(tag: str) -> str:
    """Tags without their namespace: transitional and strict OOXML name the same elements differently."""
    return tag.rpartition("}")[2]


def unescape_text(text: str) -> str:
    """OOXML writes characters XML cannot hold as ``_xHHHH_`` (``_x000D_`` for CR, ``_x005F_`` for ``_``).
    A surrogate code stays escaped: it is no character and could not be written out again."""
    if "_x" not in text:
        return text
    return XML_ESCAPE.sub(lambda match: match[0] if int(match[1], 16) in SURROGATES else chr(int(match[1], 16)), text)


def element_text(element: Element) -> str:
    """The text of a shared or inline string: its ``t`` and its runs' ``t``, not the phonetic ``rPh`` hints."""
    parts = []
    for child in element:
        name = local_name(child.tag)
        if name == "t":
            parts.append(child.text or "")
        elif name == "r":
            parts.extend(grandchild.text or "" for grandchild in child if local_name(grandchild.tag) == "t")
    return unescape_text("".join(parts))


def stream(source: IO[bytes], keep_children_of: frozenset[str] = frozenset()) -> Iterator[tuple[str, Element, Element | None]]:
    """(event, element, parent) for every element of an XML part, "start" and "end"; once an element
    has ended it is dropped from its parent, so memory holds only the open elements, except inside the
    elements named in ``keep_children_of`` (a cell, a string), whose content is read when they end."""
    stack: list[Element] = []
    for event, element in iterparse(source, events=("start", "end")):
        if event == "start":
            yield event, element, stack[-1] if stack else None
            stack.append(element)
            continue
        stack.pop()
        parent = stack[-1] if stack else None
        yield event, element, parent
        if parent is not None and local_name(parent.tag) not in keep_children_of:
            parent.remove(element)


def ended(source: IO[bytes], names: frozenset[str], keep_children_of: frozenset[str] = frozenset()
          ) -> Iterator[tuple[str, Element, str]]:
    """(local name, element, parent's local name) of each complete element named in ``names``."""
    for event, element, parent in stream(source, keep_children_of):
        if event == "end" and (name := local_name(element.tag)) in names:
            yield name, element, local_name(parent.tag) if parent is not None else ""


@dataclass(frozen=True)
class SheetPart:
    name: str
    path: str


@dataclass
class Workbook:
    """The sheets in workbook order and what their cells refer to: shared strings, date styles, epoch."""

    archive: zipfile.ZipFile
    sheets: list[SheetPart]
    shared_strings: list[str] = field(default_factory=list)
    date_styles: frozenset[int] = frozenset()
    timedelta_styles: frozenset[int] = frozenset()
    percent_styles: frozenset[int] = frozenset()
    date1904: bool = False

    def open_sheet(self, sheet: SheetPart) -> IO[bytes]:
        return self.archive.open(sheet.path)


def open_workbook(archive: zipfile.ZipFile, display: str) -> Workbook:
    """The workbook's structure; shared strings and styles read, sheets left for streaming."""
    workbook_path = office_document(archive, display)
    relations = relationships(archive, workbook_path, display)
    strings = next((path for kind, path in relations.values() if kind == "sharedStrings"), None)
    styles = next((path for kind, path in relations.values() if kind == "styles"), None)
    check_size(archive, [RELATIONSHIPS, workbook_path, relationships_path(workbook_path), strings, styles], display)
    sheets, date1904 = [], False
    with open_part(archive, workbook_path, display) as source:
        for name, element, _ in ended(source, frozenset({"workbookPr", "sheet"})):
            if name == "workbookPr":
                date1904 = element.get("date1904", "").lower() in ("1", "true")
                continue
            target = next((value for key, value in element.attrib.items() if local_name(key) == "id"), None)
            kind, path = relations.get(target, ("", ""))
            if kind == "worksheet":
                sheets.append(SheetPart(element.get("name") or f"sheet {len(sheets) + 1}", path))
    if not sheets:
        raise SourceError(N_("the workbook has no worksheet"), display)
    missing = next((sheet.path for sheet in sheets if sheet.path not in archive.NameToInfo), None)
    if missing:
        raise SourceError(N_("the workbook names a sheet the file does not hold ({part})"), display, part=missing)
    check_size(archive, [RELATIONSHIPS, workbook_path, relationships_path(workbook_path), strings, styles,
                         *(sheet.path for sheet in sheets)], display)
    workbook = Workbook(archive, sheets, date1904=date1904)
    if strings in archive.NameToInfo:
        if archive.NameToInfo[strings].file_size > MAX_SHARED_STRINGS_BYTES:
            raise SourceError(N_("the workbook's shared strings would take {size} MB uncompressed; at most {limit} MB "
                                 "are read"), display, size=Amount(round(archive.NameToInfo[strings].file_size / 2**20)),
                              limit=MAX_SHARED_STRINGS_BYTES // 2**20)
        with open_part(archive, strings, display) as source:
            workbook.shared_strings = [element_text(element)
                                       for _, element, _ in ended(source, frozenset({"si"}), STRING_CONTENT)]
    if styles in archive.NameToInfo:
        with open_part(archive, styles, display) as source:
            workbook.date_styles, workbook.timedelta_styles, workbook.percent_styles = number_styles(source)
    return workbook


def check_size(archive: zipfile.ZipFile, parts: list[str | None], display: str) -> None:
    """Refuse, from the sizes the ZIP declares, a workbook whose parts would inflate past the bound."""
    total = sum(archive.NameToInfo[name].file_size for name in set(parts) if name in archive.NameToInfo)
    if total > MAX_PARTS_BYTES:
        raise SourceError(N_("the workbook's sheets and strings would take {size} MB uncompressed; at most {limit} MB "
                             "are read (a plan table takes far less)"), display, size=Amount(round(total / 2**20)),
                          limit=MAX_PARTS_BYTES // 2**20)


def open_part(archive: zipfile.ZipFile, name: str, display: str) -> IO[bytes]:
    if name not in archive.NameToInfo:
        raise SourceError(N_("the workbook has no {part} part"), display, part=name)
    return archive.open(name)


def office_document(archive: zipfile.ZipFile, display: str) -> str:
    """The workbook part, as the package relationships name it (``xl/workbook.xml`` for almost every writer)."""
    if RELATIONSHIPS in archive.NameToInfo:
        check_size(archive, [RELATIONSHIPS], display)
        with archive.open(RELATIONSHIPS) as source:
            for _, element, _ in ended(source, frozenset({"Relationship"})):
                if element.get("Type", "").endswith("/officeDocument"):
                    return resolve("", element.get("Target", ""))
    return DEFAULT_WORKBOOK


def relationships_path(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def relationships(archive: zipfile.ZipFile, part: str, display: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (kind, e.g. ``worksheet``, and the target part's path in the ZIP)."""
    path = relationships_path(part)
    if path not in archive.NameToInfo:
        return {}
    check_size(archive, [path], display)
    found = {}
    with archive.open(path) as source:
        for _, element, _ in ended(source, frozenset({"Relationship"})):
            if element.get("TargetMode") != "External":
                kind = element.get("Type", "").rpartition("/")[2]
                found[element.get("Id", "")] = (kind, resolve(posixpath.dirname(part), element.get("Target", "")))
    return found


def resolve(folder: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(folder, target))


def number_styles(source: IO[bytes]) -> tuple[frozenset[int], frozenset[int], frozenset[int]]:
    """The cell styles (``s`` attribute of a cell) whose number format shows a date, a duration, and a percentage
    (0.55 shown as 55%): the cell is read as the user sees it, not as the number stored."""
    custom: dict[str, str | None] = {}
    cell_formats: list[str | None] = []
    for name, element, parent in ended(source, frozenset({"numFmt", "xf"})):
        if name == "numFmt":
            custom[element.get("numFmtId", "")] = element.get("formatCode")
        elif parent == "cellXfs":
            identifier = element.get("numFmtId", "0")
            code = custom.get(identifier)
            if code is None and identifier.isdigit():
                code = builtin_format_code(int(identifier))
            cell_formats.append(code)
    dates = frozenset(index for index, code in enumerate(cell_formats) if is_date_format(code))
    durations = frozenset(index for index, code in enumerate(cell_formats) if is_timedelta_format(code))
    percents = frozenset(index for index, code in enumerate(cell_formats) if is_percent_format(code))
    return dates, durations, percents


def is_percent_format(code: str | None) -> bool:
    """A ``%`` outside quoted text and backslash escapes multiplies the value by 100 (``0%``, ``0.00%``)."""
    return bool(code) and "%" in FORMAT_LITERALS.sub("", code)
