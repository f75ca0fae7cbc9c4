"""HTTP content negotiation: pick the representation a client prefers among those available (RFC 9110 §12.5.1)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

# Media types a representation also answers to: clients that ask for plain JSON get JSON-LD (a resource, a
# CONSTRUCT) or SPARQL results in JSON (a SELECT); plain XML gets the SPARQL results in XML.
ALIASES: Mapping[str, Sequence[str]] = {
    "application/ld+json": ("application/json",),
    "application/sparql-results+json": ("application/json",),
    "application/sparql-results+xml": ("application/xml", "text/xml"),
}


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    q: float
    order: int

    @property
    def specificity(self) -> int:
        return (self.type != "*") + (self.subtype != "*")

    def matches(self, media_type: str) -> bool:
        kind, _, sub = media_type.partition("/")
        return self.type in ("*", kind) and self.subtype in ("*", sub)


MAX_RANGES = 64        # an Accept header's first media ranges are read: no client lists more, an attacker may


def parse_accept(header: str | None) -> list[MediaRange]:
    """Media ranges with their q-values; a malformed part is skipped, never an error."""
    ranges = []
    for order, part in enumerate((header or "*/*").split(",", MAX_RANGES)[:MAX_RANGES]):
        fields = [field.strip() for field in part.split(";")]
        media, _, sub = fields[0].lower().partition("/")
        if not media or not sub:
            continue
        q = 1.0
        for parameter in fields[1:]:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        ranges.append(MediaRange(media, sub, q, order))
    return ranges or [MediaRange("*", "*", 1.0, 0)]


def choose(header: str | None, available: Sequence[str]) -> str | None:
    """The available media type with the highest q from its most specific matching range (a range may name the
    type or one of its :data:`ALIASES`); ties go to the order of ``available`` (the server's preference). None:
    nothing acceptable (406). Clients send the same few headers again and again: short ones are remembered."""
    available = tuple(available)
    if header is not None and len(header) > MAX_REMEMBERED_HEADER:
        return negotiate(header, available)
    return remembered(header, available)


def negotiate(header: str | None, available: tuple[str, ...]) -> str | None:
    ranges = parse_accept(header)
    best, best_q = None, 0.0
    for media_type in available:
        alias_names = ALIASES.get(media_type, ())
        matching = [(r.specificity, r.matches(media_type), r.q) for r in ranges
                    if r.matches(media_type) or any(r.matches(name) for name in alias_names)]
        if not matching:
            continue
        q = max(matching)[2]        # the most specific range, one naming the type itself before an alias
        if q > best_q:
            best, best_q = media_type, q
    return best


MAX_REMEMBERED_HEADER = 512
remembered = lru_cache(maxsize=512)(negotiate)
