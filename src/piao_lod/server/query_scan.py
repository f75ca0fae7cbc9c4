"""What can be told about a SPARQL query without parsing it: how deep its brackets nest, and whether it names its
own dataset (``FROM`` / ``FROM NAMED``).

Oxigraph's parser recurses once per bracket: about 2,200 nested groups overflow a worker's stack and
kill the process (a crash, not an error), and replacing it costs seconds. So the nesting is measured
before the parser sees the query, and a query nested deeper than :data:`MAX_NESTING` is refused (400).
The measure is linear in the text, but a 1 MB query of brackets still takes a good fraction of a
second: it runs inside the query worker, under the time limit, never in the server's event loop; and
most queries have too few brackets to need it at all.

Strings and comments are skipped as SPARQL lexes them; an unterminated string runs to the end of its
line (or of the text), since nothing after it parses. A ``<…>`` without spaces is ambiguous (an IRI,
or less-than followed by an expression), so its brackets count as the parser would count them if it
read them as syntax, never less: opening ones raise the nesting, closing ones only undo opening ones of
the same ``<…>``. Past the first closing bracket with nothing to close, the parser reads no further.
So errors go one way only: a query may be measured deeper than the parser reads it, never shallower.
Oxigraph applies ``\\u`` escapes only inside strings and IRIs, so the text is scanned as it is.
"""

from __future__ import annotations

import re
from itertools import accumulate

from piao_lod.server.limits import MAX_NESTING
OPENING, CLOSING = "({[", ")}]"
# Possessive quantifiers and an optional end: each lexeme matches once where it starts, in linear time.
LEXEMES = re.compile(r'''
    (?P<string> """(?:[^"\\]|\\.|"(?!""))*+(?:"""|\Z)
              | \'\'\'(?:[^'\\]|\\.|'(?!''))*+(?:\'\'\'|\Z)
              | "(?:[^"\\\n\r]|\\.)*+"?
              | '(?:[^'\\\n\r]|\\.)*+'? )
  | (?P<comment> \#[^\n\r]*+ )
  | (?P<iri> <[^<>"{}|^`\\\x00-\x20]*+> )
''', re.VERBOSE | re.DOTALL)
NOT_BRACKETS = re.compile(r"[^(){}\[\]]+")
STEP = {**dict.fromkeys(OPENING, 1), **dict.fromkeys(CLOSING, -1)}
# FROM as a word of its own: not ?from, ex:from, ex:a.from, @from, fromage, from:x.
FROM = re.compile(r"(?<![\w?$:@.\-])from(?![\w:.\-])", re.IGNORECASE)


def syntax_only(text: str) -> str:
    """The query without its strings and comments, each ``<…>`` replaced by the brackets it may hold."""
    def replace(lexeme: re.Match) -> str:
        if lexeme.lastgroup != "iri":
            return " "
        inside = lexeme.group()
        opened = sum(inside.count(bracket) for bracket in OPENING)
        closed = sum(inside.count(bracket) for bracket in CLOSING)
        return " " + "(" * opened + ")" * min(opened, closed) + " "
    return LEXEMES.sub(replace, text)


def nesting(text: str) -> int:
    """The deepest bracket nesting the parser may reach (an upper bound)."""
    depths = list(accumulate(map(STEP.__getitem__, NOT_BRACKETS.sub("", syntax_only(text)))))
    if -1 in depths:                 # an unmatched closing bracket: a syntax error, read no further
        depths = depths[:depths.index(-1)]
    return max(depths, default=0)


def too_deep(text: str) -> int | None:
    """The nesting of a query nested deeper than :data:`MAX_NESTING`, else None. Nearly every query has too
    few brackets to need measuring."""
    if sum(text.count(bracket) for bracket in OPENING) <= MAX_NESTING:
        return None
    depth = nesting(text)
    return depth if depth > MAX_NESTING else None


def names_dataset(text: str) -> bool:
    """Does the query say FROM or FROM NAMED (outside strings, IRIs and comments)?"""
    return "from" in text.lower() and FROM.search(syntax_only(text)) is not None
