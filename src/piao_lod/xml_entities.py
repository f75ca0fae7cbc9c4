"""The entities an RDF/XML document declares, measured before Oxigraph reads it.

Oxigraph's RDF/XML parser expands the entities of a DOCTYPE without a bound: ten entities nested
ten references deep (a "billion laughs", one kilobyte) took 10 GB of memory before a minute was
up. Entities are common in RDF/XML written by ontology editors (``<!ENTITY xsd
"http://www.w3.org/2001/XMLSchema#">``), so they are not refused: the text each one expands to is
measured, and a document is refused when the references it holds would expand to more than
``MAX_EXPANDED_CHARS``.
"""

from __future__ import annotations

import re
from pathlib import Path

from piao_lod.errors import SourceError
from piao_lod.messages import N_
from piao_lod.problems import Amount, Phrase

MAX_EXPANDED_CHARS = 64_000_000     # the text every entity reference of a document expands to, together
PROLOG_BYTES = 4_000_000            # the start of the file read for its DOCTYPE
CHUNK_BYTES = 1 << 20
DOCTYPE = re.compile(r"<!DOCTYPE[^\[>]*\[(.*?)\]\s*>", re.S)
ENTITY = re.compile(r"""<!ENTITY\s+(?!%)(\S+)\s+(?:"([^"]*)"|'([^']*)')""", re.S)
REFERENCE = re.compile(r"&([^;\s&#]+);")


def check_entity_expansion(path: Path) -> None:
    """Raise :class:`SourceError` if an entity of the document's DOCTYPE expands past the bound, or refers to
    itself."""
    with path.open("rb") as handle:
        prolog = handle.read(PROLOG_BYTES)
    encoding = "utf-16" if prolog[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8"
    doctype = DOCTYPE.search(prolog.decode(encoding, errors="replace"))
    if doctype is None:
        return
    values = {match[1]: match[2] if match[2] is not None else match[3] for match in ENTITY.finditer(doctype[1])}
    if not values:
        return
    sizes = expanded_sizes(values, path)
    expanded = 0
    for name in references_in(path, encoding):
        expanded += sizes.get(name, 0)
        if expanded > MAX_EXPANDED_CHARS:
            raise SourceError(N_("its entities would expand to more than {limit} characters (entities nested in "
                                 "entities, a “billion laughs”: &{name}; is one); not read"), str(path),
                              limit=Amount(MAX_EXPANDED_CHARS), name=name)


def references_in(path: Path, encoding: str):
    """The names of the entity references in the file, read a megabyte at a time."""
    carry = ""
    with path.open("r", encoding=encoding, errors="replace") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            text = carry + chunk
            cut = text.rfind("&")
            if cut == -1 or ";" in text[cut:]:
                cut = len(text)
            yield from REFERENCE.findall(text, 0, cut)
            carry = text[cut:][:256]


def expanded_sizes(values: dict[str, str], path: Path) -> dict[str, int]:
    """The length of the text each entity expands to (at most the bound plus one), depth first without recursion:
    a chain of thousands of entities is no deeper for Python's stack."""
    references = {name: [inner for inner in REFERENCE.findall(text) if inner in values] for name, text in values.items()}
    sizes: dict[str, int] = {}
    for root in values:
        path_names, stack = {root}, [root]
        while stack:
            name = stack[-1]
            pending = [inner for inner in references[name] if inner not in sizes]
            if pending:
                if pending[0] in path_names:
                    itself = Phrase(N_("the entity &{name}; refers to itself"), (("name", pending[0]),))
                    raise SourceError(N_("not valid RDF: {error}"), str(path), error=itself)
                path_names.add(pending[0])
                stack.append(pending[0])
                continue
            literal = len(REFERENCE.sub("", values[name]))
            sizes[name] = min(literal + sum(sizes[inner] for inner in references[name]), MAX_EXPANDED_CHARS + 1)
            path_names.discard(stack.pop())
    return sizes
