"""The RDF written beside each page, and the site's full and per-plan dumps."""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from piao_lod.namespaces import PREFIX_IRIS
from piao_lod.website.addresses import Download

PREFIXED_FORMATS = (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML, ox.RdfFormat.JSON_LD)

# suffix beside a page -> pyoxigraph format
RESOURCE_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "jsonld": ox.RdfFormat.JSON_LD,
    "nt": ox.RdfFormat.N_TRIPLES,
    "rdf": ox.RdfFormat.RDF_XML,
}
FORMAT_NAMES = {"ttl": "Turtle", "jsonld": "JSON-LD", "nt": "N-Triples", "rdf": "RDF/XML", "trig": "TriG",
                "nq": "N-Quads", "nt.gz": "N-Triples (gzip)"}
MEDIA_TYPES = {"ttl": "text/turtle", "jsonld": "application/ld+json", "nt": "application/n-triples",
               "rdf": "application/rdf+xml", "trig": "application/trig", "nq": "application/n-quads",
               "nt.gz": "application/n-triples"}


def serialize_triples(triples: Iterable[ox.Triple], suffix: str) -> bytes:
    """Sorted, so the same triples always give the same bytes."""
    ordered = sorted(triples, key=str)
    fmt = RESOURCE_FORMATS[suffix]
    return ox.serialize(ordered, format=fmt, prefixes=rdf_prefixes(fmt))


def rdf_prefixes(fmt: ox.RdfFormat) -> dict[str, str] | None:
    """The project's prefixes for the formats that can declare them (pyoxigraph refuses them for the others)."""
    return PREFIX_IRIS if fmt in PREFIXED_FORMATS else None


def write_resource_files(directory: Path, triples: list[ox.Triple]) -> None:
    for suffix in RESOURCE_FORMATS:
        (directory / f"index.{suffix}").write_bytes(serialize_triples(triples, suffix))


def plan_quads(store: ox.Store, graph: ox.NamedNode) -> list[ox.Quad]:
    return sorted(store.quads_for_pattern(None, None, None, graph), key=str)


def write_dumps(store: ox.Store, plan_graphs: list[ox.NamedNode], data_dir: Path, slug_of) -> list[Download]:
    """Every plan in every format (one dataset each in the catalog), and the whole site's data."""
    data_dir.mkdir(parents=True, exist_ok=True)
    downloads: list[Download] = []
    everything: list[ox.Quad] = []
    for graph in plan_graphs:
        quads = plan_quads(store, graph)
        everything.extend(quads)
        triples = [quad.triple for quad in quads]
        stem = slug_of(graph.value)
        for suffix in ("ttl", "jsonld", "nt"):
            downloads.append(write_download(data_dir, f"{stem}.{suffix}", serialize_triples(triples, suffix),
                                            suffix, graph.value))
    everything.sort(key=str)
    triples = sorted({quad.triple for quad in everything}, key=str)
    downloads.append(write_download(data_dir, "piao-lod.trig", ox.serialize(everything, format=ox.RdfFormat.TRIG,
                                                                             prefixes=rdf_prefixes(ox.RdfFormat.TRIG)), "trig"))
    downloads.append(write_download(data_dir, "piao-lod.nq", ox.serialize(everything, format=ox.RdfFormat.N_QUADS), "nq"))
    for suffix in ("ttl", "jsonld"):
        downloads.append(write_download(data_dir, f"piao-lod.{suffix}", serialize_triples(triples, suffix), suffix))
    nt = serialize_triples(triples, "nt")
    downloads.append(write_download(data_dir, "piao-lod.nt.gz", gzip.compress(nt, mtime=0), "nt.gz"))
    return downloads


def write_download(data_dir: Path, name: str, data: bytes, suffix: str, plan_iri: str | None = None) -> Download:
    (data_dir / name).write_bytes(data)
    return Download(f"{data_dir.name}/{name}", MEDIA_TYPES[suffix], FORMAT_NAMES[suffix], len(data), plan_iri,
                    hashlib.sha256(data).hexdigest())
