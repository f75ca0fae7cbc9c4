"""Normalise the cell values of a plan table, keeping the text as written.

Each parser returns the value it could read *and* the raw text, so the graph
can carry both and nothing typed by the plan author is lost.

Every pattern here runs in time linear in the cell: a whitespace run is matched
once (possessive ``*+``, or a lookbehind so a search does not restart inside the
run), because a title of 60,000 spaces once took minutes. Numbers and LaTeX are
bounded before they are parsed (see :func:`read_number`, :func:`read_formula`).
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
import re
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from enum import Enum
from functools import lru_cache

from pylatexenc.latex2text import LatexNodes2Text
from pylatexenc.latexwalker import LatexWalker, LatexWalkerError

from piao_lod.messages import N_
from piao_lod.problems import Phrase
from piao_lod.resources import vocabulary_file

Number = int | Decimal

THOUSANDS_DOT = re.compile(r"^[+-]?\d{1,3}(?:\.\d{3})+(?:,\d+)?$")
DECIMAL_COMMA = re.compile(r"^[+-]?\d+(?:,\d+)?$")
DECIMAL_DOT = re.compile(r"^[+-]?\d*\.\d+$")
SPACES = re.compile(r"[\s\u00a0\u202f]+")
SIGNED_DIGIT = re.compile(r"[+-]?[0-9]")
# What Italian puts between a threshold word and its number: "almeno il 5", "non inferiore all'80%", "più di 3".
BOUND_ARTICLE = re.compile(r"^(?:(?:il|lo|a|ad|al|allo|di|del|dello)\s+|(?:l|all|dell)\s*['’]\s*)(?=[+-]?[0-9])", re.IGNORECASE)
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
    """How a target-like cell (target, baseline, achieved value) is read; the unit, when given, decides first."""

    NUMBER = "number"
    PERCENTAGE = "percentage"
    BOOLEAN = "boolean"
    DATE = "date"
    TEXT = "text"


class TargetBound(str, Enum):
    """What a number written after ``≥``, ``almeno``, ``<=``... is: the least or the most the target asks for."""

    AT_LEAST = "at-least"
    AT_MOST = "at-most"
    MORE_THAN = "more-than"
    LESS_THAN = "less-than"


@dataclass(frozen=True)
class ReadNumber:
    """A number cell: ``value`` is None when the text could not be read as a number."""

    raw: str
    value: Number | None


@dataclass(frozen=True)
class Target:
    """A target-like cell: ``value`` is the number (1/0 for yes/no), ``date`` the deadline of a date target;
    both are None for a qualitative (text) target and for a cell that could not be read as its kind."""

    raw: str
    value: Number | None
    kind: TargetKind
    date: dt.date | None = None
    bound: TargetBound | None = None       # ``≥ 80%``: at least 80, a percentage
    upper: Number | None = None            # ``80-90%``: at least 80 (``value``, ``bound``) and at most 90
    change_from: int | None = None         # ``+10% rispetto al 2024``: a change of ``value`` over that year's value
    day_month: tuple[int | None, int] | None = None   # ``entro il 31/12``: (day or None for the last, month), no year

    @property
    def readable(self) -> bool:
        return self.kind is TargetKind.TEXT or self.value is not None or self.date is not None \
            or self.day_month is not None

    def in_year(self, year: int) -> Target:
        """A date written without its year (``entro il 31/12`` in the column of 2025) dated in ``year``; an
        impossible one (``29/02`` of a common year) stays undated."""
        if self.day_month is None or self.date is not None:
            return self
        day, month = self.day_month
        return replace(self, date=day_of(year, month, day))


@dataclass(frozen=True)
class Formula:
    """A formula as written and as plain text; ``latex_problem`` says why LaTeX in it could not be
    read (then ``text`` is the formula as written, spaces collapsed)."""

    raw: str
    text: str
    is_latex: bool
    latex_problem: Phrase | None = None


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


YES_WORDS = frozenset({"si", "sì", "sí", "s", "yes", "y", "x", "fatto", "realizzato", "raggiunto", "vero", "true"})
NO_WORDS = frozenset({"no", "n", "non fatto", "non realizzato", "non raggiunto", "falso", "false"})
MONTHS = {name: number for number, names in enumerate((
    ("gennaio", "gen"), ("febbraio", "feb"), ("marzo", "mar"), ("aprile", "apr"), ("maggio", "mag"),
    ("giugno", "giu"), ("luglio", "lug"), ("agosto", "ago"), ("settembre", "set", "sett"), ("ottobre", "ott"),
    ("novembre", "nov"), ("dicembre", "dic")), start=1) for name in names}
DEADLINE_PREFIX = re.compile(r"^(?:entro|scadenza|termine|al|il|la|data|del|fine|di|a)\b\.?\s*", re.IGNORECASE)
NUMERIC_DATE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})$")
ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
WORD_DATE = re.compile(r"^(?:(\d{1,2})\s+)?([a-z]+)\.?\s+(\d{4})$")
DAY_MONTH = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})$")
WORD_DAY_MONTH = re.compile(r"^(?:(\d{1,2})\s+)?([a-z]+)\.?$")
DATE_CHARACTERS = re.compile(r"^[\d/.\-\s]{6,14}$")
YEAR_DATE = re.compile(r"^(?:(?:l\s*['’]\s*)?anno\s+)?((?:19|20)\d\d)$")     # "entro il 2025": by its last day
# "100% entro il 31/12/2025", "≥ 95% entro 30/06/2025", "SI entro giugno 2025": a value and its deadline.
VALUE_BY_DATE = re.compile(r"^(?P<value>\S.{0,40}?)[,;]?\s++(?P<deadline>(?:entro|al|per\s+il|by)\s.{1,40})$",
                           re.IGNORECASE)
# "80-90%", "80 % - 90 %", "da 80 a 90", "tra 5 e 10 gg": the least and the most the target asks for.
RANGE = re.compile(r"^(?:(?:da|tra|fra)\s++)?(?P<low>\+?\d[\d.,]{0,20})\s*+(?P<low_unit>%?)\s*+(?:[-–÷]|\ba\b|\be\b)\s*+"
                   r"(?P<high>\d[\d.,]{0,20})\s*+(?P<unit>[^\d\s].{0,30})?$", re.IGNORECASE)
# "+10% rispetto al 2024", "-5 % sul 2023", "+ 3 rispetto all'anno 2024": a change over a year's value.
CHANGE = re.compile(r"^(?P<value>[+-]\s*+\d[\d.,]{0,20}\s*+%?)\s*+(?:rispetto\s++a(?:l|ll\s*['’])?|sul(?:l\s*['’])?|vs\.?)"
                    r"\s*+(?:(?:anno|dato|valore)\s++(?:del\s++)?)?(?P<year>(?:19|20)\d\d)\s*+\.?$", re.IGNORECASE)
SCALE_WORDS = re.compile(r"^\s*+s[iì]\s*+/\s*+no\s*+$", re.IGNORECASE)   # "SI/NO": the yes/no scale itself
LONGEST_DATE_TEXT = 60


def yes_no(raw: str) -> int | None:
    """``SI``/``Sì``/``SI'`` (the accent of a typewriter)/``X`` -> 1, ``NO`` -> 0; anything else None."""
    word = " ".join(raw.casefold().split()).strip(".")
    if word in ("si'", "si’", "si`"):
        word = "sì"
    return 1 if word in YES_WORDS else 0 if word in NO_WORDS else None


def deadline_text(raw: str) -> str | None:
    """The date part of a deadline cell, without ``entro il`` and the like; None if too long to be one."""
    text = " ".join(raw.casefold().split())
    if len(text) > LONGEST_DATE_TEXT:
        return None
    for _ in range(4):                     # "entro il", "entro la data del", "entro fine"
        stripped = DEADLINE_PREFIX.sub("", text, count=1)
        if stripped == text:
            break
        text = stripped
    if DATE_CHARACTERS.match(text) and NUMERIC_DATE.match(compact := SPACES.sub("", text)):
        return compact                     # "31/12/20 25": a date a narrow PDF cell wrapped
    return text


def looks_like_date(raw: str) -> bool:
    text = deadline_text(raw)
    return text is not None and bool(NUMERIC_DATE.match(text) or ISO_DATE.match(text) or (
        (match := WORD_DATE.match(text)) and match[2] in MONTHS) or is_year_deadline(raw, text))


def is_year_deadline(raw: str, text: str) -> bool:
    """``entro il 2025``, ``entro l'anno 2025``: a year after a deadline word (a year alone is a number)."""
    return bool(YEAR_DATE.match(text)) and text != " ".join(raw.casefold().split())


def read_day_month(raw: str, unit_kind: TargetKind | None) -> tuple[int | None, int] | None:
    """(day, month) of a date written without its year: ``31/12`` where the unit is a date, ``entro il 31/12``,
    ``31 dicembre``, ``entro dicembre`` (day None: the month's last); else None. A bare ``1/2`` with no date unit
    could be a fraction: read only after a deadline word."""
    text = deadline_text(raw)
    if text is None:
        return None
    after_word = text != " ".join(raw.casefold().split())
    if (match := DAY_MONTH.match(text)) and (after_word or unit_kind is TargetKind.DATE):
        day, month = int(match[1]), int(match[2])
    elif (match := WORD_DAY_MONTH.match(text)) and match[2] in MONTHS and (match[1] or after_word):
        day, month = (int(match[1]) if match[1] else None), MONTHS[match[2]]
    else:
        return None
    if not 1 <= month <= 12 or day_of(2000, month, day) is None:      # 2000: a leap year, 29/02 may be
        return None
    return day, month


def day_of(year: int, month: int, day: int | None) -> dt.date | None:
    """That day (None: the month's last), or None if there is no such day."""
    try:
        if day is None:
            return dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)
        return dt.date(year, month, day)
    except ValueError:
        return None


def read_date(raw: str) -> dt.date | None:
    """A deadline: ``31/12/2025``, ``entro il 30/06/2025``, ``2025-06-30``, ``30 giugno 2025``,
    ``entro dicembre 2025`` (the month's last day). Anything else, or an impossible date, None."""
    text = deadline_text(raw)
    if text is None:
        return None
    try:
        if match := NUMERIC_DATE.match(text):
            day, month, year = int(match[1]), int(match[2]), int(match[3])
            return dt.date(year + 2000 if year < 100 else year, month, day)
        if match := ISO_DATE.match(text):
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        if (match := WORD_DATE.match(text)) and match[2] in MONTHS:
            return day_of(int(match[3]), MONTHS[match[2]], int(match[1]) if match[1] else None)
        if is_year_deadline(raw, text):
            return dt.date(int(YEAR_DATE.match(text)[1]), 12, 31)
    except ValueError:
        return None
    return None


@lru_cache(maxsize=1)
def bound_words() -> tuple[tuple[str, TargetBound], ...]:
    """What plans write before a threshold (``≥``, ``>=``, ``almeno``, ``non superiore a``), from
    ``vocabularies/target-bounds.csv``, longest first so ``>=`` is not read as ``>``."""
    with vocabulary_file("target-bounds.csv").open(encoding="utf-8", newline="") as handle:
        words = [(written.strip().casefold(), TargetBound(row["bound"])) for row in csv.DictReader(handle)
                 for written in row["written"].split(";") if written.strip()]
    return tuple(sorted(words, key=lambda word: len(word[0]), reverse=True))


def split_bound(raw: str) -> tuple[TargetBound | None, str]:
    """``≥ 80%`` -> (at least, ``80%``); a cell that does not open with a threshold word -> (None, the cell)."""
    text = " ".join(raw.split())
    folded = text.casefold()
    for written, bound in bound_words():
        if not folded.startswith(written):
            continue
        rest = text[len(written):]
        if written[-1].isalpha() and rest[:1].isalpha():
            continue                       # "almenoX", "oltretutto": not the word
        rest = BOUND_ARTICLE.sub("", rest.strip(), count=1)
        if SIGNED_DIGIT.match(rest):
            return bound, rest
    return None, raw


def target_answer(raw: str) -> int | None:
    """A yes/no target: a yes or no word, or the scale ``SI/NO`` itself, which plans write for "yes, done"."""
    return 1 if SCALE_WORDS.match(raw) else yes_no(raw)


def read_target(raw: str, formula: str = "", unit_kind: TargetKind | None = None) -> Target:
    """The value of a target-like cell and its kind: the unit's kind when the unit has one, else a yes/no or
    percentage formula, else what the text itself is (a date, yes/no, ``55%``, a number, else words).
    A number after a threshold (``≥ 80%``, ``almeno 10``, ``<= 30 gg``) is read with its bound; a value with a
    deadline (``100% entro il 31/12/2025``) with both; a range (``80-90%``) as its least and most; a change
    (``+10% rispetto al 2024``) with the year it is measured from; ``SI/NO`` as yes (done)."""
    if unit_kind in (None, TargetKind.DATE) and looks_like_date(raw):
        return Target(raw, None, TargetKind.DATE, read_date(raw))
    if unit_kind in (None, TargetKind.DATE) and (day_month := read_day_month(raw, unit_kind)) is not None:
        return Target(raw, None, TargetKind.DATE, day_month=day_month)
    if (combined := read_compound_target(raw, formula, unit_kind)) is not None:
        return combined
    bound, rest = split_bound(raw)
    if bound is not None and not looks_like_date(raw):      # "entro il 2027" is a deadline, not "at most 2027"
        reading = read_target(rest, formula, unit_kind)
        if reading.value is not None and reading.kind in (TargetKind.NUMBER, TargetKind.PERCENTAGE):
            return replace(reading, raw=raw, bound=bound)
    kind = unit_kind or (TargetKind.BOOLEAN if is_boolean_formula(formula) else None)
    if kind is None and (raw.strip().endswith("%") or PERCENT_FORMULA.search(formula)):
        kind = TargetKind.PERCENTAGE
    number = read_number(raw).value
    if kind is None:
        if number is not None:
            return Target(raw, number, TargetKind.NUMBER)
        if (answer := target_answer(raw)) is not None:
            return Target(raw, answer, TargetKind.BOOLEAN)
        return Target(raw, None, TargetKind.TEXT)
    if kind is TargetKind.DATE:
        return Target(raw, None, kind, read_date(raw))
    if kind is TargetKind.BOOLEAN:
        return Target(raw, number if number is not None else target_answer(raw), kind)
    if kind is TargetKind.TEXT:
        return Target(raw, None, kind)
    return Target(raw, number, kind)


def read_compound_target(raw: str, formula: str, unit_kind: TargetKind | None) -> Target | None:
    """A value with a deadline, a range or a change over a year (see :func:`read_target`), else None."""
    text = " ".join(raw.split())
    if len(text) > LONGEST_DATE_TEXT * 2 or unit_kind is TargetKind.TEXT:
        return None
    value_kind = None if unit_kind is TargetKind.DATE else unit_kind
    if (match := VALUE_BY_DATE.match(text)) and looks_like_date(match["deadline"]):
        value = read_target(match["value"], formula, value_kind)
        if value.value is not None and value.kind is not TargetKind.DATE:
            return replace(value, raw=raw, date=read_date(match["deadline"]))
    if match := RANGE.match(text):
        unit = (match["unit"] or "").strip()
        percent = unit == "%" or (match["low_unit"] == "%" and not unit)
        if percent or not unit or unit_kind is None:
            low, high = read_number(match["low"]).value, read_number(match["high"]).value
            kind = TargetKind.PERCENTAGE if percent else value_kind or TargetKind.NUMBER
            if low is not None and high is not None and low < high and kind in (TargetKind.NUMBER, TargetKind.PERCENTAGE):
                return Target(raw, low, kind, bound=TargetBound.AT_LEAST, upper=high)
    if match := CHANGE.match(text):
        value = read_target(SPACES.sub("", match["value"]), formula,
                            TargetKind.PERCENTAGE if "%" in match["value"] else value_kind)
        if value.value is not None:
            return replace(value, raw=raw, change_from=int(match["year"]))
    return None


def read_formula(raw: str) -> Formula:
    """Formulas as written; LaTeX ones also get a plain-text reading, when it can be had safely."""
    if not LATEX_MARKERS.search(raw):
        return Formula(raw, " ".join(raw.split()), False)
    text, problem = latex_to_text(raw)
    return Formula(raw, " ".join((raw if text is None else text).split()), True, problem)


def latex_to_text(raw: str) -> tuple[str | None, Phrase | None]:
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
        return None, Phrase(N_("longer than {limit} characters"), (("limit", MAX_LATEX_CHARS),))
    depth = nesting_depth(raw)
    if depth > MAX_LATEX_DEPTH:
        return None, Phrase(N_("nested {depth} levels deep, more than {limit}"), (("depth", depth), ("limit", MAX_LATEX_DEPTH)))
    try:
        nodes, _, _ = LatexWalker(raw, tolerant_parsing=False).get_latex_nodes()
        return LATEX_TEXT.nodelist_to_text(nodes), None
    except LatexWalkerError as error:
        reason = Phrase(N_("not valid LaTeX: {error}"), (("error", " ".join(str(error.msg).split())[:120]),))
    except Exception as error:       # RecursionError despite the bound, KeyError, IndexError...
        return None, Phrase(N_("pylatexenc failed ({error})"), (("error", error.__class__.__name__),))
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
