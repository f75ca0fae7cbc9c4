"""Cell text wrapped over several lines of a PDF, joined back into the text the author typed.

A PDF keeps no trace of where the author's words ended and the typesetter's line breaks began,
so a line that ends in a hyphen is ambiguous: ``ammini-`` / ``strazione`` is one word broken by
hyphenation, ``socio-`` / ``sanitario`` is a compound broken at its own hyphen, ``M5C2-`` /
``I2.1`` a code. The rule, in order:

1. a soft hyphen (U+00AD) is the typesetter's: dropped;
2. a hyphen next to a digit or a capital letter (``M5C2-I2.1``, ``2019-2024``, ``ASST-CR``) is kept;
3. the document itself decides when it can: if it writes the joined word elsewhere the hyphen
   goes, if it writes the hyphenated word, or the first part as the start of a compound
   (``economico-`` in ``economico-finanziaria``), or the second part as a word of its own, the
   hyphen stays;
4. otherwise the hyphen is taken for hyphenation and dropped.

A line that ends in a slash glued to the word before it (``lavori/``) or in a backslash (LaTeX's
``\\text``) goes on without a space; any other break is a space.

The document's words are gathered from every cell and prose line before any is joined
(:class:`Vocabulary`), so evidence on a later page counts too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

SOFT_HYPHEN = "\u00ad"
HYPHENS = "-\u2010\u2011"          # hyphen-minus, hyphen, non-breaking hyphen: not dashes (– —)
WORD = re.compile(r"[^\W\d_]+(?:[-\u2010\u2011][^\W\d_]+)*")
LINE_END_FRAGMENT = re.compile(rf"([^\W\d_]+)[{HYPHENS}]$")
LINE_START_FRAGMENT = re.compile(r"^([^\W\d_]+)")


class Vocabulary:
    """The words a document writes in full: inside lines, not at the ends where a break may cut them."""

    def __init__(self) -> None:
        self.words: set[str] = set()
        self.compound_starts: set[str] = set()

    def add_lines(self, lines: Iterable[str]) -> None:
        for line in lines:
            found = [match.group(0).casefold() for match in WORD.finditer(line)]
            if found and LINE_END_FRAGMENT.search(line):
                found.pop()
            for word in found:
                self.words.add(word)
                parts = re.split(f"[{HYPHENS}]", word)
                if len(parts) > 1:
                    self.words.update(parts)
                    self.compound_starts.update(parts[:-1])

    def keeps_hyphen(self, before: str, after: str) -> bool:
        first, second = before.casefold(), after.casefold()
        if first + second in self.words:
            return False
        return f"{first}-{second}" in self.words or first in self.compound_starts or second in self.words


def join_lines(lines: Iterable[str], vocabulary: Vocabulary) -> str:
    """The lines of one cell (or one prose paragraph) as one text, wrapped breaks undone."""
    text = ""
    for line in lines:
        line = " ".join(line.split())
        if not line:
            continue
        if not text:
            text = line
        else:
            text = join_two(text, line, vocabulary)
    return text


def join_two(text: str, line: str, vocabulary: Vocabulary) -> str:
    if text.endswith(SOFT_HYPHEN):
        return text[:-1] + line
    if text.endswith("\\"):
        return text + line
    if len(text) < 2 or text[-2].isspace():
        return text + " " + line
    if text[-1] == "/":
        return text + line
    if text[-1] not in HYPHENS:
        return text + " " + line
    before, after = text[-2], line[0]
    if not (before.isalpha() and before.islower() and after.isalpha() and after.islower()):
        return text + line
    first, second = LINE_END_FRAGMENT.search(text), LINE_START_FRAGMENT.match(line)
    if first and second and vocabulary.keeps_hyphen(first.group(1), second.group(1)):
        return text + line
    return text[:-1] + line
