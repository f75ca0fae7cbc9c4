"""The RDF written beside each page, and the site's full and per-plan dumps."""

from __future__ import annotations

import hashlib
import heapq
import shutil
import tempfile
import zlib
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from itertools import count
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph
from rdflib.compare import to_canonical_graph

from piao_lod.graph_inputs import BUDGET_GRAPH, ONTOLOGY_GRAPH, PNRR_GRAPH, REFERENCE_GRAPHS, UNITS_GRAPH
from piao_lod.namespaces import PREFIX_IRIS
from piao_lod.website.addresses import Download, check_relative
from piao_lod.website.file_links import link_file

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
FOAF_DOCUMENT = ox.NamedNode("http://xmlns.com/foaf/0.1/Document")
FOAF_PRIMARY_TOPIC = ox.NamedNode("http://xmlns.com/foaf/0.1/primaryTopic")
DCT_LICENSE = ox.NamedNode("http://purl.org/dc/terms/license")

RUN_QUADS = 50_000             # quads of the whole site's dumps sorted in memory at once (≈ 50 MB of peak)
RUNS_MERGED_AT_ONCE = 64       # sorted files open at once while merging them
CHUNK_BYTES = 2**20

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
    return serialize_sorted(sorted(triples, key=str), suffix)


def serialize_sorted(ordered: list[ox.Triple], suffix: str) -> bytes:
    """Triples already in :func:`serialize_triples`' order, for a caller writing them in several formats."""
    fmt = RESOURCE_FORMATS[suffix]
    return ox.serialize(ordered, format=fmt, prefixes=rdf_prefixes(fmt))


def rdf_prefixes(fmt: ox.RdfFormat) -> dict[str, str] | None:
    """The project's prefixes for the formats that can declare them (pyoxigraph refuses them for the others)."""
    return PREFIX_IRIS if fmt in PREFIXED_FORMATS else None


def write_resource_files(directory: Path, triples: list[ox.Triple], about: DocumentFacts | None = None) -> None:
    """The resource's triples in every format beside its page; with ``about``, each file also says what
    document it is: its licence and the resource it is about (``foaf:primaryTopic``)."""
    for suffix, data in resource_documents(triples, about).items():
        (directory / f"index.{suffix}").write_bytes(data)


def resource_document(triples: list[ox.Triple], about: DocumentFacts | None, suffix: str) -> bytes:
    """One of the files beside a page, as the build writes it and the server renders it from a store."""
    return resource_documents(triples, about, (suffix,))[suffix]


def resource_documents(triples: list[ox.Triple], about: DocumentFacts | None,
                       suffixes: Iterable[str] = RESOURCE_FORMATS) -> dict[str, bytes]:
    """:func:`resource_document` in several formats, the triples sorted once for all of them (sorting by
    ``str`` cost as much as serializing)."""
    ordered = sorted(triples if about is None else [*triples, *about.triples()], key=str)
    return {suffix: serialize_sorted(ordered, suffix) for suffix in suffixes}


@dataclass(frozen=True)
class DocumentFacts:
    """What the files beside a page say about the document they are. The document is the page's folder
    URL, which every format is negotiated from, so all the files hold the same graph."""

    page_url: str            # the published URL of the page's folder, e.g. https://…/id/c_d150/
    topic: str               # the resource the files describe
    licence: str             # the licence of the data

    def triples(self) -> list[ox.Triple]:
        node = ox.NamedNode(self.page_url)
        return [ox.Triple(node, RDF_TYPE, FOAF_DOCUMENT),
                ox.Triple(node, FOAF_PRIMARY_TOPIC, ox.NamedNode(self.topic)),
                ox.Triple(node, DCT_LICENSE, ox.NamedNode(self.licence))]


def plan_quads(store: ox.Store, graph: ox.NamedNode) -> list[ox.Quad]:
    """A graph's quads in a fixed order; blank nodes (the ontology's class expressions, an RDF input's
    nodes) get the labels of rdflib's canonical form, as the store's own labels differ from run to run."""
    quads = list(store.quads_for_pattern(None, None, None, graph))
    if any(isinstance(term, ox.BlankNode) for quad in quads for term in (quad.subject, quad.object)):
        triples = Graph().parse(data=ox.serialize([quad.triple for quad in quads], format=ox.RdfFormat.N_TRIPLES),
                                format="nt")
        canonical = to_canonical_graph(triples).serialize(format="nt", encoding="utf-8")
        quads = [ox.Quad(parsed.subject, parsed.predicate, parsed.object, graph)
                 for parsed in ox.parse(canonical, format=ox.RdfFormat.N_TRIPLES)]
    return sorted(quads, key=str)


PLAN_DOWNLOADS = ("ttl", "jsonld", "nt", "rdf")
@dataclass(frozen=True)
class ReferenceDataset:
    """A reference graph as the site publishes it: a VoID subset (``key``) and, but for the ontology, which
    has its pages' files instead, downloads of its own (``stem``)."""

    key: str
    graph: ox.NamedNode
    titles: dict[str, str]
    stem: str | None = None


REFERENCE_DATASETS = (
    ReferenceDataset("ontologia", ONTOLOGY_GRAPH, {"it": "Ontologia piao-lod", "en": "piao-lod ontology"}),
    ReferenceDataset("schema-pnrr", PNRR_GRAPH, {"it": "Schema delle misure PNRR", "en": "PNRR measure scheme"},
                     "pnrr-scheme"),
    ReferenceDataset("schema-bilancio", BUDGET_GRAPH, {"it": "Missioni e programmi del bilancio (D.Lgs. 118/2011)",
                                                       "en": "Budget missions and programmes (Legislative Decree 118/2011)"},
                     "bilancio-scheme"),
    ReferenceDataset("unita-di-misura", UNITS_GRAPH, {"it": "Unità di misura degli indicatori",
                                                      "en": "Units of measure of the indicators"}, "units"),
)
REFERENCE_STEMS = {dataset.graph: dataset.stem for dataset in REFERENCE_DATASETS if dataset.stem}


def plan_and_versions_quads(store: ox.Store, plan: str, versions: list[str]) -> list[ox.Quad]:
    """A plan's own graph and the graphs of its versions: what its downloads hold."""
    return [quad for graph in [plan, *versions] for quad in plan_quads(store, ox.NamedNode(graph))]


def plan_download_triples(quads: list[ox.Quad]) -> list[ox.Triple]:
    """The triples of a plan's downloads (one file for the plan and all its versions)."""
    return sorted({quad.triple for quad in quads}, key=str)


def write_dumps(store: ox.Store, versions: dict[str, list[str]], data_dir: Path, slug_of,
                earlier: EarlierDownloads | None = None) -> list[Download]:
    """Every plan in every format, with all its versions (one dataset each in the catalog), the reference
    schemes on their own, and the whole site's data: every plan version, the plans' own graphs, the
    ontology and the schemes, each in its named graph in TriG and N-Quads, their union in Turtle,
    JSON-LD and N-Triples (gzip). A plan whose N-Triples are those of the ``earlier`` build has its other
    files linked from it rather than written again. The whole site's quads are never held at once
    (:class:`SortedQuads`)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    downloads: list[Download] = []
    with tempfile.TemporaryDirectory(prefix=".dumps-", dir=data_dir.parent) as folder:
        everything = SortedQuads(Path(folder))
        for plan, plan_versions in versions.items():
            quads = plan_and_versions_quads(store, plan, plan_versions)
            everything.add(quads)
            triples = plan_download_triples(quads)
            stem = slug_of(plan)
            nt = serialize_sorted(triples, "nt")
            digest = hashlib.sha256(nt).hexdigest()
            for suffix in PLAN_DOWNLOADS:
                name = f"{stem}.{suffix}"
                kept = earlier.file(plan, digest, name) if earlier and suffix != "nt" else None
                if kept is not None:
                    downloads.append(link_download(data_dir, name, kept, suffix, plan))
                else:
                    downloads.append(write_download(data_dir, name, nt if suffix == "nt" else serialize_sorted(triples, suffix),
                                                    suffix, plan_iri=plan))
        for graph in REFERENCE_GRAPHS:
            quads = plan_quads(store, graph)
            everything.add(quads)
            if graph in REFERENCE_STEMS:
                triples = [quad.triple for quad in quads]
                for suffix in ("ttl", "jsonld", "nt"):
                    downloads.append(write_download(data_dir, f"{REFERENCE_STEMS[graph]}.{suffix}",
                                                    serialize_triples(triples, suffix), suffix, graph_iri=graph.value))
        placed = {*versions, *(version for listed in versions.values() for version in listed)} | {g.value for g in REFERENCE_GRAPHS}
        for graph in sorted(store.named_graphs(), key=str):       # e.g. an RDF file of several plans without versions
            if isinstance(graph, ox.NamedNode) and graph.value not in placed:
                everything.add(plan_quads(store, graph))
        downloads.extend(write_site_dumps(data_dir, everything.merged()))
    return downloads


def write_site_dumps(data_dir: Path, quads: Path) -> list[Download]:
    """The whole site's data from ``quads``, every quad of the site in N-Quads sorted by its text: the quads
    in TriG and N-Quads, their union (each triple once, sorted) in Turtle, JSON-LD and gzipped N-Triples."""
    def written(name: str, suffix: str, fmt: ox.RdfFormat, statements: Iterable[ox.Quad | ox.Triple]) -> Download:
        ox.serialize(statements, output=str(data_dir / name), format=fmt, prefixes=rdf_prefixes(fmt))
        return file_download(data_dir, name, suffix)

    downloads = [written("piao-lod.trig", "trig", ox.RdfFormat.TRIG, parsed_quads(quads))]
    shutil.copyfile(quads, data_dir / "piao-lod.nq")      # the sorted quads are the N-Quads dump
    downloads.append(file_download(data_dir, "piao-lod.nq", "nq"))
    for suffix in ("ttl", "jsonld"):
        downloads.append(written(f"piao-lod.{suffix}", suffix, RESOURCE_FORMATS[suffix], union_triples(quads)))
    nt = quads.with_name("union.nt")
    ox.serialize(union_triples(quads), output=str(nt), format=ox.RdfFormat.N_TRIPLES)
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)       # gzip.compress(data, mtime=0), a chunk at a time
    with nt.open("rb") as source, (data_dir / "piao-lod.nt.gz").open("wb") as target:
        while chunk := source.read(CHUNK_BYTES):
            target.write(compressor.compress(chunk))
        target.write(compressor.flush())
    downloads.append(file_download(data_dir, "piao-lod.nt.gz", "nt.gz"))
    return downloads


def parsed_quads(path: Path) -> Iterator[ox.Quad]:
    return ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS)


def union_triples(quads: Path) -> Iterator[ox.Triple]:
    """Each triple of the sorted quads once. Sorting quads by their text puts a triple's quads next to each
    other, in the order of sorting the triples by theirs (a quad's text is its triple's, a space, its graph)."""
    previous = None
    for quad in parsed_quads(quads):
        triple = quad.triple
        if triple != previous:
            yield triple
            previous = triple


class SortedQuads:
    """Quads added a graph at a time, given back as one N-Quads file sorted by each quad's text (what
    ``sorted(quads, key=str)`` gives, an N-Quads line being a quad's text and `` .``): sorted
    :data:`RUN_QUADS` at a time into files in ``folder``, which are then merged, so memory holds one run."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.pending: list[ox.Quad] = []
        self.runs: list[Path] = []
        self.names = (f"run-{number}.nq" for number in count())

    def add(self, quads: Iterable[ox.Quad]) -> None:
        self.pending.extend(quads)
        if len(self.pending) >= RUN_QUADS:
            self.spill()

    def spill(self) -> None:
        self.pending.sort(key=str)
        self.runs.append(self.new_file())
        ox.serialize(self.pending, output=str(self.runs[-1]), format=ox.RdfFormat.N_QUADS)
        self.pending = []

    def new_file(self) -> Path:
        return self.folder / next(self.names)

    def merged(self) -> Path:
        self.spill()
        while len(self.runs) > 1:
            merging, self.runs = self.runs[:RUNS_MERGED_AT_ONCE], self.runs[RUNS_MERGED_AT_ONCE:]
            target = self.new_file()
            with ExitStack() as files, target.open("wb") as output:
                output.writelines(heapq.merge(*(files.enter_context(run.open("rb")) for run in merging)))
            for run in merging:
                run.unlink()
            self.runs.append(target)
        return self.runs[0]


def write_download(data_dir: Path, name: str, data: bytes, suffix: str, plan_iri: str | None = None,
                   graph_iri: str | None = None) -> Download:
    (data_dir / check_relative(name)).write_bytes(data)
    return download_of(f"{data_dir.name}/{name}", data, suffix, plan_iri, graph_iri)


def link_download(data_dir: Path, name: str, source: Path, suffix: str, plan_iri: str) -> Download:
    target = data_dir / check_relative(name)
    link_file(source, target)
    return download_of(f"{data_dir.name}/{name}", target.read_bytes(), suffix, plan_iri)


@dataclass(frozen=True)
class EarlierDownloads:
    """The plan downloads of the previous build of the same site by the same toolkit."""

    folder: Path                 # its ``dati/``
    plans: dict[str, str]        # plan IRI -> digest of its N-Triples download

    def file(self, plan: str, digest: str, name: str) -> Path | None:
        """The earlier file ``name`` of ``plan``, if the plan's graph is the same as then."""
        path = self.folder / name
        return path if self.plans.get(plan) == digest and path.is_file() and not path.is_symlink() else None


def download_of(path: str, data: bytes, suffix: str, plan_iri: str | None = None, graph_iri: str | None = None) -> Download:
    """What the pages and the catalogue say about a data file (``path`` relative to the site root)."""
    return described_download(path, len(data), hashlib.sha256(data), hashlib.sha1(data), suffix, plan_iri, graph_iri)


def file_download(data_dir: Path, name: str, suffix: str) -> Download:
    """:func:`download_of` a file of the whole site's data, read a chunk at a time."""
    sha256, sha1, size = hashlib.sha256(), hashlib.sha1(), 0
    with (data_dir / name).open("rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            sha256.update(chunk)
            sha1.update(chunk)
            size += len(chunk)
    return described_download(f"{data_dir.name}/{name}", size, sha256, sha1, suffix)


def described_download(path: str, size: int, sha256, sha1, suffix: str, plan_iri: str | None = None,
                       graph_iri: str | None = None) -> Download:
    return Download(path, MEDIA_TYPES[suffix], FORMAT_NAMES[suffix], size, plan_iri, sha256.hexdigest(),
                    graph_iri or plan_iri, "application/gzip" if suffix.endswith(".gz") else None, sha1.hexdigest())
