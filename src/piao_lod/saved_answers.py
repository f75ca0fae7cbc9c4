"""The answers of the saved queries over the whole store, computed when the store is written and kept in it.

A saved query whose parameters are all optional, run without any, reads every plan: minutes on the national
corpus however it is written (``benchmarks/RESULTS-national.md``, "the floor"). So ``load`` computes those
answers once, into the new store's directory (``DIR/piao-lod-answers/``) before it is swapped in, and
``query NAME --store DIR`` without ``--param``, and the server's saved-query pages, read them from there.

- A query with an optional ``ente`` parameter ("without it, every ente") has for answer the union of its answers
  for each ente. It is kept **by ente**: one part per ente, run with ``ente=E`` (which reads only that ente's
  plans), and a load runs it again only for the enti whose graphs it wrote (before or after the load); the whole
  answer is the parts merged in the query's ``ORDER BY`` order, each key computed as the query computes it.
  That needs an ``ORDER BY`` of keys :data:`ORDER_KEY` reads, and no ``LIMIT`` / ``OFFSET``.
- The others (``graph-sizes``) are kept **whole**, run again by every load. A query whose header says
  ``# kept: no`` is not kept: ``shared-pnrr-measures``, whose answer without parameters is every pair of enti on a
  measure (275,000 rows at 250 plans, 7 s to compute; it grows with the square of the corpus).

The answers are SPARQL results in TSV (terms as written in N-Triples, so every term comes back as it was), and a
manifest written last records what they belong to: the package version, each query's text, the reference graphs,
and the store's own files as they are once it is closed (names and sizes). A manifest that does not match, a
file of another size, a store written since by anything else: the query is run instead, never a stale answer.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import os
import re
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote

import pyoxigraph as ox

from piao_lod import __version__
from piao_lod.query_parameters import bind_parameters, tokens
from piao_lod.saved_queries import SparqlQuery, saved_queries
from piao_lod.store_directory import ANSWERS_DIR

MANIFEST = "manifest.json"
LAYOUT = 1                  # of the answers' folder and manifest: another one is not read
PARTS = "parts"
MERGE_FAN_IN = 64           # parts merged at once: two open files each, far below the usual limit of 1,024
TSV = ox.QueryResultsFormat.TSV
STORE_FILES_LEFT_OUT = ("LOCK", "LOG")      # what changes without the store changing (its lock, its logs)
XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = ox.NamedNode(f"{XSD}string")
INTEGER_TYPES = {f"{XSD}{name}" for name in (
    "integer", "decimal", "long", "int", "short", "byte", "nonNegativeInteger", "positiveInteger",
    "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte")}
DECIMAL_LEXICAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\Z")
# The keys an ORDER BY of the saved queries is made of: the text of a value, or its value as a decimal.
ORDER_KEY = re.compile(r'\s*\(\s*COALESCE\s*\(\s*(?:(?P<text>STR)|(?P<number>xsd:decimal))\s*\(\s*\?(?P<variable>\w+)\s*\)'
                       r'\s*,\s*(?:""|(?P<fallback>-?[0-9.]+(?:[eE][+-]?[0-9]+)?))\s*\)\s*\)')
ENTI = """PREFIX piao: <https://w3id.org/piao-lod/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT DISTINCT ?graph ?ente WHERE { GRAPH ?graph { ?plan piao:ente/dcterms:identifier ?ente } }"""

SortKey = list[tuple[str, str, Decimal | None]]     # (kind, variable, fallback) of each ORDER BY key


def order_keys(query: SparqlQuery) -> SortKey | None:
    """The query's ORDER BY keys, or None when it has none, has one this module cannot compute, or limits rows."""
    words = [text.upper() for kind, text, _ in tokens(query.text) if kind == "word"]
    if "LIMIT" in words or "OFFSET" in words:
        return None
    body = "\n".join(line for line in query.text.splitlines() if not line.lstrip().startswith("#"))
    found = re.search(r"\bORDER\s+BY\b", body, re.IGNORECASE)
    if found is None:
        return None
    keys, rest = [], body[found.end():]
    while rest.strip():
        match = ORDER_KEY.match(rest)
        if match is None:
            return None
        kind = "text" if match["text"] else "number"
        fallback = Decimal(float(match["fallback"])) if match["fallback"] else None
        keys.append((kind, match["variable"], fallback))
        rest = rest[match.end():]
    return keys or None


def kept_by_ente(query: SparqlQuery) -> bool:
    return any(parameter.name == "ente" for parameter in query.parameters) and order_keys(query) is not None


def kept_queries() -> list[SparqlQuery]:
    """The saved queries whose answers a store keeps: those whose every parameter is optional, but those whose header
    says ``# kept: no``."""
    return [query for query in saved_queries()
            if query.kept and all(parameter.optional for parameter in query.parameters)]


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@cache
def reference_digest() -> str:
    from piao_lod.graph_inputs import REFERENCE_GRAPHS, reference_graph_bytes
    return digest(b"".join(reference_graph_bytes(name) for name in REFERENCE_GRAPHS.values()))


def store_state(directory: Path) -> list[list]:
    """The store's own files, names and sizes: a load, or any program opening it for writing, changes them."""
    return sorted([entry.name, entry.stat().st_size] for entry in os.scandir(directory)
                  if entry.name != ANSWERS_DIR and not entry.name.startswith(STORE_FILES_LEFT_OUT))


def run(store: ox.Store, query: SparqlQuery, parameters: Mapping[str, str], target: Path) -> None:
    answer = store.query(bind_parameters(query, parameters), use_default_graph_as_union=True)
    with open(target, "wb") as handle:
        answer.serialize(handle, TSV)


def part_name(ente: str) -> str:
    return quote(ente, safe="") + ".tsv"


class AnswerWriter:
    """Writes the answers of a store being loaded into its directory, reusing the previous store's parts."""

    def __init__(self, store: Path, staging: Path):
        self.previous = read_manifest(store)
        self.target = staging / ANSWERS_DIR

    def write(self, store: ox.Store, written: list) -> None:
        """Every kept answer of ``store`` (filled, still open); ``written`` are the graphs this load wrote."""
        graphs: dict[str, list[str]] = {}
        by_ente = True              # every ente's code a plain string, as a parameter's value is bound
        for row in store.query(ENTI):
            graphs.setdefault(str(row["graph"]), []).append(row["ente"].value)
            by_ente = by_ente and isinstance(row["ente"], ox.Literal) and row["ente"].datatype == XSD_STRING \
                and not row["ente"].language
        enti = sorted({ente for held in graphs.values() for ente in held})
        before = self.previous["graphs"] if self.previous else {}
        changed: set[str] | None = set()
        for graph in written:
            held = [*graphs.get(str(graph), []), *before.get(str(graph), [])]
            if not held:
                changed = None          # a graph of no ente: what it changes is not known, so every ente
                break
            changed.update(held)
        shutil.rmtree(self.target, ignore_errors=True)
        (self.target / PARTS).mkdir(parents=True)
        queries = {}
        for query in kept_queries():
            entry = {"text": digest(query.text.encode()), "file": f"{query.name}.tsv"}
            whole = self.target / entry["file"]
            if by_ente and kept_by_ente(query):
                folder = self.target / PARTS / query.name
                folder.mkdir()
                reusable, entry["parts"] = self.reusable(query, entry), {}
                for ente in enti:
                    part = folder / part_name(ente)
                    if reusable is None or changed is None or ente in changed or not linked(*reusable, ente, part):
                        run(store, query, {"ente": ente}, part)
                    entry["parts"][ente] = part.stat().st_size
                if enti:
                    merge([folder / part_name(ente) for ente in enti], order_keys(query), whole)
                else:
                    run(store, query, {}, whole)
            else:
                run(store, query, {}, whole)
            entry["size"], entry["rows"] = whole.stat().st_size, row_count(whole)
            queries[query.name] = entry
        self.manifest = {"layout": LAYOUT, "version": __version__, "reference": reference_digest(), "graphs": graphs,
                         "queries": queries}

    def reusable(self, query: SparqlQuery, entry: dict) -> tuple[Path, dict] | None:
        """The folder of the previous store's parts of ``query`` and their sizes, if the same text made them."""
        if not self.previous:
            return None
        before = self.previous["queries"].get(query.name, {})
        if before.get("text") != entry["text"] or not isinstance(before.get("parts"), dict):
            return None
        return self.previous["directory"] / PARTS / query.name, before["parts"]

    def seal(self, staging: Path) -> None:
        """Once the new store is closed: the manifest, that ties the answers to its files as they are now."""
        self.manifest["store"] = store_state(staging)
        temporary = self.target / f"{MANIFEST}.tmp"
        temporary.write_text(json.dumps(self.manifest), encoding="utf-8")
        os.replace(temporary, self.target / MANIFEST)


def answers_beside(store: ox.Store, graphs: list, directory: Path) -> Path:
    """Every kept answer of ``store`` (the build's, which no load wrote), computed ente by ente into its ``directory``
    as ``load`` keeps them, and tied to its files by the manifest; returns what :func:`kept_answer` reads them from.
    A saved query run over the whole corpus holds its evaluation in memory (``targets-by-unit``: 42 MB at 90 plans,
    growing with them); one ente at a time does not."""
    writer = AnswerWriter(directory, directory)
    writer.write(store, graphs)
    writer.seal(directory)
    return directory


def linked(folder: Path, sizes: dict, ente: str, target: Path) -> bool:
    """The previous store's part of ``ente`` hard-linked into the new one's; False if it is not there as it was made."""
    source = folder / part_name(ente)
    try:
        if source.stat().st_size != sizes.get(ente):
            return False
        os.link(source, target)
    except FileNotFoundError:
        return False
    return True


def read_manifest(directory: Path) -> dict | None:
    """The manifest of the answers kept in the store ``directory``, if they are those of this store as it is, made
    by this version with these reference graphs; None otherwise."""
    try:
        manifest = json.loads((directory / ANSWERS_DIR / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or manifest.get("layout") != LAYOUT or manifest.get("version") != __version__ \
            or manifest.get("store") != store_state(directory) or manifest.get("reference") != reference_digest() \
            or not isinstance(manifest.get("queries"), dict) or not isinstance(manifest.get("graphs"), dict):
        return None
    manifest["directory"] = directory / ANSWERS_DIR
    return manifest


def row_count(path: Path) -> int:
    """Rows of a TSV answer: its lines but the header (TSV escapes line breaks in terms)."""
    lines = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            lines += chunk.count(b"\n")
    return lines - 1


@dataclass(frozen=True)
class KeptAnswer:
    """The answer a store keeps of a saved query: a TSV file that Oxigraph wrote, and how many rows it has."""

    path: Path
    rows: int

    def solutions(self) -> ox.QuerySolutions:
        return ox.parse_query_results(path=str(self.path), format=TSV)

    def write_tsv(self, output: BinaryIO) -> None:
        """The answer in TSV: the file itself, what Oxigraph writes of these rows, copied a block at a time."""
        with self.path.open("rb") as kept:
            shutil.copyfileobj(kept, output)


def kept_answer(directory: Path | str | None, query: SparqlQuery,
                parameters: Mapping[str, str] | None = None) -> KeptAnswer | None:
    """The kept answer of the saved ``query`` run without parameters on the store ``directory`` (the path it was
    pinned through), or None when there is none that holds: then the query is to be run."""
    if directory is None or parameters or query.name is None or query.name not in kept_names():
        return None
    manifest = read_manifest(Path(directory))
    entry = manifest["queries"].get(query.name) if manifest else None
    if entry is None or entry.get("text") != digest(query.text.encode()):
        return None
    try:
        path = manifest["directory"] / entry["file"]
        if path.stat().st_size != entry["size"]:
            return None
        return KeptAnswer(path, int(entry["rows"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def kept_names() -> set[str]:
    return {query.name for query in kept_queries()}


def merge(parts: list[Path], keys: SortKey, target: Path) -> None:
    """The parts' rows in one TSV, in the order of ``keys`` (each part is already in that order): the parts one
    after the other when the first key is the ente's text (each part holds one ente, the parts in ente order).
    Otherwise at most :data:`MERGE_FAN_IN` parts are merged at once, into files merged in turn: one part an ente
    open at once was 15,800 open files at national size, past the usual limit of 1,024 (``Too many open files``).
    Equal keys keep the parts' order at every level, so the answer is the one a single merge gives."""
    if keys[0][:2] == ("text", "ente"):
        with open(target, "wb") as out:
            for number, part in enumerate(parts):
                with open(part, "rb") as handle:
                    header = handle.readline()
                    if number == 0:
                        out.write(header)
                    shutil.copyfileobj(handle, out)
        return
    made: list[Path] = []
    while len(parts) > MERGE_FAN_IN:
        groups = [parts[start:start + MERGE_FAN_IN] for start in range(0, len(parts), MERGE_FAN_IN)]
        parts = [target.with_name(f"{target.stem}.merging-{len(made) + number}.tsv") for number in range(len(groups))]
        for group, merged in zip(groups, parts):
            merge_sorted(group, keys, merged)
        made += parts
    merge_sorted(parts, keys, target)
    for merged in made:
        merged.unlink()


def merge_sorted(parts: list[Path], keys: SortKey, target: Path) -> None:
    with open(target, "wb") as out:
        with open(parts[0], "rb") as first:
            out.write(first.readline())
        for _, line in heapq.merge(*(keyed_rows(part, keys) for part in parts), key=lambda item: item[0]):
            out.write(line)


def keyed_rows(part: Path, keys: SortKey) -> Iterator[tuple[tuple, bytes]]:
    """(sort key, TSV line) of each row of a part: one row a line, as TSV escapes line breaks in terms."""
    solutions = ox.parse_query_results(path=str(part), format=TSV)
    with open(part, "rb") as handle:
        handle.readline()
        for solution, line in zip(solutions, handle):
            yield tuple(key_value(solution[variable], kind, fallback) for kind, variable, fallback in keys), line


def key_value(term, kind: str, fallback: Decimal | None):
    """``COALESCE(STR(?v), "")`` or ``COALESCE(xsd:decimal(?v), fallback)``, as SPARQL computes it."""
    if kind == "text":
        return term.value if isinstance(term, (ox.NamedNode, ox.Literal)) else ""
    number = as_decimal(term)
    return fallback if number is None else number


def as_decimal(term) -> Decimal | None:
    """``xsd:decimal(term)``: a number, a boolean, or a string of a decimal's form; None where the cast fails."""
    if not isinstance(term, ox.Literal) or term.language:
        return None
    datatype, text = term.datatype.value, term.value.strip()
    try:
        if datatype in INTEGER_TYPES or datatype in (f"{XSD}double", f"{XSD}float"):
            number = Decimal(text)
            return number if number.is_finite() else None
        if datatype == f"{XSD}boolean":
            return Decimal(1 if text in ("true", "1") else 0)
        if datatype == f"{XSD}string" and DECIMAL_LEXICAL.match(text):
            return Decimal(text)
    except InvalidOperation:
        return None
    return None
