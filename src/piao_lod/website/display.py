"""How values read on a page, in Italian or English: numbers, dates, file sizes, and measures with their unit.

A plan states a target, a baseline or an achieved value as a number, a date, a yes/no or words, with a
unit (QUDT) on its indicator row. Every page shows them the same way: ``70%``, ``3,5 km``, ``31 dicembre
2025``, ``sì``, or the text as written when it could not be read. Kept apart from the templates because
they are on most pages (hundreds of values a page on a large plan) and Jinja macros cost far more per call.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from babel.dates import format_date

from piao_lod.messages import gettext, ngettext
from piao_lod.namespaces import PIAO
from piao_lod.website.resource_index import ResourceView, Value

SEPARATORS = {"it": (".", ","), "en": (",", ".")}       # thousands, decimals
PERCENT_UNIT = "http://qudt.org/vocab/unit/PERCENT"
NUMBER_UNIT = "http://qudt.org/vocab/unit/NUM"
PERCENTAGE_KIND = str(PIAO) + "PercentageTarget"
BOOLEAN_KIND = str(PIAO) + "BooleanTarget"
SIZE_UNITS = ("kB", "MB", "GB", "TB")
YEAR = re.compile(r"(\d{4})(?:[-+Z]|$)")


def year_number(text: str | None) -> int | None:
    """The year a ``piao:year`` states: an ``xsd:gYear`` (``2025``, ``2025Z``) or the year of a date; None for any
    other text, which RDF from another producer can hold (validation reports it; pages show it as written)."""
    match = YEAR.match(text.strip()) if text else None
    return int(match.group(1)) if match else None


def as_decimal(value) -> Decimal | None:
    if isinstance(value, Value):
        return value.number
    if isinstance(value, (int, Decimal)):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(str(value))
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def format_number(value, lang: str = "it") -> str:
    """3800 -> ``3.800`` (it) or ``3,800`` (en); 12.5 -> ``12,5`` / ``12.5``. Not a number: its text."""
    number = as_decimal(value)
    if number is None or not number.is_finite():
        return str(value)
    thousands, decimals = SEPARATORS.get(lang, SEPARATORS["it"])
    sign = "-" if number < 0 else ""
    whole, _, fraction = format(abs(number).normalize() if number != number.to_integral_value() else abs(number).quantize(1), "f").partition(".")
    grouped = f"{int(whole):,}".replace(",", thousands)
    return sign + grouped + (decimals + fraction if fraction else "")


def format_day(value, lang: str = "it") -> str:
    """An ``xsd:date`` as a person writes it: ``31 dicembre 2025``, ``December 31, 2025``; its text if not a date."""
    text = value.text if isinstance(value, Value) else str(value)
    try:
        day = dt.date.fromisoformat(text[:10])
    except ValueError:
        return text
    return format_date(day, format="long", locale=lang)


def format_size(size: int, lang: str = "it") -> str:
    """Bytes as a person reads them: ``950 byte``, ``186,5 kB``, ``2,1 MB`` (powers of 1000, as disks are sold)."""
    if size < 1000:
        return ngettext(lang, "{count} byte", "{count} bytes", size)
    amount = Decimal(size)
    for unit in SIZE_UNITS:
        amount /= 1000
        if amount < 1000 or unit == SIZE_UNITS[-1]:
            break
    rounded = amount.quantize(Decimal("0.1")) if amount < 100 else amount.quantize(Decimal("1"))
    return f"{format_number(rounded, lang)} {unit}"


@dataclass(frozen=True)
class Measure:
    """A value of an indicator row as a page shows it; ``number`` for charts, None for dates, words, unreadable text."""

    text: str
    number: Decimal | None = None
    unreadable: bool = False       # the plan's text could not be read as the indicator's kind: shown as written


def unit_text(unit: ResourceView | None, lang: str) -> str:
    """What follows a number: the unit's symbol in Italian, its name in English (the symbols are Italian
    abbreviations such as ``gg``); nothing for a plain count, ``%`` for percentages."""
    if unit is None or unit.iri == NUMBER_UNIT:
        return ""
    if unit.iri == PERCENT_UNIT:
        return "%"
    symbol = unit.value("qudt:symbol")
    if lang == "it" and symbol is not None:
        return symbol.text
    return unit.label(lang) if unit.described else (symbol.text if symbol else "")


def with_unit(number: Decimal, unit: str, lang: str) -> str:
    shown = format_number(number, lang)
    if not unit:
        return shown
    return shown + unit if unit == "%" else f"{shown}\u00a0{unit}"


def measure(holder: ResourceView, field: str, assignment: ResourceView | None = None, lang: str = "it") -> Measure | None:
    """``field`` (``target``, ``baseline``, ``achieved``) of an assignment or a yearly target, with the unit and
    kind of its assignment: ``piao:targetValue`` / ``piao:targetDate`` / ``piao:targetAsWritten``..."""
    row = assignment or holder
    value = holder.value(f"piao:{field}Value")
    day = holder.value(f"piao:{field}Date")
    written = holder.value(f"piao:{field}AsWritten")
    if value is None and day is None and written is None and holder is not row:
        return None
    if day is not None:
        return Measure(format_day(day, lang))
    if value is not None and value.number is not None:
        kind = holder.link("piao:targetKind") or row.link("piao:targetKind")
        if kind is not None and kind.iri == BOOLEAN_KIND and value.number in (0, 1):
            return Measure(gettext(lang, "yes") if value.number == 1 else gettext(lang, "no"), value.number)
        unit = row.link("piao:unit")
        unit_shown = unit_text(unit, lang)
        if not unit_shown and kind is not None and kind.iri == PERCENTAGE_KIND:
            unit_shown = "%"
        return Measure(with_unit(value.number, unit_shown, lang), value.number)
    if written is not None:
        kind = holder.link("piao:targetKind") or row.link("piao:targetKind")
        qualitative = kind is not None and kind.iri == str(PIAO) + "TextTarget"
        return Measure(written.text, None, unreadable=not qualitative)
    return None


def rate(holder: ResourceView, lang: str = "it") -> Measure | None:
    """The achievement rate (``piao:achievementRate``, a percentage) of a yearly target."""
    value = holder.value("piao:achievementRate")
    if value is not None and value.number is not None:
        return Measure(with_unit(value.number, "%", lang), value.number)
    written = holder.value("piao:achievementRateAsWritten")
    return Measure(written.text, None, unreadable=True) if written is not None else None
