"""HTTP content negotiation: pick the representation a client prefers among those available (RFC 9110 §12.5.1)."""

from __future__ import annotations

from dataclasses import dataclass


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


def parse_accept(header: str | None) -> list[MediaRange]:
    """Media ranges with their q-values; a malformed part is skipped, never an error."""
    ranges = []
    for order, part in enumerate((header or "*/*").split(",")):
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


def choose(header: str | None, available: list[str]) -> str | None:
    """The available media type with the highest q from its most specific matching range; ties go to the
    order of ``available`` (the server's preference). None: nothing acceptable (406)."""
    ranges = parse_accept(header)
    best, best_q = None, 0.0
    for media_type in available:
        matching = [r for r in ranges if r.matches(media_type)]
        if not matching:
            continue
        q = max(matching, key=lambda r: (r.specificity, r.q)).q
        if q > best_q:
            best, best_q = media_type, q
    return best
