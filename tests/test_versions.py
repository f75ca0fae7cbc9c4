"""Plan versions: an update and the plan it updates coexist, are ordered, and `piao-lod diff` says what changed.

The versions are made from the bundled example: the "original" is the example with its update words
removed and an adopting act added; the "update" is the example with its own act and four changes (a
lowered target, a removed objective, an objective moved to another settore, a renamed objective).
"""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF

from conftest import EXAMPLE
from piao_lod.embedded_store import open_store_for_reading
from piao_lod.sparql_query import query_store, run_query
from piao_lod.saved_queries import parse_query, saved_query

PLAN = "https://w3id.org/piao-lod/id/c_d150/piano/2024"
ORIGINAL = f"{PLAN}/versione/versione-2024-01-31-n12"
UPDATE = f"{PLAN}/versione/aggiornamento-2024-07-15-n145"
PIAO = Namespace("https://w3id.org/piao-lod/ontology#")
CS = Namespace("http://purl.org/vocab/changeset/schema#")

LOWERED = ("3.1.4_0003", 28, "20", "10")          # objective, line of its indicator 774, target before, after
REMOVED = ("979_0003", 79)
MOVED = ("979_0004", 80, 94)                       # moved under 978_0004, in the settore Gare, Partecipate, PNRR
RENAMED = ("978_0003", 93, "Condivisione delle procedure di gara con le società partecipate")


def example_lines() -> list[str]:
    return EXAMPLE.read_text(encoding="utf-8").split("\n")


def with_cell(line: str, column: int, value: str) -> str:
    cells = line.split("\t")
    cells[column] = value
    return "\t".join(cells)


def original_text() -> str:
    lines = example_lines()
    lines = [line.replace("(in aggiornamento)", "").replace("AGGIORNAMENTO PIANO", "PIANO") for line in lines]
    heading = lines.index("PIANO DEGLI OBIETTIVI 2024")
    lines[heading + 1:heading + 1] = ["Approvato con deliberazione della Giunta comunale n. 12 del 31/01/2024"]
    return "\n".join(lines)


def update_text(act: str = "Deliberazione della Giunta comunale n. 145 del 15/07/2024") -> str:
    """The example with the four changes; line numbers are the example's until the act line is added."""
    lines = example_lines()
    _, line, before, after = LOWERED
    assert lines[line - 1].split("\t")[4] == "774" and lines[line - 1].split("\t")[8] == before
    lines[line - 1] = with_cell(lines[line - 1], 8, after)
    objective, line, title = RENAMED
    assert f"\t{objective}\t" in lines[line - 1]
    lines[line - 1] = with_cell(lines[line - 1], 2, title)
    objective, line, after_line = MOVED
    moved = lines[line - 1]
    assert f"\t{objective}\t" in moved
    removed_objective, removed_line = REMOVED
    assert f"\t{removed_objective}\t" in lines[removed_line - 1]
    keep = [text for number, text in enumerate(lines, 1) if number not in (line, removed_line)]
    target = keep.index(lines[after_line - 1])
    keep.insert(target + 1, moved)
    heading = keep.index("AGGIORNAMENTO PIANO DEGLI OBIETTIVI 2024")
    keep[heading + 1:heading + 1] = [act]
    return "\n".join(keep)


@pytest.fixture(scope="module")
def versions(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("versions")
    original, update = folder / "piano-2024.txt", folder / "aggiornamento-2024.txt"
    original.write_text(original_text(), encoding="utf-8")
    update.write_text(update_text(), encoding="utf-8")
    return original, update


@pytest.fixture(scope="module")
def store(versions, tmp_path_factory) -> Path:
    """The update loaded first, then the original: the order of the adoption dates wins over the order loaded."""
    from typer.testing import CliRunner

    from piao_lod.cli import app

    path = tmp_path_factory.mktemp("store") / "store"
    original, update = versions
    for source in (update, original):
        result = CliRunner().invoke(app, ["load", str(source), "--store", str(path)])
        assert result.exit_code == 1, result.output          # the example's own data problems
    return path


def select(store_path: Path, query, **parameters) -> list[dict[str, str]]:
    """The rows of a SELECT (query text, or a saved query with its parameters), each as variable -> value."""
    store_ = open_store_for_reading(store_path)
    answer = query_store(store_, query) if isinstance(query, str) else run_query(query, parameters, store=store_)
    names = [variable.value for variable in answer.variables]
    return [{name: row[name].value for name in names if row[name] is not None} for row in answer]


def run_diff(run_cli, *arguments):
    return run_cli("diff", *map(str, arguments))


def test_both_versions_are_kept_with_their_dates_and_acts(store):
    rows = select(store, saved_query("plan-counts"))
    assert [(row["version"], row["objectives"]) for row in rows] == [
        ("aggiornamento-2024-07-15-n145", "36"), ("versione-2024-01-31-n12", "37")]
    store_ = open_store_for_reading(store)
    update, original = ox.NamedNode(UPDATE), ox.NamedNode(ORIGINAL)
    issued = ox.NamedNode("http://purl.org/dc/terms/issued")
    assert [q.object.value for q in store_.quads_for_pattern(update, issued, None, update)] == ["2024-07-15"]
    assert [q.object.value for q in store_.quads_for_pattern(original, issued, None, original)] == ["2024-01-31"]
    act = next(store_.quads_for_pattern(update, ox.NamedNode(str(PIAO.adoptingAct)), None, update)).object.value
    assert act == "Deliberazione della Giunta comunale n. 145 del 15/07/2024"


def test_the_plan_points_to_its_latest_version_whatever_the_load_order(store):
    store_ = open_store_for_reading(store)
    plan = ox.NamedNode(PLAN)
    latest = [q.object.value for q in store_.quads_for_pattern(plan, ox.NamedNode(str(PIAO.latestVersion)), None, plan)]
    assert latest == [UPDATE]
    revision = ox.NamedNode("http://www.w3.org/ns/prov#wasRevisionOf")
    assert [(q.subject.value, q.object.value) for q in store_.quads_for_pattern(None, revision, None, plan)] == [(UPDATE, ORIGINAL)]
    has_version = ox.NamedNode("http://purl.org/dc/terms/hasVersion")
    assert sorted(q.object.value for q in store_.quads_for_pattern(plan, has_version, None, plan)) == [UPDATE, ORIGINAL]


def test_loading_the_same_document_again_replaces_its_version(store, versions, run_cli):
    before = select(store, saved_query("graph-sizes"))
    result = run_cli("load", str(versions[1]), "--store", str(store))
    assert result.exit_code == 1, result.stderr
    assert select(store, saved_query("graph-sizes")) == before


def test_undated_documents_are_versions_in_the_order_loaded(tmp_path, run_cli):
    header = "Ente;Anno;Settore;Dirigente;Codice Obiettivo;Titolo Obiettivo;Codice Ind;Titolo Indicatore;Target Atteso;Peso"
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    row = "c_d150;2025;Settore Uno;Rossi Maria;1_1;Obiettivo;1;Pratiche evase;{target};100"
    first.write_text(f"{header}\n{row.format(target=10)}\n", encoding="utf-8")
    second.write_text(f"{header}\n{row.format(target=8)}\n", encoding="utf-8")
    path = tmp_path / "store"
    for source in (second, first, second):       # b, then a (newer), then b again: replaced, keeps its place
        assert run_cli("load", str(source), "--store", str(path)).exit_code == 0
    rows = select(path, "PREFIX piao: <https://w3id.org/piao-lod/ontology#> SELECT ?version ?order WHERE { "
                        "GRAPH ?plan { ?plan piao:latestVersion ?latest . ?version piao:versionOrder ?order } "
                        "GRAPH ?latest { ?latest piao:versionKey ?latestKey } } ORDER BY ?order")
    assert len(rows) == 2 and [row["order"] for row in rows] == ["1", "2"]
    first_key = select(path, "PREFIX piao: <https://w3id.org/piao-lod/ontology#> SELECT ?latest WHERE { "
                             "GRAPH ?plan { ?plan piao:latestVersion ?latest } }")
    changes = run_cli("diff", str(second), str(first), "--format", "json")
    assert changes.exit_code == 1
    assert json.loads(changes.stdout)["new"]["version"] == first_key[0]["latest"]


def test_diff_names_every_change_with_both_values_and_lines(versions, run_cli):
    result = run_diff(run_cli, *versions, "--lang", "en")
    assert result.exit_code == 1, result.stderr
    text = result.stdout
    objective, line, before, after = LOWERED
    assert f"objective {objective}, indicator 774: target 2024 {before} → {after} (before: line {line + 1}; now: line {line + 1})" in text
    assert f"objective {REMOVED[0]} removed (before: line {REMOVED[1] + 1})" in text
    assert (f"objective {MOVED[0]} moved to another settore: Settore Economico Finanziario → "
            f"Settore Gare, Partecipate, PNRR (before: line {MOVED[1] + 1}; now: line {MOVED[2]})") in text
    assert f"objective {MOVED[0]} moved to another dirigente: MONTEVERDI FEDERICA → GOZZETTI CORRADO" in text
    assert f"objective {RENAMED[0]} renamed: “Avvio processo di condivisione" in text and RENAMED[2] in text
    assert "objective 1.3.2_0003" not in text                  # unchanged objectives are not listed


def test_diff_in_italian_by_default(versions, run_cli):
    result = run_diff(run_cli, *versions)
    assert result.exit_code == 1
    assert f"obiettivo {REMOVED[0]} eliminato" in result.stdout


def test_diff_json_and_changeset_agree(versions, run_cli):
    as_json = json.loads(run_diff(run_cli, *versions, "--format", "json").stdout)
    kinds = sorted(change["kind"] for change in as_json["changes"])
    assert {"target-changed", "objective-removed", "objective-moved-settore", "objective-renamed"} <= set(kinds)
    lowered = next(change for change in as_json["changes"] if change["kind"] == "target-changed"
                   and change["objective"] == LOWERED[0])
    assert (lowered["before"], lowered["after"], lowered["year"]) == (LOWERED[2], LOWERED[3], 2024)
    turtle = run_diff(run_cli, *versions, "--format", "ttl")
    assert turtle.exit_code == 1
    graph = Graph().parse(data=turtle.stdout, format="turtle")
    changesets = list(graph.subjects(RDF.type, CS.ChangeSet))
    assert len(changesets) == 1
    changes = list(graph.subjects(RDF.type, PIAO.PlanChange))
    assert len(changes) == len(as_json["changes"])
    assert graph.value(changesets[0], CS.subjectOfChange) is not None


def test_a_plan_compared_with_itself_is_the_same(versions, run_cli):
    result = run_diff(run_cli, versions[0], versions[0])
    assert result.exit_code == 0, result.stdout
    assert run_diff(run_cli, versions[0], versions[0], "--format", "json").stdout.count('"kind"') == 0


def test_unusable_side_exits_2(versions, tmp_path, run_cli):
    result = run_diff(run_cli, versions[0], tmp_path / "missing.csv")
    assert result.exit_code == 2 and "missing.csv" in result.stderr and "Traceback" not in result.stderr
    result = run_diff(run_cli, versions[0], UPDATE)
    assert result.exit_code == 2 and "--store" in result.stderr


def test_diff_between_versions_in_a_store_by_iri(store, versions, run_cli):
    from_files = json.loads(run_diff(run_cli, *versions, "--format", "json").stdout)
    from_store = json.loads(run_diff(run_cli, ORIGINAL, UPDATE, "--store", store, "--format", "json").stdout)
    def essentials(answer):
        return sorted((c["kind"], c["objective"], c.get("before"), c.get("after")) for c in answer["changes"])
    assert essentials(from_store) == essentials(from_files)
    latest = json.loads(run_diff(run_cli, ORIGINAL, PLAN, "--store", store, "--format", "json").stdout)
    assert latest["new"]["version"] == UPDATE and essentials(latest) == essentials(from_files)


def test_saved_query_targets_changed_between_versions(store):
    rows = select(store, saved_query("targets-changed"), ente="c_d150")
    lowered = [row for row in rows if row["objective"] == LOWERED[0] and row["indicator"] == "774"]
    assert [(row["oldTarget"], row["newTarget"], row["oldVersion"], row["newVersion"]) for row in lowered] == [
        (LOWERED[2], LOWERED[3], "versione-2024-01-31-n12", "aggiornamento-2024-07-15-n145")]
    assert all(row["oldTarget"] != row.get("newTarget") for row in rows)
    removed = [row for row in rows if row["objective"] == REMOVED[0]]
    assert removed and all("newTarget" not in row for row in removed)


def test_targets_changed_gives_the_rows_it_gave_before_its_rewrite(versions, tmp_path, run_cli):
    """The rewrite that looks a given ente up (queries/targets-changed.rq) against the old text
    (tests/data/queries/before-rewrite/): three versions, the third bringing back the objective the second
    removed, so a pair's old values must come from the version that pair revises."""
    lines = update_text("Deliberazione della Giunta comunale n. 200 del 01/10/2024").split("\n")
    removed = example_lines()[REMOVED[1] - 1]
    lines.insert(lines.index(example_lines()[REMOVED[1]]), removed)
    third = tmp_path / "secondo-aggiornamento-2024.txt"
    third.write_text("\n".join(lines), encoding="utf-8")
    path = tmp_path / "store"
    assert run_cli("load", *map(str, versions), str(third), "--store", str(path)).exit_code == 1
    before = (Path(__file__).parent / "data" / "queries" / "before-rewrite" / "targets-changed.rq").read_text(encoding="utf-8")
    answers = {}
    for ente in (None, "c_d150", "x_000000"):
        parameters = {"ente": ente} if ente else {}
        answers[ente] = select(path, saved_query("targets-changed"), **parameters)
        assert answers[ente] == select(path, parse_query(before), **parameters), ente
    assert answers["c_d150"] == answers[None] and answers["x_000000"] == []
    back = [row for row in answers[None] if row["objective"] == REMOVED[0]]
    assert {row["newVersion"] for row in back} == {"aggiornamento-2024-07-15-n145", "aggiornamento-2024-10-01-n200"}
    assert all("oldTarget" not in row and "oldLine" not in row for row in back if "newTarget" in row)


def test_saved_query_objectives_dropped_between_years(tmp_path, versions, run_cli):
    next_year = tmp_path / "piano-2025.txt"
    text = original_text().replace("PIANO DEGLI OBIETTIVI 2024", "PIANO DEGLI OBIETTIVI 2025").replace("31/01/2024", "30/01/2025")
    lines = [line for line in text.split("\n") if "\t978_0002\t" not in line]
    next_year.write_text("\n".join(lines), encoding="utf-8")
    path = tmp_path / "store"
    assert run_cli("load", str(versions[0]), str(next_year), "--store", str(path)).exit_code == 1
    rows = select(path, saved_query("objectives-dropped"))
    assert [(row["year"], row["nextYear"], row["code"]) for row in rows] == [("2024", "2025", "978_0002")]
    across = run_diff(run_cli, versions[0], next_year, "--format", "json")
    assert across.exit_code == 1
    assert [c["objective"] for c in json.loads(across.stdout)["changes"] if c["kind"] == "objective-removed"] == ["978_0002"]


def test_convert_writes_each_version_and_the_plan_graph(versions, tmp_path, run_cli):
    out = tmp_path / "both.trig"
    result = run_cli("convert", *map(str, versions), "-o", str(out))
    assert result.exit_code == 1, result.stderr
    dataset = ox.Store()
    dataset.load(path=str(out), format=ox.RdfFormat.TRIG)
    assert {graph.value for graph in dataset.named_graphs()} == {PLAN, ORIGINAL, UPDATE}
    validated = run_cli("validate", str(out), "--format", "json")
    assert validated.exit_code == 1, validated.stderr
    ttl = tmp_path / "both.ttl"
    assert run_cli("convert", *map(str, versions), "-o", str(ttl)).exit_code == 1
    union = Graph().parse(ttl, format="turtle")
    assert union.value(URIRef(PLAN), PIAO.latestVersion) == URIRef(UPDATE)


@pytest.fixture(scope="module")
def versions_site(versions, tmp_path_factory) -> Path:
    """The site of the original, the update and a 2025 plan without objective 978_0002."""
    import subprocess
    import sys

    folder = tmp_path_factory.mktemp("versions-site")
    next_year = folder / "piano-2025.txt"
    text = original_text().replace("PIANO DEGLI OBIETTIVI 2024", "PIANO DEGLI OBIETTIVI 2025").replace("31/01/2024", "30/01/2025")
    next_year.write_text("\n".join(line for line in text.split("\n") if "\t978_0002\t" not in line), encoding="utf-8")
    out = folder / "site"
    completed = subprocess.run([sys.executable, "-m", "piao_lod", "build", *map(str, versions), str(next_year), "-o", str(out),
                                "--contact-email", "dati@example.org", "--no-search"], capture_output=True, text=True)
    assert completed.returncode == 1, completed.stderr       # the example's own validation problems
    return out


def page(site: Path, iri: str):
    from bs4 import BeautifulSoup

    path = site / iri[len("https://w3id.org/piao-lod/"):] / "index.html"
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_site_shows_the_latest_version_and_links_every_version(versions_site):
    plan = page(versions_site, PLAN)
    figures = plan.find(class_="figures").get_text(" ")
    assert "36 obiettivi" in " ".join(figures.split())
    section = plan.find(id="versioni").find_next("ol")
    hrefs = [a["href"] for a in section.find_all("a")]
    assert any("versione-2024-01-31-n12" in href for href in hrefs) and any("aggiornamento-2024-07-15-n145" in href for href in hrefs)
    assert "(ultima)" in section.find_all("li")[-1].get_text()


def test_version_page_says_what_changed(versions_site):
    update = page(versions_site, UPDATE)
    heading = update.find(id="cosa-e-cambiato")
    rows = heading.find_next("table").find("tbody").find_all("tr")
    texts = [" ".join(row.get_text(" ").split()) for row in rows]
    assert len(texts) == 5
    assert any(f"obiettivo {REMOVED[0]} eliminato" in text for text in texts)
    assert any("target 2024 20 → 10" in text for text in texts)
    original = page(versions_site, ORIGINAL)
    assert "prima versione" in original.find(id="cosa-e-cambiato").find_next("p").get_text()
    english = page(versions_site, UPDATE.replace("piao-lod/id/", "piao-lod/en/id/"))
    assert english.find(id="cosa-e-cambiato").get_text().strip() == "What changed"
    english_rows = [" ".join(row.get_text(" ").split()) for row in english.find(id="cosa-e-cambiato").find_next("table").find("tbody").find_all("tr")]
    assert any(f"objective {REMOVED[0]} removed" in text for text in english_rows)


def test_first_version_of_next_year_compares_with_the_year_before(versions_site):
    plan_2025 = page(versions_site, PLAN.replace("2024", "2025"))
    link = plan_2025.find("a", string=lambda text: text and "anno precedente" in text)
    assert link is not None
    version_page = versions_site / "id/c_d150/piano/2025" / link["href"].split("#")[0] / "index.html"
    from bs4 import BeautifulSoup
    changes = BeautifulSoup(version_page.read_text(encoding="utf-8"), "html.parser").find(id="cosa-e-cambiato")
    assert "anno precedente" in changes.find_next("p").get_text()
    rows = [" ".join(row.get_text(" ").split()) for row in changes.find_next("table").find("tbody").find_all("tr")]
    assert any("obiettivo 978_0002 eliminato" in text for text in rows)


def test_objective_page_shows_its_history_across_versions_and_years(versions_site):
    objective = page(versions_site, f"{PLAN}/obiettivo/{RENAMED[0]}")
    rows = objective.find(id="storia").find_next("table").find("tbody").find_all("tr")
    cells = [[" ".join(cell.get_text(" ").split()) for cell in row.find_all("td")] for row in rows]
    assert [row[0] for row in cells] == ["2024", "2024", "2025"]
    assert cells[1][2] == RENAMED[2] and cells[0][2].startswith("Avvio processo di condivisione")
    assert {row[3] for row in cells} == {"stesso codice"}
    english = page(versions_site, f"{PLAN}/obiettivo/{RENAMED[0]}".replace("piao-lod/id/", "piao-lod/en/id/"))
    assert english.find(id="storia").get_text(" ").strip() == "In every version and year"
    assert {" ".join(row.find_all("td")[3].get_text().split()) for row in english.find(id="storia").find_next("table").find("tbody").find_all("tr")} == {"same code"}


def test_pages_from_the_store_are_the_static_pages_of_every_version(versions, versions_site, tmp_path):
    """serve --store shows each plan as its latest version, as the build does: the version pages, the plan's
    list of versions and the objective's history are the static files byte for byte, and an objective that only
    an older version has gets no page from either."""
    from fastapi.testclient import TestClient

    from piao_lod.embedded_store import load_into_store
    from piao_lod.server.app import create_app
    from piao_lod.server.query_runner import InProcessQueries
    from piao_lod.server.settings import ServerSettings

    store = tmp_path / "store"
    done = load_into_store(store, [*versions, versions_site.parent / "piano-2025.txt"], "https://w3id.org/piao-lod/id/")
    assert done.exit_code in (0, 1)
    runner = InProcessQueries(open_store_for_reading(store), 20_000_000)
    settings = ServerSettings(None, store, sources=versions_site / "dati" / "fonti")
    with TestClient(create_app(settings, runner), follow_redirects=False) as client:
        for iri in (PLAN, ORIGINAL, UPDATE, f"{PLAN}/obiettivo/{RENAMED[0]}", f"{PLAN}/obiettivo/{MOVED[0]}",
                    PLAN.replace("2024", "2025")):
            folder = iri[len("https://w3id.org/piao-lod/"):] + "/"
            for edition in ("", "en/"):
                response = client.get(f"/{edition}{folder}", headers={"Accept": "text/html"})
                assert response.status_code == 200, (edition + folder, response.text[:300])
                assert response.content == (versions_site / edition / folder / "index.html").read_bytes(), edition + folder
        removed = f"id/c_d150/piano/2024/obiettivo/{REMOVED[0]}/"
        assert not (versions_site / removed / "index.html").exists()
        assert client.get(f"/{removed}", headers={"Accept": "text/html"}).status_code == 404


SHARED_CODE = """Ente;Anno;Dirigente;Settore;Codice Obiettivo;Titolo Obiettivo;Definizione Obiettivo;Codice Ind;Titolo Indicatore;Formula Indicatore;Finalità Indicatore;Target Atteso;Peso
c_d150;2024;ROSSI MARIO;Settore Alfa;1.1_0001;Sportello unico;Aprire lo sportello;101;Sportelli aperti;Numero;Misurare;1;100
c_d150;2024;BIANCHI ANNA;Settore Beta;1.1_0001;Sportello unico;Aprire lo sportello;102;Ore di apertura;Numero;Misurare;30;100
"""


def test_objectives_of_one_code_in_two_settori_are_paired_by_settore(tmp_path, run_cli):
    """One code under two settori is two objectives: each is paired with the one of its settore, not crosswise."""
    before, after = tmp_path / "before.csv", tmp_path / "after.csv"
    before.write_text(SHARED_CODE, encoding="utf-8")
    after.write_text(SHARED_CODE.replace("BIANCHI ANNA", "VERDI LUCA"), encoding="utf-8")
    same = run_diff(run_cli, before, before, "--lang", "en")
    assert same.exit_code == 0 and "No change." in same.stdout, same.stdout
    changed = run_diff(run_cli, before, after, "--format", "json")
    assert [(change["kind"], change["before"], change["after"]) for change in json.loads(changed.stdout)["changes"]] == [
        ("objective-moved-dirigente", "BIANCHI ANNA", "VERDI LUCA")]


def test_each_version_is_validated_as_a_document_of_its_own(versions, tmp_path, run_cli):
    """An adopted plan and its update share the IRIs of the plan and its objectives: validated together, in any
    way they are given (tables, a converted N-Quads file, either engine), each is checked as the document it is,
    with no finding of the two merged (weights totalling 200, two titles)."""
    def results(*arguments) -> list[tuple]:
        result = run_cli("validate", *arguments, "-f", "json")
        assert result.exit_code == 1, result.stdout
        found = json.loads(result.stdout)["results"]
        return sorted((item["rule"], item["focus"], item["value"], Path(item["file"]).name, tuple(item["lines"]))
                      for item in found)

    original, update = versions
    alone = sorted(results(original) + results(update))
    assert alone and not any(value == "200" for _, _, value, _, _ in alone)
    assert results(original, update) == alone
    both = tmp_path / "both.nq"
    assert run_cli("convert", original, update, "-o", both).exit_code == 1
    assert results(both) == alone
    assert results(both, "--workers", "1", "--no-cache") == alone
    assert results(original, update, "--engine", "pyshacl") == alone
