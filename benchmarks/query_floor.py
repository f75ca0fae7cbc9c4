#!/usr/bin/env python3
"""What a saved query over the whole corpus cannot go below: reading once every triple it matches.

    .venv/bin/python benchmarks/query_floor.py STORE QUERY [QUERY ...] [--repeat N]

For each saved query (without parameters), the patterns it reads are taken from its algebra
(rdflib's parser): every predicate, each step of a property path, and each ``?x a Class``. The
*floor* is the CPU seconds Oxigraph takes to read every quad of each pattern once
(``SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s <p> ?o } }``: an index scan, no term decoded),
summed: a plan that read each of those triples exactly once and joined them for free would still
cost that. Printed
beside the query's own CPU seconds (the prepared text, as ``piao-lod query`` runs it) and the
count of every quad of the store, each the best of ``--repeat`` runs in this one process, one
Markdown row per query. The floor grows linearly with the corpus: at national size it is the floor
here × (national plans ÷ plans here). Not for CI.
"""

from __future__ import annotations

import argparse
import sys
import time

import pyoxigraph as ox
from rdflib import RDF
from rdflib.paths import MulPath, Path, SequencePath
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import URIRef

from piao_lod.saved_queries import resolve_query
from piao_lod.sparql_query import prepare

NATIONAL_PLANS = 39_480
PLAN = "https://w3id.org/piao-lod/ontology#Plan"


def patterns_read(text: str) -> set[tuple[str, str | None]]:
    """(predicate, class or None) of every triple pattern of the query's algebra."""
    found: set[tuple[str, str | None]] = set()

    def predicates(predicate) -> list[str]:
        if isinstance(predicate, SequencePath):
            return [iri for step in predicate.args for iri in predicates(step)]
        if isinstance(predicate, MulPath):
            return predicates(predicate.path)
        if isinstance(predicate, URIRef):
            return [str(predicate)]
        if isinstance(predicate, Path):
            raise SystemExit(f"unhandled property path {predicate!r}")
        return []                                   # a variable predicate: every triple (graph-sizes)

    def walk(node) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "triples":
                    for _, predicate, obj in value:
                        if predicate == RDF.type and isinstance(obj, URIRef):
                            found.add((str(RDF.type), str(obj)))
                        else:
                            found.update((iri, None) for iri in predicates(predicate))
                        if not isinstance(predicate, (URIRef, Path)):
                            found.add(("*", None))
                walk(value)
        elif isinstance(node, (list, tuple)):
            for child in node:
                walk(child)

    walk(prepareQuery(text).algebra)
    return found


def best_cpu(store: ox.Store, text: str, repeat: int) -> tuple[int, float]:
    best, rows = float("inf"), 0
    for _ in range(repeat):
        started = time.process_time()
        rows = sum(1 for _ in store.query(text, use_default_graph_as_union=True))
        best = min(best, time.process_time() - started)
    return rows, best


def counting(pattern: tuple[str, str | None]) -> str:
    predicate, cls = pattern
    triple = "?s ?p ?o" if predicate == "*" else f"?s <{predicate}> {'?o' if cls is None else f'<{cls}>'}"
    return f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ {triple} }} }}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store")
    parser.add_argument("queries", nargs="+")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    store = ox.Store.read_only(args.store)
    plans = int(next(iter(store.query(f"SELECT (COUNT(DISTINCT ?plan) AS ?n) WHERE {{ GRAPH ?g {{ ?plan a <{PLAN}> }} }}")))[0].value)
    _, every_quad = best_cpu(store, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", args.repeat)
    scale = NATIONAL_PLANS / plans
    print(f"{plans} plans (× {scale:.0f} to national); counting every quad: {every_quad:.3f} CPU s")
    print("| query | rows | query CPU s | floor CPU s (patterns) | query ÷ floor | floor × national |")
    print("|---|---:|---:|---:|---:|---:|")
    scans: dict[tuple[str, str | None], float] = {}
    for name in args.queries:
        saved = resolve_query(name)
        text, _ = prepare(saved, {})
        read = patterns_read(saved.text)
        for pattern in read - scans.keys():
            scans[pattern] = best_cpu(store, counting(pattern), args.repeat)[1]
        floor = sum(scans[pattern] for pattern in read)
        rows, seconds = best_cpu(store, text, args.repeat)
        print(f"| {name} | {rows} | {seconds:.3f} | {floor:.3f} ({len(read)}) | {seconds / floor:.1f} × | "
              f"{floor * scale:.0f} s |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
