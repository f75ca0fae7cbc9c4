"""A folder given where files are expected stands for the plan tables and RDF files inside it, in sorted order:
a national corpus holds more files than a command line does."""

from __future__ import annotations

import shutil

from test_convert_streamed import tables


def corpus_folder(tmp_path):
    """Plans in a folder and a subfolder, beside what must be skipped: a README, a hidden cache, a hidden file."""
    folder = tmp_path / "plans"
    (folder / "later").mkdir(parents=True)
    first = tables(folder, "a-2024", "b-2024")
    second = tables(folder / "later", "a-2025")
    (folder / "README.md").write_text("not a plan\n", encoding="utf-8")
    (folder / ".cache").mkdir()
    shutil.copy(first[0], folder / ".cache" / "stale.csv")
    shutil.copy(first[0], folder / ".hidden.csv")
    return folder, first + second


def test_convert_of_a_folder_writes_what_its_files_write(run_cli, tmp_path):
    """RDF in the folder (what convert wrote there before) is not a table to convert."""
    folder, files = corpus_folder(tmp_path)
    assert run_cli("convert", files[0], "-o", folder / "earlier.nq", "--no-cache").exit_code == 0
    listed = run_cli("convert", *files, "-o", tmp_path / "listed.nq", "--no-cache", "--lang", "en")
    walked = run_cli("convert", folder, "-o", tmp_path / "walked.nq", "--no-cache", "--lang", "en")
    assert listed.exit_code == walked.exit_code == 0, walked.output
    assert "converted 3 plans" in walked.stderr and "README" not in walked.stderr
    assert (tmp_path / "walked.nq").read_bytes() == (tmp_path / "listed.nq").read_bytes()


def test_validate_and_load_take_a_folder_of_rdf(run_cli, tmp_path):
    folder, files = corpus_folder(tmp_path)
    rdf = tmp_path / "rdf"
    rdf.mkdir()
    for path in files:
        assert run_cli("convert", path, "-o", rdf / f"{path.stem}.ttl", "--no-cache").exit_code == 0
    validated = run_cli("validate", rdf, "-f", "json", "--no-cache")
    assert validated.exit_code == 0, validated.output
    loaded = run_cli("load", rdf, "--store", tmp_path / "store", "--no-cache", "--lang", "en")
    assert loaded.exit_code == 0, loaded.output
    counted = run_cli("query", "SELECT (COUNT(DISTINCT ?plan) AS ?n) WHERE { ?plan a <https://w3id.org/piao-lod/ontology#Plan> }",
                      "--store", tmp_path / "store", "-f", "csv")
    assert counted.stdout.splitlines()[1:] == ["3"], counted.output


def test_a_folder_with_nothing_to_read_is_an_unusable_input(run_cli, tmp_path):
    empty = tmp_path / "nothing"
    empty.mkdir()
    (empty / "notes.md").write_text("no plan here\n", encoding="utf-8")
    result = run_cli("convert", empty, "-o", tmp_path / "out.nq", "--lang", "en")
    assert result.exit_code == 2
    assert f"{empty}: error: is a folder with no plan table (.pdf .txt .csv .xlsx) or RDF file inside" in result.stderr
    assert not (tmp_path / "out.nq").exists()
