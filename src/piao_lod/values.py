"""Normalise the cell values of a plan table, keeping the text as written.

Each parser returns the value it could read *and* the raw text, so the graph
can carry both and nothing typed by the plan author is lost.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import Enum

from pylatexenc.latex2text import LatexNodes2Text

Number = int | Decimal

THOUSANDS_DOT = re.compile(r"^[+-]?\d{1,3}(?:\.\d{3})+(?:,\d+)?$")
DECIMAL_COMMA = re.compile(r"^[+-]?\d+(?:,\d+)?$")
DECIMAL_DOT = re.compile(r"^[+-]?\d*\.\d+$")
SPACES = re.compile(r"[\s\u00a0\u202f]+")

BOOLEAN_FORMULA = re.compile(
    r"^\s*(?:1\s*=\s*(?:fatto|s[iì]|realizzato|raggiunto)\s*[/,;\-–]?\s*0\s*=\s*(?:non\s+fatto|no|non\s+realizzato|non\s+raggiunto)"
    r"|0\s*=\s*(?:non\s+fatto|no|non\s+realizzato|non\s+raggiunto)\s*[/,;\-–]?\s*1\s*=\s*(?:fatto|s[iì]|realizzato|raggiunto))\s*\.?\s*$",
    re.IGNORECASE,
)
PERCENT_FORMULA = re.compile(r"percentual|%|[*x×]\s*100\b", re.IGNORECASE)
LATEX_MARKERS = re.compile(r"\$[^$]+\$|\\(?:text|frac|times|cdot|left|right|mathrm)\b")
SETTORE_DATE = re.compile(r"\s*\(\s*(?:dal\s+)?(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})\s*\)\s*$", re.IGNORECASE)


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
    raw: str
    text: str
    is_latex: bool


@dataclass(frozen=True)
class SettoreName:
    raw: str
    name: str
    valid_from: dt.date | None


def read_number(raw: str) -> ReadNumber:
    """Italian conventions first: ``3.800`` -> 3800, ``12,5`` -> 12.5, ``70%`` -> 70.

    A dot not followed by groups of three digits (``12.5``) is read as a decimal
    point, as spreadsheets exported in English write it.
    """
    text = SPACES.sub("", raw).removesuffix("%")
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
    """Formulas as written; LaTeX ones also get a plain-text reading."""
    if LATEX_MARKERS.search(raw):
        text = LatexNodes2Text(math_mode="text").latex_to_text(raw)
        return Formula(raw, " ".join(text.split()), True)
    return Formula(raw, " ".join(raw.split()), False)


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
