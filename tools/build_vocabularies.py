"""Regenerate ontology/bilancio.ttl and ontology/units.ttl from their CSV sources.

- vocabularies/sources/missioni-programmi-dlgs-118-2011.csv: the budget missions and programmes of
  D.Lgs. 118/2011 (Allegato 14), as a SKOS scheme objectives of different comuni join on;
- vocabularies/units.csv: the units of measure plans write, with the QUDT unit each maps to.

Run after changing either file:
    python tools/build_vocabularies.py
The test suite checks that the committed Turtle matches this output.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from rdflib import DCTERMS, RDF, RDFS, SKOS, Graph, Literal, Namespace, URIRef

ROOT = Path(__file__).resolve().parents[1]
BUDGET_SOURCE = ROOT / "vocabularies" / "sources" / "missioni-programmi-dlgs-118-2011.csv"
BUDGET_TARGET = ROOT / "ontology" / "bilancio.ttl"
UNITS_SOURCE = ROOT / "vocabularies" / "units.csv"
UNITS_TARGET = ROOT / "ontology" / "units.ttl"
BILANCIO = Namespace("https://w3id.org/piao-lod/bilancio/")
BUDGET_SCHEME = BILANCIO["scheme"]
QUDT = Namespace("http://qudt.org/schema/qudt/")
UNITS_GRAPH = URIRef("https://w3id.org/piao-lod/units")


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def build_budget_scheme(source: Path) -> Graph:
    graph = Graph()
    for prefix, namespace in (("skos", SKOS), ("dcterms", DCTERMS), ("bilancio", BILANCIO)):
        graph.bind(prefix, namespace)
    graph.add((BUDGET_SCHEME, RDF.type, SKOS.ConceptScheme))
    graph.add((BUDGET_SCHEME, SKOS.prefLabel, Literal("Missioni e programmi del bilancio (D.Lgs. 118/2011)", lang="it")))
    graph.add((BUDGET_SCHEME, SKOS.prefLabel, Literal("Budget missions and programmes (Legislative Decree 118/2011)", lang="en")))
    graph.add((BUDGET_SCHEME, DCTERMS.source, Literal("D.Lgs. 23 giugno 2011, n. 118, Allegato 14 "
                                                      "(Elenco delle missioni e dei programmi)", lang="it")))
    graph.add((BUDGET_SCHEME, SKOS.definition, Literal(
        "La classificazione della spesa degli enti territoriali per missioni (funzioni principali e obiettivi "
        "strategici) e programmi (aggregati omogenei di attività) dell'armonizzazione contabile.", lang="it")))
    graph.add((BUDGET_SCHEME, SKOS.definition, Literal(
        "The classification of the spending of Italian local and regional authorities by mission (main functions "
        "and strategic aims) and programme (homogeneous groups of activities) of the harmonised accounts.", lang="en")))
    for row in read_csv(source):
        mission, programme, name = row["missione"], row["programma"], " ".join(row["nome"].split())
        if programme:
            node, notation = BILANCIO[f"programma/{mission}.{programme}"], f"{mission}.{programme}"
            broader = BILANCIO[f"missione/{mission}"]
            graph.add((node, SKOS.broader, broader))
            graph.add((broader, SKOS.narrower, node))
            graph.add((node, RDF.type, SKOS.Concept))
            graph.add((node, DCTERMS.type, Literal("programma", lang="it")))
            graph.add((node, SKOS.altLabel, Literal(f"Programma {programme} - {name}", lang="it")))
        else:
            node, notation = BILANCIO[f"missione/{mission}"], mission
            graph.add((node, RDF.type, SKOS.Concept))
            graph.add((node, SKOS.topConceptOf, BUDGET_SCHEME))
            graph.add((BUDGET_SCHEME, SKOS.hasTopConcept, node))
            graph.add((node, DCTERMS.type, Literal("missione", lang="it")))
            graph.add((node, SKOS.altLabel, Literal(f"Missione {mission} - {name}", lang="it")))
        graph.add((node, SKOS.inScheme, BUDGET_SCHEME))
        graph.add((node, SKOS.notation, Literal(notation)))
        graph.add((node, SKOS.prefLabel, Literal(name, lang="it")))
        if row["note"]:
            graph.add((node, SKOS.scopeNote, Literal(row["note"], lang="it")))
    return graph


def build_units(source: Path) -> Graph:
    graph = Graph()
    for prefix, namespace in (("qudt", QUDT), ("unit", Namespace("http://qudt.org/vocab/unit/")), ("rdfs", RDFS)):
        graph.bind(prefix, namespace)
    for row in read_csv(source):
        if not row["iri"]:
            continue
        node = URIRef(row["iri"])
        graph.add((node, RDF.type, QUDT.Unit))
        graph.add((node, RDFS.label, Literal(row["it"], lang="it")))
        graph.add((node, RDFS.label, Literal(row["en"], lang="en")))
        graph.add((node, QUDT.symbol, Literal(row["symbol"])))
    return graph


def main() -> int:
    build_budget_scheme(BUDGET_SOURCE).serialize(BUDGET_TARGET, format="turtle")
    build_units(UNITS_SOURCE).serialize(UNITS_TARGET, format="turtle")
    print(f"wrote {BUDGET_TARGET.relative_to(ROOT)} and {UNITS_TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
