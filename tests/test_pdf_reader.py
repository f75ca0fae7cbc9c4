"""The plan read from PDFs: the same graph as the text extraction, from PDFs made by two producers.

The PDFs in tests/data/pdf/ were typeset from the example text by LibreOffice and printed by
Chromium (tools/make_pdf_fixtures.py; see tests/data/pdf/README.md), in the layouts published
plans come in: cover and prose pages, merged cells cut by page breaks, rows split across pages,
no ruling lines, pages turned by /Rotate. Each must give the text example's graph once
provenance is set aside, and the same validation result.
"""

from __future__ import annotations

import json
import shutil
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Literal, URIRef
from typer.testing import CliRunner

from conftest import DATA, EXAMPLE
from piao_lod.cli import app
from piao_lod.namespaces import PIAO
from test_source_formats import assert_same_plan, convert, reference, without_provenance  # noqa: F401 (fixture)

PDFS = DATA / "pdf"
PLAN = "https://w3id.org/piao-lod/id/c_d150/piano/2024"
SAME_PLAN = [
    "cremona-libreoffice.pdf",       # LibreOffice: a Writer table, header rows repeated, merged cells
    "cremona-chromium.pdf",          # Chromium: an HTML table, thead repeated, rowspan cells
    "cremona-prose-pages.pdf",       # cover, index and prose pages before, a staff table after
    "cremona-cut-cell.pdf",          # merged cells cut by a page break, their text on the second page
    "cremona-rows-split.pdf",        # rows broken across pages, cells left open at the break
    "cremona-unruled.pdf",           # no ruling lines: columns from the header words and the gaps
    "cremona-rotated.pdf",           # portrait pages, content turned, shown landscape by /Rotate 90
]


@dataclass
class Converted:
    exit_code: int
    stderr: str
    graph: Graph
    output: Path


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    """Each PDF converted once for the module (PDF parsing is the slow part of these tests)."""
    done: dict[str, Converted] = {}

    def get(name: str) -> Converted:
        if name not in done:
            source = EXAMPLE.with_suffix(".pdf") if name == "example" else PDFS / name
            out = tmp_path_factory.mktemp("pdf") / "plan.ttl"
            result = CliRunner().invoke(app, ["convert", str(source), "-o", str(out), "--lang", "en"], catch_exceptions=False)
            assert "Traceback" not in result.output
            done[name] = Converted(result.exit_code, result.stderr, Graph().parse(out), out)
        return done[name]

    return get


@pytest.mark.parametrize("name", SAME_PLAN + ["example"])
def test_pdf_gives_the_text_examples_graph(converted, reference, name):
    plan = converted(name)
    assert plan.exit_code == 1, plan.stderr
    assert "37 objectives, 67 indicator rows" in plan.stderr
    assert "0 errors, 2 warnings" in plan.stderr, plan.stderr
    assert_same_plan(reference, without_provenance(plan.graph))
    pages = {int(page) for page in plan.graph.objects(None, PIAO.pageNumber)}
    assert len(pages) >= 8, pages


@pytest.mark.parametrize("name", ["cremona-libreoffice.pdf", "cremona-chromium.pdf"])
def test_pdf_validation_result_is_the_text_examples(run_cli, converted, name):
    result = run_cli("validate", converted(name).output, "--format", "json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["counts"] == {"violation": 1, "warning": 1, "info": 0}
    found = {(item["rule"], item["objective_code"], item["indicator_code"]) for item in report["results"]}
    assert found == {("BooleanTarget01", "978_0005", "878"), ("PnrrWithoutCode", "978_0005", None)}
    assert all(item["pages"] and item["pages"][0] >= 1 for item in report["results"])


def test_problems_name_page_row_and_column(run_cli, converted):
    plan = converted("cremona-chromium.pdf")
    assert (f"{PDFS / 'cremona-chromium.pdf'}, page 10, row 8 [Titolo Obiettivo, column 3]: warning: the title "
            "mentions PNRR but gives no measure code") in plan.stderr
    text = run_cli("validate", plan.output).stdout
    assert "cremona-chromium.pdf, pagina 10, riga 8: Target sì/no vale 0 o 1" in text


def version_of(graph: Graph) -> str:
    """The IRI of the one plan version in ``graph``: the source rows are under it."""
    return str(next(graph.subjects(RDF.type, PIAO.PlanVersion)))


def test_source_rows_are_numbered_on_their_page(converted):
    """Table rows count from 1 at the top of each page, header included: page 10's header is row 1."""
    graph = converted("cremona-chromium.pdf").graph
    objective = URIRef(f"{PLAN}/obiettivo/978_0005")
    row = URIRef(f"{version_of(graph)}/fonte/pagina/10/riga/8")
    assert (objective, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"), row) in graph
    assert graph.value(row, PIAO.pageNumber) == Literal(10)
    assert graph.value(row, PIAO.lineNumber) == Literal(8)


def test_merged_cell_cut_by_a_page_break_keeps_its_first_page_rows(converted):
    """Objective 2.2.4_0003's cells cover three rows: two at the foot of page 3 left empty, the text
    set beside the third, on page 4. All three indicators are the objective's, from their pages."""
    plan = converted("cremona-cut-cell.pdf")
    graph = plan.graph
    objective = URIRef(f"{PLAN}/obiettivo/2.2.4_0003")
    derived = URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")
    assert graph.value(objective, derived) == URIRef(f"{version_of(graph)}/fonte/pagina/3/riga/5")
    rows = {str(graph.value(URIRef(f"{objective}/indicatore/{code}"), derived)).split("/fonte/")[1]
            for code in ("773", "774", "848")}
    assert rows == {"pagina/3/riga/5", "pagina/3/riga/6", "pagina/4/riga/2"}
    assert "missing-settore" not in plan.stderr


def test_pages_option_restricts_the_pages_read(run_cli, tmp_path):
    """Pages 1-8 of the prose PDF hold the cover and the first blocks only."""
    source = PDFS / "cremona-prose-pages.pdf"
    exit_code, stderr, graph = convert(run_cli, source, tmp_path / "part.ttl", "--pages", "1,5-8")
    assert exit_code in (0, 1), stderr
    read = {int(page) for page in graph.objects(None, PIAO.pageNumber)}
    assert read and read <= {5, 6, 7, 8}
    objectives = set(graph.subjects(None, PIAO.Objective))
    assert 0 < len(objectives) < 37
    exit_code, stderr, _ = convert(run_cli, source, tmp_path / "none.ttl", "--pages", "2-4")
    assert exit_code == 2
    assert "no plan table found on the pages read (2-4)" in stderr
    exit_code, stderr, _ = convert(run_cli, source, tmp_path / "none.ttl", "--pages", "90-")
    assert exit_code == 2
    assert "selects no page: the PDF has 18" in stderr


def test_pages_option_is_refused_for_a_text_table(run_cli, tmp_path):
    exit_code, stderr, _ = convert(run_cli, EXAMPLE, tmp_path / "x.ttl", "--pages", "1-3")
    assert exit_code == 2
    assert "applies to PDF documents" in stderr


def test_pdf_without_its_suffix_is_recognised_by_its_bytes(run_cli, tmp_path, reference):
    source = tmp_path / "piano-obiettivi"
    shutil.copy(PDFS / "cremona-libreoffice.pdf", source)
    exit_code, stderr, graph = convert(run_cli, source, tmp_path / "x.ttl")
    assert exit_code == 1, stderr
    assert_same_plan(reference, without_provenance(graph))
    named_text = tmp_path / "piano.txt"
    shutil.copy(PDFS / "cremona-libreoffice.pdf", named_text)
    exit_code, stderr, _ = convert(run_cli, named_text, tmp_path / "y.ttl")
    assert exit_code == 2
    assert "this is a PDF document, not text: name it .pdf or pass --source-format pdf" in stderr


def test_scanned_pdf_says_how_to_add_a_text_layer(run_cli, tmp_path):
    exit_code, stderr, _ = convert(run_cli, PDFS / "scanned-page.pdf", tmp_path / "x.ttl")
    assert exit_code == 2
    assert "the PDF has no text: its pages are images (a scan?)" in stderr
    assert "ocrmypdf -l ita scanned-page.pdf scanned-page-ocr.pdf" in stderr
    assert "tesseract-ocr-ita" in stderr


def test_encrypted_pdf_is_refused_with_a_message(run_cli, tmp_path):
    exit_code, stderr, _ = convert(run_cli, PDFS / "encrypted.pdf", tmp_path / "x.ttl")
    assert exit_code == 2
    assert "the PDF is encrypted and needs a password" in stderr
    assert "qpdf --decrypt" in stderr


@pytest.mark.parametrize("cut", [3000, 40_000])
def test_damaged_pdf_is_refused_with_a_message(run_cli, tmp_path, cut):
    source = tmp_path / "damaged.pdf"
    source.write_bytes((PDFS / "cremona-libreoffice.pdf").read_bytes()[:cut])
    exit_code, stderr, _ = convert(run_cli, source, tmp_path / "x.ttl")
    assert exit_code == 2
    assert "not a readable PDF, damaged or cut short" in stderr or "could not be read" in stderr, stderr


# -- bounds: PDFs written here byte by byte ------------------------------------------------------

def write_pdf(path, contents: list[bytes], deflated: bool = False, font: bytes | None = None,
              xobjects: bytes = b"", more: tuple[bytes, ...] = ()) -> None:
    """A minimal PDF: one page per content stream (given Flate-compressed if ``deflated``), Helvetica as F1 (or
    ``font``), ``xobjects`` the pages' XObject entries; ``more`` objects are numbered from 4 + 2 × pages."""
    count = len(contents)
    font_number = 3 + 2 * count
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               f"<< /Type /Pages /Kids [{' '.join(f'{3 + 2 * i} 0 R' for i in range(count))}] /Count {count} >>".encode()]
    for index, content in enumerate(contents):
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 {font_number} "
                       f"0 R >> /XObject << {xobjects.decode()} >> >> /Contents {4 + 2 * index} 0 R >>".encode())
        objects.append(stream_object(content if deflated else zlib.compress(content)))
    objects.append(font or b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    objects += more
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    start = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{start}\n%%EOF\n".encode()
    path.write_bytes(bytes(out))


def stream_object(deflated: bytes, attributes: bytes = b"") -> bytes:
    return (f"<< /Length {len(deflated)} /Filter /FlateDecode ".encode() + attributes + b" >>\nstream\n" + deflated
            + b"\nendstream")


def deflated_zeros(size: int) -> bytes:
    """``size`` zero bytes, Flate-compressed a megabyte at a time (a "bomb": a thousand times smaller)."""
    packer, chunk = zlib.compressobj(9), bytes(1_000_000)
    return b"".join(packer.compress(chunk) for _ in range(size // len(chunk))) + packer.flush()


PROSE_PAGE = b"BT /F1 10 Tf 50 800 Td (Relazione sulla performance) Tj 0 -14 Td (Una pagina di prosa.) Tj ET"


def test_pdf_of_two_thousand_pages_is_bounded(run_cli, tmp_path):
    source = tmp_path / "long.pdf"
    write_pdf(source, [PROSE_PAGE] * 2000)
    exit_code, stderr, _ = convert(run_cli, source, tmp_path / "x.ttl")
    assert exit_code == 2
    assert "2,000 pages to read; piao-lod reads at most 1,000 at once" in stderr
    assert "--pages" in stderr


def test_page_with_a_hundred_thousand_objects_is_not_read(run_cli, tmp_path):
    source = tmp_path / "dense.pdf"
    shapes = b"".join(f"{i % 500} {i // 500 % 800} 1 1 re f\n".encode() for i in range(100_000))
    write_pdf(source, [PROSE_PAGE, shapes])
    exit_code, stderr, _ = convert(run_cli, source, tmp_path / "x.ttl", "--ente", "c_d150", "--year", "2024")
    assert exit_code == 2
    assert "page 2 not read: it draws 100,000 lines, shapes and strings, more than 50,000" in stderr


def test_a_page_that_inflates_to_two_gigabytes_is_refused_before_it_is_inflated(tmp_path):
    """2 MB of Flate data inflating to 2 GB: pdfminer inflated it whole before the page's size was checked, and a
    process allowed 1.5 GB of memory stopped with a MemoryError. It is now inflated only up to the 8 MB limit."""
    import resource
    import subprocess
    import sys

    deflater, parts = zlib.compressobj(1), []
    spaces = b" " * 2**20
    parts += [deflater.compress(spaces) for _ in range(2048)]
    source = tmp_path / "bomb.pdf"
    write_pdf(source, [zlib.compress(PROSE_PAGE), b"".join(parts) + deflater.flush()], deflated=True)
    limit = 1_500_000_000
    completed = subprocess.run(
        [sys.executable, "-m", "piao_lod", "convert", str(source), "-o", str(tmp_path / "x.ttl"), "--workers", "1",
         "--no-cache", "--ente", "c_d150", "--year", "2024", "--lang", "en"], capture_output=True, text=True,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (limit, limit)), check=False)
    assert completed.returncode == 2
    assert "page 2 not read: its content is over 8 MB" in completed.stderr, completed.stderr


def ruled_table(rows: list[list[str]], top: int = 760) -> bytes:
    """A table drawn with ruling lines, one 18-point row per list of cells (the first is the header)."""
    edges = [40, 100, 220, 320, 420, 500, 550]
    drawn, y = [], top
    for cells in rows:
        drawn.append(f"{edges[0]} {y} m {edges[-1]} {y} l S")
        drawn += [f"BT /F1 7 Tf {edges[i] + 2} {y - 12} Td ({cell}) Tj ET" for i, cell in enumerate(cells)]
        y -= 18
    drawn.append(f"{edges[0]} {y} m {edges[-1]} {y} l S")
    drawn += [f"{x} {top} m {x} {y} l S" for x in edges]
    return "\n".join(drawn).encode()


IMAGE_PAGE = b"q 400 0 0 600 50 100 cm BI /W 2 /H 2 /CS /G /BPC 8 ID \x00\xff\xff\x00 EI Q"
PLAN_PAGE = (b"BT /F1 11 Tf 40 800 Td (PIANO DELLA PERFORMANCE 2025) Tj ET\n"
             + ruled_table([["Codice obiettivo", "Obiettivo", "Settore", "Indicatore", "Target", "Peso"],
                            ["A.1", "Riduzione tempi", "Area Finanza", "Tempo medio", "30", "100"]]))


@pytest.mark.parametrize("lang, pages, expected", [
    ("en", 1, "the PDF was not read in full: page 2 is an image without text and was not read; add a text layer"),
    ("en", 2, "the PDF was not read in full: pages 2-3 are images without text and were not read; add a text layer"),
    ("it", 1, "il PDF non è stato letto per intero: la pagina 2 è un'immagine senza testo e non è stata letta; "
              "aggiungere uno strato di testo con l'OCR"),
    ("it", 2, "il PDF non è stato letto per intero: le pagine 2-3 sono immagini senza testo e non sono state lette"),
])
def test_image_pages_skipped_are_named_in_the_language_asked_with_their_plural(run_cli, tmp_path, lang, pages, expected):
    """Regression: the warning said "pages 4 are images" for one page, and in English inside the Italian message."""
    source = tmp_path / "plan.pdf"
    write_pdf(source, [PLAN_PAGE] + [IMAGE_PAGE] * pages)
    result = run_cli("convert", "--lang", lang, source, "-o", tmp_path / "x.ttl", "--ente", "c_x001")
    assert result.exit_code == 1, result.stderr
    assert expected in result.stderr
    assert "[pdf-page-skipped]" in result.stderr


DAMAGED_PAGE = b"BT /F1 (eleven) Tf 40 760 Td (Nota a margine) Tj ET\n"     # a font size that is no number


@pytest.mark.parametrize("lang, expected", [
    ("en", "the PDF was not read in full: page 2 was read only in part: some of its content is damaged (Could not "
           "set text font because b'eleven' is an invalid float value); rows may be missing, compare them with the PDF"),
    ("it", "il PDF non è stato letto per intero: la pagina 2 è stata letta solo in parte: una parte del suo contenuto "
           "è danneggiata"),
])
def test_a_page_pdfminer_read_only_in_part_is_named_in_the_readers_words(run_cli, tmp_path, lang, expected):
    """Regression: pdfminer's own English warning reached the terminal ("Execute called on non-indirect object…")
    and the rows it lost went unsaid."""
    source = tmp_path / "plan.pdf"
    write_pdf(source, [PLAN_PAGE, DAMAGED_PAGE + PLAN_PAGE])
    result = run_cli("convert", "--lang", lang, source, "-o", tmp_path / "x.ttl", "--ente", "c_x001", "--no-cache")
    assert result.exit_code == 1, result.stderr
    assert expected in result.stderr and "[pdf-page-skipped]" in result.stderr
    assert all(line.startswith((str(source), "convert", "conversione")) for line in result.stderr.splitlines() if line)


def test_a_large_image_on_the_page_is_not_decoded_and_the_page_is_read(run_cli, tmp_path):
    """Regression: a letterhead logo of 3,000 × 3,000 pixels (9 MB once decoded) counted as page content, and every
    page was refused as "content over 8 MB"; pdfminer does not decode images to read the text."""
    source = tmp_path / "plan.pdf"
    logo = stream_object(deflated_zeros(9_000_000), b"/Type /XObject /Subtype /Image /Width 3000 /Height 3000 "
                                                    b"/ColorSpace /DeviceGray /BitsPerComponent 8")
    write_pdf(source, [b"q 100 0 0 100 450 720 cm /Logo Do Q\n" + PLAN_PAGE], xobjects=b"/Logo 6 0 R", more=(logo,))
    result = run_cli("convert", "--lang", "en", source, "-o", tmp_path / "x.ttl", "--ente", "c_x001", "--no-cache")
    assert result.exit_code == 1, result.stderr
    assert "1 objective, 1 indicator row" in result.stderr and "pdf-page-skipped" not in result.stderr


@pytest.mark.parametrize("what, expected", [
    ("font file", "page 1 not read: its fonts are over 64 MB once decoded"),
    ("form in a form", "page 1 not read: its content is over 8 MB"),
])
def test_a_page_whose_fonts_or_nested_forms_inflate_past_the_limits_is_not_read(run_cli, tmp_path, what, expected):
    """A font file (which pdfminer decodes whole to read the font) or a form drawn by a form (at any depth), each
    100 kB that inflate to 70 MB, are measured within the limits before pdfminer decodes them."""
    source = tmp_path / "plan.pdf"
    bomb = stream_object(deflated_zeros(70_000_000), b"/Type /XObject /Subtype /Form /BBox [0 0 10 10]")
    if what == "font file":
        font = (b"<< /Type /Font /Subtype /Type1 /BaseFont /Embedded /FirstChar 32 /LastChar 32 /Widths [250] "
                b"/FontDescriptor 6 0 R >>")
        descriptor = (b"<< /Type /FontDescriptor /FontName /Embedded /Flags 32 /FontBBox [0 0 1000 1000] /ItalicAngle 0 "
                      b"/Ascent 800 /Descent -200 /CapHeight 700 /StemV 80 /FontFile 7 0 R >>")
        write_pdf(source, [PLAN_PAGE], font=font, more=(descriptor, stream_object(deflated_zeros(70_000_000))))
    else:
        outer = stream_object(zlib.compress(b"/Inner Do"), b"/Type /XObject /Subtype /Form /BBox [0 0 10 10] "
                                                          b"/Resources << /XObject << /Inner 7 0 R >> >>")
        write_pdf(source, [b"/Outer Do\n" + PLAN_PAGE], xobjects=b"/Outer 6 0 R", more=(outer, bomb))
    result = run_cli("convert", "--lang", "en", source, "-o", tmp_path / "x.ttl", "--ente", "c_x001", "--no-cache")
    assert result.exit_code == 2, result.stderr
    assert expected in result.stderr and "Traceback" not in result.stderr


SIDEWAYS_PAGE = (b"q 0 1 -1 0 595 0 cm\n"
                 + ruled_table([["Codice obiettivo", "Obiettivo", "Settore", "Indicatore", "Target", "Peso"],
                                ["B.1", "Archivio digitale", "Area Tecnica", "Pratiche", "2000", "100"]], top=500)
                 + b"\nQ")


def test_a_page_whose_text_is_sideways_is_named_not_dropped_silently(run_cli, tmp_path):
    """Regression: a table drawn sideways (its text not upright) was left out without a word: objective B.1 was lost."""
    source = tmp_path / "plan.pdf"
    write_pdf(source, [PLAN_PAGE, SIDEWAYS_PAGE])
    result = run_cli("convert", "--lang", "en", source, "-o", tmp_path / "x.ttl", "--ente", "c_x001")
    assert result.exit_code == 1, result.stderr
    assert ("plan.pdf: warning: the PDF was not read in full: page 2 has its text drawn sideways, not upright, and was "
            "not read; turn it upright (for instance `qpdf --rotate=+90:2 plan.pdf plan-upright.pdf`, or -90)") in result.stderr


def test_a_pdf_with_only_sideways_text_is_not_called_a_scan(run_cli, tmp_path):
    source = tmp_path / "plan.pdf"
    write_pdf(source, [SIDEWAYS_PAGE, SIDEWAYS_PAGE])
    result = run_cli("convert", "--lang", "en", source, "-o", tmp_path / "x.ttl", "--ente", "c_x001")
    assert result.exit_code == 2
    assert "no text drawn upright: pages 1-2 have their text drawn sideways" in result.stderr
    assert "a scan" not in result.stderr


def test_another_comunes_pdf_with_dirigenti_under_settori_and_written_targets(tmp_path):
    """``comune-centri-responsabilita.pdf`` (Chromium, portrait, the table over three pages under a repeated
    header): the PDF joins the lines of a cell, so ``Settore Servizi Sociali`` over ``Dott.ssa Maria Rossi`` came
    as one settore named after both and no dirigente; ``31/12/2025`` wrapped in its narrow cell as ``31/12/20 25``
    was no date; a ``Peso %`` merged over each objective's three indicators weighed only the first indicator."""
    out = tmp_path / "plan.ttl"
    result = CliRunner().invoke(app, ["convert", str(PDFS / "comune-centri-responsabilita.pdf"), "--ente", "c_d150",
                                      "-o", str(out), "--lang", "en", "--no-cache"])
    assert result.exit_code == 0, result.output
    graph = Graph().parse(out)
    plan = "https://w3id.org/piao-lod/id/c_d150/piano/2025/obiettivo/"
    objectives = set(graph.subjects(RDF.type, PIAO.Objective))
    assert {str(node).removeprefix(plan) for node in objectives} == {
        f"OS{settore}-OP{number}" for settore in (1, 2, 3) for number in (1, 2, 3, 4)}
    assert len(set(graph.subjects(RDF.type, PIAO.IndicatorAssignment))) == 36
    assert {int(graph.value(node, PIAO.weight)) for node in objectives} == {25}
    assert not set(graph.subjects(RDF.type, PIAO.IndicatorAssignment)) & set(graph.subjects(PIAO.weight, None))
    foaf_name = URIRef("http://xmlns.com/foaf/0.1/name")
    people = {str(graph.value(graph.value(node, PIAO.dirigente), foaf_name)) for node in objectives}
    assert people == {"Maria Rossi", "Paolo Bruni", "Elena Sarti"}
    settori = {str(node).rsplit("/", 1)[-1] for node in graph.objects(None, PIAO.ownedBy)}
    assert settori == {"settore-servizi-sociali", "settore-lavori-pubblici", "settore-polizia-locale"}
    dates = {str(date) for date in graph.objects(None, PIAO.targetDate)}
    assert {"2025-12-31", "2025-06-30", "2026-06-30"} <= dates
    assert not [line for line in result.stderr.splitlines() if "unreadable" in line or "missing-" in line], result.stderr
    assert "[Peso %, column 4]: info: column “Peso %” holds one weight for each objective" in result.stderr
