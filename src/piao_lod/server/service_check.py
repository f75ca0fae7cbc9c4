"""Does a query use SERVICE? Decided by a SPARQL parser, not by pattern matching.

Oxigraph would follow a SERVICE clause to any address, and a regular expression can be
fooled about where strings and IRIs end (``FILTER(1<2)SERVICE:x#>`` reads as an IRI to a
pattern, as a comparison then SERVICE to the parser). So: a query without the word SERVICE
anywhere (after undoing ``\\u`` escapes, which SPARQL applies before parsing) is clear; any
other is parsed by rdflib's grammar and refused if it holds a SERVICE pattern, or if that
grammar cannot read it (safe side: such a query is refused, not run).
"""

from __future__ import annotations

import re

ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
SERVICE_WORD = re.compile(r"service", re.IGNORECASE)


def unescape(text: str) -> str:
    def character(match: re.Match) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF else "\ufffd"
    return ESCAPE.sub(character, text)


def uses_service(text: str) -> bool:
    if not SERVICE_WORD.search(unescape(text)):
        return False
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        parsed = parseQuery(text)
    except Exception:  # noqa: BLE001 - whatever rdflib cannot read, we cannot vouch for
        return True
    return "ServiceGraphPattern" in repr(parsed)
