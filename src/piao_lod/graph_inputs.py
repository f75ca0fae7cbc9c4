"""Load inputs that may be RDF files or plan tables into one Oxigraph store.

Commands that work on graphs (``validate``, later ``load``, ``query``, ``build``)
accept both: RDF is loaded as is, plan tables are converted on the way in and
their reading problems are kept for the report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from piao_lod.conversion import Conversion, convert_sources
from piao_lod.converters import check_readable
from piao_lod.errors import SourceError
from piao_lod.iris import PlanIris
from piao_lod.plan_graph import plan_to_graph

RDF_SUFFIXES = {
    ".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES, ".trig": ox.RdfFormat.TRIG,
    ".nq": ox.RdfFormat.N_QUADS, ".jsonld": ox.RdfFormat.JSON_LD, ".rdf": ox.RdfFormat.RDF_XML,
}


@dataclass
class LoadedInputs:
    store: ox.Store
    conversion: Conversion


def is_rdf(path: Path) -> bool:
    return path.suffix.lower() in RDF_SUFFIXES


def load_rdf_file(store: ox.Store, path: Path) -> None:
    check_readable(path)
    try:
        store.load(path=str(path), format=RDF_SUFFIXES[path.suffix.lower()])
    except SyntaxError as error:
        raise SourceError(f"not valid RDF: {error}", str(path)) from None
    except (OSError, ValueError) as error:
        raise SourceError(f"cannot read RDF ({error})", str(path)) from None


def load_inputs(paths: Sequence[Path], base: str, ente: str | None = None, year: int | None = None,
                source_format: str | None = None, store: ox.Store | None = None) -> LoadedInputs:
    """RDF files go straight into the store; plan tables are converted, one named graph per plan."""
    store = ox.Store() if store is None else store
    tables = [path for path in paths if not is_rdf(path)]
    conversion = convert_sources(tables, ente=ente, year=year, source_format=source_format) if tables else Conversion()
    for path in paths:
        if is_rdf(path):
            try:
                load_rdf_file(store, path)
            except SourceError as error:
                conversion.unusable.append(error)
    for plan in conversion.plans:
        name = ox.NamedNode(str(PlanIris(base, plan.ente.ipa_code, plan.year).plan))
        data = plan_to_graph(plan, base).serialize(format="nt", encoding="utf-8")
        store.load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=name)
    return LoadedInputs(store, conversion)
