"""VoID's figures of the site's data, counted from the full N-Quads dump as the build wrote it.

The dump is what a client downloads, so its figures are the ones VoID states. Reading it back into a
store to count them with SPARQL held the whole corpus a second time (+110 MB at the medium scale, ten
times that at the large one); here the dump is read a quad at a time. The dump is sorted by each quad's
text (:class:`~piao_lod.website.resource_files.SortedQuads`), so a triple's quads are adjacent and so
are a subject's triples: every figure but the distinct objects is counted in one pass with memory for
the classes, properties and graphs only; the objects are counted by sorting them in runs on disk.
:func:`~piao_lod.website.catalog.store_figures` counts the same figures of a store by SPARQL
(``queries/site/void-*.rq``).
"""

from __future__ import annotations

import heapq
import tempfile
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path

import pyoxigraph as ox

from piao_lod.website.resource_files import parsed_quads

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RUN_TERMS = 100_000            # objects sorted in memory at once while counting the distinct ones
RUNS_MERGED_AT_ONCE = 64


@dataclass
class VoidFigures:
    """The size of the union of a dataset's graphs (each triple once), its partitions, and each graph's size."""

    triples: int = 0
    distinct_subjects: int = 0
    distinct_objects: int = 0
    properties: int = 0
    entities: int = 0                   # distinct subjects whose IRI is in the site's URI space
    classes: int = 0                    # distinct objects of rdf:type
    class_entities: dict[str, int] = field(default_factory=dict)      # class IRI -> its distinct instances
    property_triples: dict[str, int] = field(default_factory=dict)    # property IRI -> its distinct triples
    graph_triples: dict[str, int] = field(default_factory=dict)       # named graph IRI -> its triples


def dump_figures(dump: Path, uri_space: str, scratch: Path) -> VoidFigures:
    """The figures of ``dump``, an N-Quads file sorted by each quad's text (the build's ``dati/piao-lod.nq``);
    ``scratch``: a folder for the temporary files that count the distinct objects."""
    figures = VoidFigures()
    graphs: Counter[str] = Counter()
    properties: Counter[str] = Counter()
    instances: Counter[str] = Counter()
    classes: set[ox.Term] = set()
    previous_triple = previous_subject = None
    with tempfile.TemporaryDirectory(prefix=".void-", dir=scratch) as folder:
        objects = DistinctCount(Path(folder))
        for quad in parsed_quads(dump):
            if isinstance(quad.graph_name, ox.NamedNode):
                graphs[quad.graph_name.value] += 1
            triple = quad.triple
            if triple == previous_triple:
                continue
            previous_triple = triple
            figures.triples += 1
            subject, predicate, obj = triple.subject, triple.predicate, triple.object
            if subject != previous_subject:
                previous_subject = subject
                figures.distinct_subjects += 1
                if isinstance(subject, ox.NamedNode) and subject.value.startswith(uri_space):
                    figures.entities += 1
            properties[predicate.value] += 1
            if predicate == RDF_TYPE:
                classes.add(obj)
                if isinstance(obj, ox.NamedNode):
                    instances[obj.value] += 1
            objects.add(str(obj))
        figures.distinct_objects = objects.total()
    figures.properties = len(properties)
    figures.classes = len(classes)
    figures.class_entities = dict(instances)
    figures.property_triples = dict(properties)
    figures.graph_triples = dict(graphs)
    return figures


class DistinctCount:
    """How many distinct texts (each one line: terms in N-Triples syntax) were added: sorted :data:`RUN_TERMS`
    at a time into files in ``folder``, then merged, so memory holds one run."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.pending: set[str] = set()
        self.runs: list[Path] = []
        self.names = (folder / f"objects-{number}.txt" for number in count())

    def add(self, text: str) -> None:
        self.pending.add(text)
        if len(self.pending) >= RUN_TERMS:
            self.spill()

    def spill(self) -> None:
        run = next(self.names)
        run.write_bytes(b"".join(text.encode("utf-8") + b"\n" for text in sorted(self.pending)))
        self.runs.append(run)
        self.pending = set()

    def total(self) -> int:
        """The count; the runs are merged (and removed) to find it."""
        if not self.runs:
            return len(self.pending)
        if self.pending:
            self.spill()
        while len(self.runs) > RUNS_MERGED_AT_ONCE:
            merging, self.runs = self.runs[:RUNS_MERGED_AT_ONCE], self.runs[RUNS_MERGED_AT_ONCE:]
            target = next(self.names)
            with ExitStack() as files, target.open("wb") as output:
                previous = None
                for line in heapq.merge(*(files.enter_context(run.open("rb")) for run in merging)):
                    if line != previous:
                        output.write(line)
                        previous = line
            for run in merging:
                run.unlink()
            self.runs.append(target)
        with ExitStack() as files:
            distinct, previous = 0, None
            for line in heapq.merge(*(files.enter_context(run.open("rb")) for run in self.runs)):
                if line != previous:
                    distinct += 1
                    previous = line
        return distinct
