"""The ontology's documentation page (pyLODE) and its RDF beside it, byte-identical from build to build.

The ontology has blank nodes (a union domain, an anonymous inverse), whose labels rdflib draws
at random, and pyLODE walks sets of them: so the graph is canonicalised first
(``rdflib.compare.to_canonical_graph``) and pyLODE runs in a child with a fixed hash seed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph

from piao_lod.errors import BuildError
from piao_lod.resources import ontology_file
from piao_lod.website.resource_files import write_resource_files


def canonical_ontology() -> Graph:
    source = Graph().parse(data=ontology_file("piao.ttl").read_text(encoding="utf-8"), format="turtle")
    canonical = Graph()
    for prefix, namespace in source.namespaces():
        canonical.bind(prefix, namespace)
    for triple in to_canonical_graph(source):
        canonical.add(triple)
    return canonical


def as_oxigraph(term):
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)) if term.datatype else None)
    raise TypeError(term)


def write_ontology_docs(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    graph = canonical_ontology()
    write_resource_files(directory, [ox.Triple(*map(as_oxigraph, triple)) for triple in graph])
    completed = subprocess.run([sys.executable, "-m", "piao_lod.website.ontology_docs", str(directory / "index.html")],
                               capture_output=True, text=True, check=False, env={**os.environ, "PYTHONHASHSEED": "0"})
    if completed.returncode != 0:
        raise BuildError(f"pyLODE could not document the ontology: {completed.stderr.strip()[-2000:]}")


def main(output: str) -> None:
    from pylode import OntPub

    Path(output).write_text(OntPub(ontology=canonical_ontology()).make_html(), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1])
