"""Workbooks written part by part, for what openpyxl will not write: formulas with or without a
cached value, shared strings and shared formulas, lying dimensions, characters XML escapes, and
parts that inflate to gigabytes. The XML is the SpreadsheetML Excel writes, reduced to what a
reader needs."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"


def column_letters(column: int) -> str:
    letters = ""
    while column:
        column, remainder = divmod(column - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def ooxml_escape(text: str) -> str:
    """Text as Excel writes it: ``_`` before ``x``, CR (XML reads it as LF) and the characters XML 1.0
    cannot hold (controls, lone surrogates, U+FFFE/U+FFFF) as ``_xHHHH_``, then XML-escaped."""
    out = []
    for index, char in enumerate(text):
        code = ord(char)
        if (char == "_" and text.startswith("x", index + 1)) or (code < 0x20 and char not in "\t\n") \
                or 0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF):
            out.append(f"_x{code:04X}_")
        else:
            out.append(char)
    return escape("".join(out))


def text_cell(reference: str, text: str) -> str:
    return f'<c r="{reference}" t="inlineStr"><is><t xml:space="preserve">{ooxml_escape(text)}</t></is></c>'


def value_cell(reference: str, value: object) -> str:
    return f'<c r="{reference}"><v>{value}</v></c>'


def row_xml(number: int, cells: list[object]) -> str:
    """A row of cells: str as inline text, numbers as numbers, None skipped, raw XML (``<c ...``) as is."""
    parts = []
    for index, cell in enumerate(cells, start=1):
        reference = f"{column_letters(index)}{number}"
        if cell is None or cell == "":
            continue
        if isinstance(cell, str) and cell.startswith("<c"):
            parts.append(cell)
        elif isinstance(cell, str):
            parts.append(text_cell(reference, cell))
        else:
            parts.append(value_cell(reference, cell))
    return f'<row r="{number}">{"".join(parts)}</row>'


def sheet_xml(rows: list[list[object]] | str, after: str = "", dimension: str | None = None) -> str:
    body = rows if isinstance(rows, str) else "".join(row_xml(number, cells) for number, cells in enumerate(rows, 1))
    head = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">{head}<sheetData>{body}</sheetData>{after}</worksheet>'


@dataclass(frozen=True)
class Member:
    """A ZIP member as raw deflate data, with the CRC and size of what it inflates to."""

    data: bytes
    crc: int
    size: int

    @classmethod
    def of(cls, content: bytes) -> Member:
        compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
        return cls(compressor.compress(content) + compressor.flush(), zlib.crc32(content), len(content))

    @classmethod
    def repeated(cls, head: bytes, chunk: bytes, tail: bytes, times: int) -> Member:
        """head + chunk × times + tail without compressing it all: after a full flush deflate starts afresh,
        so one chunk compressed once is repeated as is. A 1 MB chunk of one letter compresses to about 1 kB."""
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
        start = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)
        block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
        end = compressor.compress(tail) + compressor.flush()
        crc = crc32_combine(zlib.crc32(head), repeated_crc32(chunk, times), len(chunk) * times)
        return cls(start + block * times + end, zlib.crc32(tail, crc), len(head) + len(chunk) * times + len(tail))

    def declaring(self, size: int) -> Member:
        """This member with a false uncompressed size in the ZIP's headers (a bomb that lies about itself)."""
        return Member(self.data, self.crc, size)


def _times(matrix: list[int], vector: int) -> int:
    total, index = 0, 0
    while vector:
        if vector & 1:
            total ^= matrix[index]
        vector >>= 1
        index += 1
    return total


def crc32_combine(first: int, second: int, second_length: int) -> int:
    """The CRC-32 of A + B from those of A and B (zlib's ``crc32_combine``, which Python does not expose):
    appending ``second_length`` zero bytes to A is a linear map over GF(2), applied by repeated squaring."""
    operator = [0xEDB88320] + [1 << bit for bit in range(31)]      # one zero bit
    for _ in range(3):                                             # one zero byte: 2^3 bits
        operator = [_times(operator, row) for row in operator]
    while second_length:
        if second_length & 1:
            first = _times(operator, first)
        operator = [_times(operator, row) for row in operator]
        second_length >>= 1
    return first ^ second


def repeated_crc32(chunk: bytes, times: int) -> int:
    """The CRC-32 of ``chunk`` × ``times`` by doubling, without a gigabyte of CRC work."""
    crc, unit, unit_length = 0, zlib.crc32(chunk), len(chunk)
    length = 0
    while times:
        if times & 1:
            crc = crc32_combine(crc, unit, unit_length) if length else unit
            length += unit_length
        unit, unit_length = crc32_combine(unit, unit, unit_length), unit_length * 2
        times >>= 1
    return crc


def write_zip(path: Path, members: dict[str, Member]) -> None:
    """A plain ZIP (deflate, no ZIP64: members under 4 GB), written field by field."""
    local, central = bytearray(), bytearray()
    for name, member in members.items():
        encoded = name.encode()
        fields = struct.pack("<HHHHHIIIHH", 20, 0, 8, 0, 0x21, member.crc, len(member.data), member.size, len(encoded), 0)
        central += struct.pack("<IH", 0x02014B50, 20) + fields + struct.pack("<HHHII", 0, 0, 0, 0, len(local)) + encoded
        local += struct.pack("<I", 0x04034B50) + fields + encoded + member.data
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(local), 0)
    path.write_bytes(bytes(local + central + end))


def write_workbook(path: Path, sheets: dict[str, str], shared_strings: list[str] | None = None,
                   big_parts: dict[str, Member] | None = None) -> Path:
    """``sheets``: name -> worksheet XML, in order. ``big_parts``: parts given as members (see
    :meth:`Member.repeated`), in place of the part written from ``sheets`` or ``shared_strings``."""
    names = list(sheets)
    content_types = (f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                     '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                     '<Default Extension="xml" ContentType="application/xml"/></Types>')
    root_rels = (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE}"><Relationship Id="rId1" '
                 f'Type="{RELATIONS}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    workbook = (f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{RELATIONS}"><sheets>'
                + "".join(f'<sheet name="{escape(name)}" sheetId="{index}" r:id="rId{index}"/>'
                          for index, name in enumerate(names, 1))
                + "</sheets></workbook>")
    relations = "".join(f'<Relationship Id="rId{index}" Type="{RELATIONS}/worksheet" Target="worksheets/sheet{index}.xml"/>'
                        for index in range(1, len(names) + 1))
    with_strings = shared_strings is not None or "xl/sharedStrings.xml" in (big_parts or {})
    if with_strings:
        relations += f'<Relationship Id="rId{len(names) + 1}" Type="{RELATIONS}/sharedStrings" Target="sharedStrings.xml"/>'
    workbook_rels = f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE}">{relations}</Relationships>'
    parts = {"[Content_Types].xml": content_types, "_rels/.rels": root_rels, "xl/workbook.xml": workbook,
             "xl/_rels/workbook.xml.rels": workbook_rels}
    for index, name in enumerate(names, 1):
        parts[f"xl/worksheets/sheet{index}.xml"] = sheets[name]
    if shared_strings is not None:
        parts["xl/sharedStrings.xml"] = (f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">'
                                         + "".join(f'<si><t xml:space="preserve">{escape(text)}</t></si>'
                                                   for text in shared_strings) + "</sst>")
    members = {name: Member.of(text.encode("utf-8")) for name, text in parts.items()}
    write_zip(path, {**members, **(big_parts or {})})
    return path
