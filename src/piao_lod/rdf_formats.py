"""Every RDF format piao-lod reads or writes, in one table: names, suffixes, media types, Oxigraph format.

Commands, the site and the server look formats up here (by name, file suffix or media type),
so a file ``convert`` writes is always one that ``validate``, ``load`` and ``build`` read,
and the server offers exactly the formats the site writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from piao_lod.errors import UsageError
from piao_lod.messages import N_
from piao_lod.namespaces import PREFIX_IRIS


@dataclass(frozen=True)
class RdfFormat:
    name: str                      # the --format value, e.g. "ttl"
    label: str                     # what people call it, e.g. "Turtle"
    suffixes: tuple[str, ...]      # file suffixes, the first one written
    media_types: tuple[str, ...]   # the first one is sent; the others are accepted
    oxigraph: ox.RdfFormat
    named_graphs: bool             # holds one named graph per plan
    prefixes: bool                 # can declare prefixes (pyoxigraph refuses them for the others)

    @property
    def suffix(self) -> str:
        return self.suffixes[0]

    @property
    def media_type(self) -> str:
        return self.media_types[0]

    def serialize(self, data, output=None) -> bytes | None:
        """Quads or triples (any iterable, read as a stream) in this format, with the project's prefixes where
        the format has them; into ``output`` (a binary file) if given, else returned as bytes."""
        return ox.serialize(data, output, format=self.oxigraph, prefixes=PREFIX_IRIS if self.prefixes else None)


FORMATS: tuple[RdfFormat, ...] = (
    RdfFormat("ttl", "Turtle", (".ttl",), ("text/turtle", "application/x-turtle"), ox.RdfFormat.TURTLE, False, True),
    RdfFormat("nt", "N-Triples", (".nt",), ("application/n-triples", "text/plain"), ox.RdfFormat.N_TRIPLES, False, False),
    RdfFormat("jsonld", "JSON-LD", (".jsonld", ".json"), ("application/ld+json", "application/json"),
              ox.RdfFormat.JSON_LD, False, True),
    RdfFormat("rdf", "RDF/XML", (".rdf", ".owl", ".xml"), ("application/rdf+xml", "application/xml", "text/xml"),
              ox.RdfFormat.RDF_XML, False, True),
    RdfFormat("trig", "TriG", (".trig",), ("application/trig",), ox.RdfFormat.TRIG, True, True),
    RdfFormat("nq", "N-Quads", (".nq",), ("application/n-quads",), ox.RdfFormat.N_QUADS, True, False),
)
BY_NAME = {fmt.name: fmt for fmt in FORMATS}
BY_SUFFIX = {suffix: fmt for fmt in FORMATS for suffix in fmt.suffixes}
DEFAULT_FORMAT = BY_NAME["ttl"]
# ``.xml`` is read as RDF/XML only when given as RDF; ``.owl`` likewise. Plan tables never use them.


def format_named(name: str) -> RdfFormat:
    try:
        return BY_NAME[name]
    except KeyError:
        raise UsageError(N_("unknown RDF format “{name}”; use one of {formats}"), name=name,
                         formats=", ".join(BY_NAME)) from None


def format_of_path(path: str | Path) -> RdfFormat | None:
    """The format a file's suffix names (``x.ttl``, ``x.nq``), or None if it is not an RDF suffix."""
    return BY_SUFFIX.get(Path(path).suffix.lower())


def format_of_media_type(media_type: str) -> RdfFormat | None:
    wanted = media_type.split(";")[0].strip().lower()
    return next((fmt for fmt in FORMATS if wanted in fmt.media_types), None)


def output_format(declared: str | None, output: str) -> RdfFormat:
    """``--format`` if given, else the output file's suffix, else Turtle (also for standard output)."""
    if declared:
        return format_named(declared)
    if output != "-":
        found = format_of_path(output)
        if found is not None:
            return found
        suffix = Path(output).suffix
        if suffix:
            raise UsageError(N_("“{suffix}” is not an RDF suffix; use one of {suffixes} or give --format"),
                             subject=output, suffix=suffix, suffixes=", ".join(sorted(BY_SUFFIX)))
    return DEFAULT_FORMAT
