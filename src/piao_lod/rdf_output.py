"""Serialise plans as RDF, byte-identical for the same input."""

from __future__ import annotations

import gc
import json
from collections.abc import Sequence
from contextlib import contextmanager
from pathlib import Path

from rdflib import Graph
from rdflib.plugins.stores.memory import SimpleMemory

from piao_lod.errors import UsageError
from piao_lod.namespaces import PREFIXES
from piao_lod.plan_graph import plan_to_graph, plans_to_dataset
from piao_lod.records import Plan

RDFLIB_FORMATS = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "trig": "trig", "nq": "nquads"}
SUFFIX_FORMATS = {".ttl": "ttl", ".nt": "nt", ".jsonld": "jsonld", ".json": "jsonld", ".trig": "trig", ".nq": "nq"}
DATASET_FORMATS = {"trig", "nq"}
LINE_FORMATS = {"nt", "nq"}


def output_format(declared: str | None, output: str) -> str:
    if declared:
        if declared not in RDFLIB_FORMATS:
            raise UsageError(f"unknown --format {declared!r}; use one of {', '.join(RDFLIB_FORMATS)}")
        return declared
    if output != "-":
        suffix = Path(output).suffix.lower()
        if suffix in SUFFIX_FORMATS:
            return SUFFIX_FORMATS[suffix]
    return "ttl"


@contextmanager
def no_cyclic_gc():
    """Pause the cyclic garbage collector while a graph is built and serialised.

    A big graph is millions of objects that form no reference cycles (refcounting frees them),
    but every full collection walks all of them, so collection time per triple grows with the
    graph: about 8% of building and serialising 100 thousand triples, 15% of 1 million
    (benchmarks/RESULTS.md). Pausing it keeps the cost per triple flat.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def serialize_plans(plans: Sequence[Plan], base: str, fmt: str) -> bytes:
    """Turtle, N-Triples and JSON-LD hold the union of the plans; TriG and N-Quads a graph per plan."""
    with no_cyclic_gc():
        return _serialize_plans(plans, base, fmt)


def _serialize_plans(plans: Sequence[Plan], base: str, fmt: str) -> bytes:
    if fmt in DATASET_FORMATS:
        data = plans_to_dataset(plans, base)
    else:
        # A triples-only store: rdflib's default context-aware Memory store keeps per-triple context
        # bookkeeping that doubles the cost of every add and grows super-linearly with the graph
        # (benchmarks/RESULTS.md); the union of the plans needs no contexts.
        data = Graph(store=SimpleMemory())
        for plan in plans:
            plan_to_graph(plan, base, data)
    if fmt == "jsonld":
        return stable_json_ld(data)
    text = data.serialize(format=RDFLIB_FORMATS[fmt], encoding="utf-8")
    if fmt in LINE_FORMATS:
        lines = sorted(set(line for line in text.split(b"\n") if line.strip()))
        text = b"\n".join(lines) + b"\n"
    return text


def stable_json_ld(graph: Graph) -> bytes:
    """Compact JSON-LD with nodes and values in a fixed order (rdflib orders them by hash)."""
    context = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
    document = json.loads(graph.serialize(format="json-ld", context=context, auto_compact=True))
    return (json.dumps(sorted_json(document), ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def sorted_json(value):
    if isinstance(value, dict):
        return {key: sorted_json(item) for key, item in value.items()}
    if isinstance(value, list):
        items = [sorted_json(item) for item in value]
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True, ensure_ascii=False))
    return value
