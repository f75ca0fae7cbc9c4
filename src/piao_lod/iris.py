"""The IRI patterns of piao-lod, all under one configurable base (see README, "IRI patterns").

Ente by IPA code; plans, objectives and incarichi carry the year; indicators,
settori and dirigenti do not, so the same indicator joins across years.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

import pyoxigraph as ox

from piao_lod.errors import UsageError
from piao_lod.messages import N_


def slug(text: str) -> str:
    """``Settore Mobilità Sostenibile, Verde`` -> ``settore-mobilita-sostenibile-verde``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.casefold()).strip("-") or "senza-nome"


def segment(code: str) -> str:
    """A code as one path segment, readable where it can be (``1.3.2_0003`` stays as is).

    A segment of dots only would be a dot segment (``..`` climbs to the parent: the objective
    ``..`` would be the plan), so its dots are percent-encoded (``%2E%2E``); an empty code is
    ``%20``, which no stripped code can give. Both forms are otherwise never produced (dots are
    left as they are elsewhere, spaces are stripped), so different codes keep different segments."""
    code = code.strip()
    if not code:
        return "%20"
    if not code.strip("."):
        return "%2E" * len(code)
    return quote(code, safe="._-~")


def check_web_iri(iri: str, option: str) -> str:
    """An IRI a user gives that ends up in the RDF and in links: http(s), one Turtle can write, and one the
    store takes (``http://[::1`` has the right characters and no valid host)."""
    if not re.match(r"^https?://[^\s/<>\"{}|\\^`]+(/[^\s<>\"{}|\\^`]*)?\Z", iri) or not is_valid_iri(iri):
        raise UsageError(N_("{option} must be an http(s) IRI, got “{iri}”"), option=option, iri=iri)
    return iri


def is_valid_iri(iri: str) -> bool:
    try:
        ox.NamedNode(iri)
    except ValueError:
        return False
    return True


def check_email(address: str, option: str) -> str:
    """An e-mail address a user gives that becomes a ``mailto:`` IRI in the catalogue: one ``@``, nothing an
    IRI cannot hold (a space, a line break, ``<>``)."""
    if not re.match(r"^(?:mailto:)?[^\s@<>\"{}|\\^`:/]+@[^\s@<>\"{}|\\^`:/]+\Z", address):
        raise UsageError(N_("{option} must be an e-mail address, got “{address}”"), option=option, address=address)
    return address


def check_base(base: str) -> str:
    check_web_iri(base, "--base")
    return base if base.endswith(("/", "#")) else base + "/"


def version_iri(plan: str, key: str) -> str:
    """The IRI of a plan's version with that key, also the name of its graph."""
    return f"{plan}/versione/{segment(key)}"


class PlanIris:
    """Mints the IRIs of one plan's resources, as strings. The plan (ente and year) and what its versions
    share keep one IRI across versions; the version and its source document have their own."""

    def __init__(self, base: str, ipa_code: str, year: int, version: str = "versione"):
        self.base = check_base(base)
        self.ente = self.base + segment(ipa_code)
        self.plan = f"{self.ente}/piano/{year}"
        self.version = version_iri(self.plan, version)
        self.source = f"{self.version}/fonte"

    def row(self, line: int, sheet: str | None = None, page: int | None = None) -> str:
        if page is not None:
            return f"{self.source}/pagina/{page}/riga/{line}"
        if sheet:
            return f"{self.source}/foglio/{segment(sheet)}/riga/{line}"
        return f"{self.source}/riga/{line}"

    def objective(self, key: str) -> str:
        return f"{self.plan}/obiettivo/{segment(key)}"

    def assignment(self, objective: str, key: str) -> str:
        return f"{objective}/indicatore/{segment(key)}"

    def indicator(self, code: str) -> str:
        return f"{self.ente}/indicatore/{segment(code)}"

    def settore(self, name: str) -> str:
        return f"{self.ente}/settore/{slug(name)}"

    def dirigente(self, name: str) -> str:
        return f"{self.ente}/dirigente/{slug(name)}"

    def incarico(self, dirigente: str | None, settore: str) -> str:
        return f"{self.plan}/incarico/{slug(dirigente) if dirigente else 'senza-dirigente'}/{slug(settore)}"
