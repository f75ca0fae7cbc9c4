"""Bytes to text for the text-based readers: BOMs, non-UTF-8 files, binary files."""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

from piao_lod.converters.pdf_table import PDF_MAGIC
from piao_lod.converters.source_row import ReadNote
from piao_lod.errors import SourceError

ZIP_MAGIC = b"PK\x03\x04"
FALLBACK_ENCODING = "cp1252"


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str
    note: ReadNote | None = None


def looks_like_zip(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(4) == ZIP_MAGIC


def decode_source(path: Path) -> DecodedText:
    """Decode a text source; UTF-8 (with or without BOM) and UTF-16 with BOM are read as is.

    A file that is not valid UTF-8 is read as Windows-1252 (what Italian office
    software writes) and the caller is told where the first invalid byte was, so
    the user can check accented letters.
    """
    data = path.read_bytes()
    if not data:
        raise SourceError("file is empty", str(path))
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        return DecodedText(data.decode("utf-16"), "utf-16")
    if data.startswith(ZIP_MAGIC):
        raise SourceError("this is a ZIP/XLSX file, not text: name it .xlsx or pass --source-format xlsx", str(path))
    if PDF_MAGIC in data[:1024]:
        raise SourceError("this is a PDF document, not text: name it .pdf or pass --source-format pdf", str(path))
    if b"\x00" in data[:8192]:
        raise SourceError("binary file: expected a PDF, text, CSV or XLSX plan table", str(path))
    if data.startswith(codecs.BOM_UTF8):
        return _decode_utf8(path, data[len(codecs.BOM_UTF8):], "utf-8-sig")
    return _decode_utf8(path, data, "utf-8")


def _decode_utf8(path: Path, data: bytes, name: str) -> DecodedText:
    """The bad byte's line is counted on CR, LF and CRLF, as :func:`physical_lines` numbers rows."""
    try:
        return DecodedText(data.decode("utf-8"), name)
    except UnicodeDecodeError as error:
        before = data[: error.start].replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        line = before.count(b"\n") + 1
        column = len(before) - before.rfind(b"\n")
        try:
            text = data.decode(FALLBACK_ENCODING)
            encoding = FALLBACK_ENCODING
        except UnicodeDecodeError:
            text = data.decode("latin-1")
            encoding = "latin-1"
        note = ReadNote("encoding", f"not valid UTF-8 (first bad byte 0x{data[error.start]:02x} at byte {column} "
                                    f"of this line); read as {encoding}: check accented letters", line)
        return DecodedText(text, encoding, note)


def physical_lines(text: str) -> list[str]:
    """Split on line ends only (LF, CRLF, CR), so numbers match what an editor shows."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
