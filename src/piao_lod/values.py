"""Normalise the cell values of a plan table, keeping the text as written.

Each parser returns the value it could read *and* the raw text, so the graph
can carry both and nothing typed by the plan author is lost.

Every pattern here runs in time linear in the cell: a whitespace run is matched
once (possessive ``*+``, or a lookbehind so a search does not restart inside the
run), because a title of 60,000 spaces once took minutes. Numbers and LaTeX are
bounded before they are parsed (see :func:`read_number`, :func:`read_formula`).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import Enum

from pylatexenc.latex2text import LatexNodes2Text
from pylatexenc.latexwalker import LatexWalker, LatexWalkerError

Number = int | Decimal

THOUSANDS_DOT = re.compile(r"^[+-]?\d{1,3}(?:\.\d{3})+(?:,\d+)?$")
DECIMAL_COMMA = re.compile(r"^[+-]?\d+(?:,\d+)?$")
DECIMAL_DOT = re.compile(r"^[+-]?\d*\.\d+$")
SPACES = re.compile(r"[\s\u00a0\u202f]+")
MAX_NUMBER_DIGITS = 30

DONE = r"(?:fatto|s[iì]|realizzato|raggiunto)"
NOT_DONE = r"(?:non\s++fatto|no|non\s++realizzato|non\s++raggiunto)"
BOOLEAN_FORMULA = re.compile(
    rf"^\s*+(?:1\s*+=\s*+{DONE}\s*+[/,;\-–]?\s*+0\s*+=\s*+{NOT_DONE}|0\s*+=\s*+{NOT_DONE}\s*+[/,;\-–]?\s*+1\s*+=\s*+{DONE})"
    r"\s*+\.?\s*+$",
    re.IGNORECASE,
)
PERCENT_FORMULA = re.compile(r"percentual|%|[*x×]\s*+100\b", re.IGNORECASE)
LATEX_MARKERS = re.compile(r"\$[^$]++\$|\\(?:text|frac|times|cdot|left|right|mathrm)\b")
SETTORE_DATE = re.compile(r"(?<!\s)\s*+\(\s*+(?:dal\s++)?(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})\s*+\)\s*+$", re.IGNORECASE)

MAX_LATEX_CHARS = 2_000
MAX_LATEX_DEPTH = 40
MAX_TOLERANT_LATEX_CHARS = 500
MAX_OPTIONAL_ARGUMENTS = 2
LATEX_NESTING = re.compile(r"\\(?:begin|left)(?![A-Za-z])|\\(?:end|right)(?![A-Za-z])|\\.|[{}\[\]]", re.DOTALL)
OPTIONAL_ARGUMENT = re.compile(r"\\[A-Za-z]++\*?+\s*+\[")
LATEX_TEXT = LatexNodes2Text(math_mode="text")
logging.getLogger("pylatexenc").addHandler(logging.NullHandler())   # its parse warnings are not the user's output


class TargetKind(str, Enum):
    NUMBER = "number"
    PERCENTAGE = "percentage"
    BOOLEAN = "boolean"


@dataclass(frozen=True)
class ReadNumber:
    """A number cell: ``value`` is None when the text could not be read as a number."""

    raw: str
    value: Number | None


@dataclass(frozen=True)
class Target:
    raw: str
    value: Number | None
    kind: TargetKind


@dataclass(frozen=True)
class Formula:
    """A formula as written and as plain text; ``latex_problem`` says why LaTeX in it could not be
    read (then ``text`` is the formula as written, spaces collapsed)."""

    raw: str
    text: str
    is_latex: bool
    latex_problem: str | None = None


@dataclass(frozen=True)
class SettoreName:
    raw: str
    name: str
    valid_from: dt.date | None


def read_number(raw: str) -> ReadNumber:
    """Italian conventions first: ``3.800`` -> 3800, ``12,5`` -> 12.5, ``70%`` -> 70.

    A dot not followed by groups of three digits (``12.5``) is read as a decimal
    point, as spreadsheets exported in English write it. A number of more than
    :data:`MAX_NUMBER_DIGITS` digits is not one a plan means (and Python refuses to
    print integers of thousands of digits): it is not read, like any other text.
    """
    text = SPACES.sub("", raw).removesuffix("%")
    if sum(map(str.isdigit, text)) > MAX_NUMBER_DIGITS:
        return ReadNumber(raw, None)
    if THOUSANDS_DOT.match(text):
        text = text.replace(".", "").replace(",", ".")
    elif DECIMAL_COMMA.match(text):
        text = text.replace(",", ".")
    elif not DECIMAL_DOT.match(text):
        return ReadNumber(raw, None)
    try:
        number = Decimal(text)
    except InvalidOperation:
        return ReadNumber(raw, None)
    return ReadNumber(raw, int(number) if number == number.to_integral_value() else number.normalize())


def is_boolean_formula(formula: str) -> bool:
    return bool(BOOLEAN_FORMULA.match(formula))


def read_target(raw: str, formula: str) -> Target:
    """The target value and its kind, decided from the formula and the target text."""
    number = read_number(raw)
    if is_boolean_formula(formula):
        kind = TargetKind.BOOLEAN
    elif raw.strip().endswith("%") or PERCENT_FORMULA.search(formula):
        kind = TargetKind.PERCENTAGE
    else:
        kind = TargetKind.NUMBER
    return Target(raw, number.value, kind)


def read_formula(raw: str) -> Formula:
    """Formulas as written; LaTeX ones also get a plain-text reading, when it can be had safely."""
    if not LATEX_MARKERS.search(raw):
        return Formula(raw, " ".join(raw.split()), False)
    text, problem = latex_to_text(raw)
    return Formula(raw, " ".join((raw if text is None else text).split()), True, problem)


def latex_to_text(raw: str) -> tuple[str | None, str | None]:
    """(plain text, None), or (None, why not).

    pylatexenc recurses once per nesting level (RecursionError past ~150), and its tolerant
    parser backtracks: exponentially on optional arguments (``\\sqrt[\\section[\\item[x]]]``
    repeated 20 times takes minutes), quadratically on some unclosed groups. So the formula is
    bounded in length and nesting first, and parsed strictly (linear; valid LaTeX reads the same);
    only a short formula with few optional arguments gets the tolerant parser when the strict
    one refuses it. pylatexenc also fails on some inputs with other exceptions (KeyError on
    ``\\sqrt[`` without a closing bracket): every failure means the same to the user.
    """
    if len(raw) > MAX_LATEX_CHARS:
        return None, f"longer than {MAX_LATEX_CHARS:,} characters"
    depth = nesting_depth(raw)
    if depth > MAX_LATEX_DEPTH:
        return None, f"nested {depth:,} levels deep, more than {MAX_LATEX_DEPTH}"
    try:
        nodes, _, _ = LatexWalker(raw, tolerant_parsing=False).get_latex_nodes()
        return LATEX_TEXT.nodelist_to_text(nodes), None
    except LatexWalkerError as error:
        reason = f"not valid LaTeX: {' '.join(str(error.msg).split())[:120]}"
    except Exception as error:       # RecursionError despite the bound, KeyError, IndexError...
        return None, f"pylatexenc failed ({error.__class__.__name__})"
    if len(raw) > MAX_TOLERANT_LATEX_CHARS or len(OPTIONAL_ARGUMENT.findall(raw)) > MAX_OPTIONAL_ARGUMENTS:
        return None, reason
    try:
        return LATEX_TEXT.latex_to_text(raw), None
    except Exception:
        return None, reason


def nesting_depth(latex: str) -> int:
    """The deepest nesting of groups, optional arguments, environments and ``\\left``/``\\right`` pairs."""
    depth = deepest = 0
    for match in LATEX_NESTING.finditer(latex):
        token = match[0]
        if token in ("{", "[") or token.startswith(("\\begin", "\\left")):
            depth += 1
            deepest = max(deepest, depth)
        elif token in ("}", "]") or token.startswith(("\\end", "\\right")):
            depth = max(depth - 1, 0)
    return deepest


def read_settore_name(raw: str) -> SettoreName:
    """``Settore X (dal 01/01/24)`` -> name ``Settore X``, valid from 2024-01-01."""
    match = SETTORE_DATE.search(raw)
    name = " ".join(raw.split())
    if not match:
        return SettoreName(raw, name, None)
    day, month, year = (int(part) for part in match.groups())
    if year < 100:
        year += 2000
    try:
        valid_from = dt.date(year, month, day)
    except ValueError:
        return SettoreName(raw, name, None)
    return SettoreName(raw, " ".join(raw[: match.start()].split()), valid_from)
