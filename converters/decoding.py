"""Bytes to text for the text-based readers: BOMs, non-UTF-8 lines, binary files.

A file is decoded line by line when it is not UTF-8 as a whole: a table pasted together
from two programs often has UTF-8 lines and a few Windows-1252 ones, and decoding the whole
file as Windows-1252 would garble every accented letter of the valid lines.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

from piao_lod.converters.pdf_table import PDF_MAGIC
from piao_lod.converters.source_row import ReadNote
from piao_lod.errors import SourceError
from piao_lod.messages import N_, ngettext_
from piao_lod.problems import Phrase

ZIP_MAGIC = b"PK\x03\x04"
FALLBACK_ENCODING = "cp1252"
LISTED_LINES = 10


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str
    note: ReadNote | None = None


@dataclass(frozen=True)
class BadLine:
    """A line that is not UTF-8: its 1-based number, and the 1-based byte and value of its first bad byte."""

    number: int
    byte_position: int
    byte: int


def looks_like_zip(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(4) == ZIP_MAGIC


def decode_source(path: Path) -> DecodedText:
    """Decode a text source; UTF-8 (with or without BOM) and UTF-16 with BOM are read as is.

    A file that is not valid UTF-8 is decoded line by line: valid lines as UTF-8, the
    others as Windows-1252 (what Italian office software writes; bytes it lacks as
    Latin-1), and one note names those lines so the user can check their accented letters.
    """
    data = path.read_bytes()
    if not data:
        raise SourceError(N_("file is empty"), str(path))
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        return _decode_utf16(data)
    if data.startswith(ZIP_MAGIC):
        raise SourceError(N_("this is a ZIP/XLSX file, not text: name it .xlsx or pass --source-format xlsx"), str(path))
    if PDF_MAGIC in data[:1024]:
        raise SourceError(N_("this is a PDF document, not text: name it .pdf or pass --source-format pdf"), str(path))
    if b"\x00" in data[:8192]:
        raise SourceError(N_("binary file: expected a PDF, text, CSV or XLSX plan table"), str(path))
    if data.startswith(codecs.BOM_UTF8):
        return _decode_utf8_lines(data[len(codecs.BOM_UTF8):], "utf-8-sig")
    return _decode_utf8_lines(data, "utf-8")


def _decode_utf8_lines(data: bytes, name: str) -> DecodedText:
    """Lines end at CR, LF and CRLF (``bytes.splitlines``), as :func:`physical_lines` numbers them;
    no UTF-8 sequence holds those bytes, so splitting first cannot cut a character."""
    try:
        return DecodedText(data.decode("utf-8"), name)
    except UnicodeDecodeError:
        pass
    parts, bad, any_utf8 = [], [], False
    for number, line in enumerate(data.splitlines(keepends=True), start=1):
        try:
            parts.append(line.decode("utf-8"))
            any_utf8 = any_utf8 or not line.isascii()
        except UnicodeDecodeError as error:
            bad.append(BadLine(number, error.start + 1, line[error.start]))
            parts.append(_decode_legacy(line))
    return DecodedText("".join(parts), f"{name} with {len(bad)} {FALLBACK_ENCODING} lines", _encoding_note(bad, any_utf8))


def _decode_legacy(line: bytes) -> str:
    """Windows-1252, its five undefined bytes (0x81, 0x8d, 0x8f, 0x90, 0x9d) read as the code points of the same
    number, as browsers read it (WHATWG): one of them no longer turns the whole line into Latin-1, where a € (0x80)
    became the control character U+0080."""
    return line.decode(FALLBACK_ENCODING, errors=SAME_CODE_POINT)


def _same_code_point(error: UnicodeDecodeError) -> tuple[str, int]:
    return error.object[error.start:error.end].decode("latin-1"), error.end


SAME_CODE_POINT = "piao-lod-same-code-point"
codecs.register_error(SAME_CODE_POINT, _same_code_point)


def _encoding_note(bad: list[BadLine], any_utf8: bool) -> ReadNote:
    """One note for the file, at its first bad line, listing the others (all of them in ``related_lines``).
    A file whose every line beyond ASCII is bad is simply a Windows-1252 file, and is told so."""
    first, others = bad[0], [line.number for line in bad[1:]]
    if not any_utf8:
        reading = Phrase(N_("the file was read as {encoding}: check its accented letters"),
                         (("encoding", FALLBACK_ENCODING),))
    elif not others:
        reading = Phrase(N_("this line was read as {encoding}, the others as UTF-8: check its accented letters"),
                         (("encoding", FALLBACK_ENCODING),))
    else:
        listed = ", ".join(map(str, others[:LISTED_LINES])) + (", …" if len(others) > LISTED_LINES else "")
        reading = Phrase(ngettext_("this line and {count} other (line {lines}) were read as {encoding}, the others as "
                                   "UTF-8: check their accented letters",
                                   "this line and {count} others (lines {lines}) were read as {encoding}, the others as "
                                   "UTF-8: check their accented letters"),
                         (("count", len(others)), ("lines", listed), ("encoding", FALLBACK_ENCODING)))
    where = Phrase(N_("first bad byte {byte} at byte {position} of this line"),
                   (("byte", f"0x{first.byte:02x}"), ("position", first.byte_position)))
    return ReadNote("encoding", {"encoding": "UTF-8", "where": where, "reading": reading}, first.number,
                    related_lines=tuple(line.number for line in bad))


def _decode_utf16(data: bytes) -> DecodedText:
    """A UTF-16 file with a broken code unit (odd length, lone surrogate) keeps the rest; U+FFFD marks the spot."""
    try:
        return DecodedText(data.decode("utf-16"), "utf-16")
    except UnicodeDecodeError as error:
        text = data.decode("utf-16", errors="replace")
        before = data[:error.start].decode("utf-16", errors="replace")
        line = len(physical_lines(before))
        where = Phrase(N_("byte {position} of the file: {reason}"), (("position", error.start + 1), ("reason", error.reason)))
        return DecodedText(text, "utf-16", ReadNote(
            "encoding", {"encoding": "UTF-16", "where": where,
                         "reading": Phrase(N_("the broken character is read as U+FFFD"))}, line))


def physical_lines(text: str) -> list[str]:
    """Split on line ends only (LF, CRLF, CR), so numbers match what an editor shows."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
