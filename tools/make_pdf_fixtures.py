#!/usr/bin/env python3
"""Typeset the bundled Cremona example as PDFs, with two real producers, for the PDF reader's tests.

    python3 tools/make_pdf_fixtures.py            # writes tests/data/pdf/*.pdf and examples/*.pdf

The example text is read with plain Python, not with piao_lod, so a reader bug cannot hide in both
the fixture and the result: lines are split on tabs, the repeated header rows dropped, the four rows
the original extraction shifted left by one cell put back, and each ``DIRIGENTE:`` block becomes one
table. Settore and objective cells are merged down over the rows they cover (rowspan), as in the
Comune's own PDF. Each document is then typeset by LibreOffice (``soffice --headless --convert-to pdf``
from an ODF text document written here, Debian ``libreoffice-writer-nogui``) or printed by Chromium
(``chromium --headless --print-to-pdf`` from an HTML page written here, Debian ``chromium``).

Only this script needs those programs; the tests read the PDFs it wrote (checked in), so CI does not
install LibreOffice. ``tests/data/pdf/README.md`` says what each file is.
"""

from __future__ import annotations

import argparse
import html
import io
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "cremona-piao-2024-2026-obiettivi.txt"
FIXTURES = ROOT / "tests" / "data" / "pdf"
HEADER_START = "Settore\tCodice Obiettivo"
OBJECTIVE_COLUMNS = (1, 2, 3)      # code, title, definition: merged down over the objective's rows
SETTORE_COLUMN = 0
OBJECTIVE_CODE = re.compile(r"^\d+(?:\.\d+)*_\d+$")
COLUMN_WIDTHS_MM = (26, 17, 30, 62, 10, 28, 30, 37, 12, 10)    # A4 landscape, 15 mm margins: 262 mm


@dataclass
class Block:
    section: str
    dirigente: str
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class Example:
    cover: list[str]
    header: list[str]
    blocks: list[Block]


def read_example() -> Example:
    cover, blocks, header, section = [], [], None, None
    for line in EXAMPLE.read_text(encoding="utf-8").splitlines():
        if "\t" not in line:
            text = line.strip()
            if not text:
                continue
            if text.startswith("DIRIGENTE:"):
                blocks.append(Block(section, text.removeprefix("DIRIGENTE:").strip()))
            elif "PIANO DEGLI OBIETTIVI" in text:
                section = text
            elif not blocks and section is None:
                cover.append(text.replace("*", ""))
            continue
        cells = line.split("\t")
        if line.startswith(HEADER_START):
            header = cells
            continue
        if cells[-1] == "" and (OBJECTIVE_CODE.match(cells[0]) or (not cells[0] and cells[3].isdigit())):
            cells = [""] + cells[:-1]          # a row the extraction shifted left by one cell
        blocks[-1].rows.append(cells)
    rows = sum(len(block.rows) for block in blocks)
    objectives = sum(1 for block in blocks for row in block.rows if row[1])
    assert (len(blocks), rows, objectives) == (14, 67, 37), (len(blocks), rows, objectives)
    return Example(cover, header, blocks)


def spans(rows: list[list[str]], column: int) -> list[int]:
    """For each row, how many rows the merged cell starting there covers (0: covered by one above)."""
    result = [0] * len(rows)
    start = 0
    for index, row in enumerate(rows):
        if row[column] or index == 0:
            start = index
            result[index] = 1
        else:
            result[start] += 1
    return result


def row_spans(rows: list[list[str]]) -> list[list[int]]:
    settore = spans(rows, SETTORE_COLUMN)
    objective = spans(rows, OBJECTIVE_COLUMNS[0])
    return [[settore[i] if c == SETTORE_COLUMN else objective[i] if c in OBJECTIVE_COLUMNS else 1
             for c in range(len(rows[0]))] for i in range(len(rows))]


# -- documents: what goes on the pages, then one writer per producer ----------------------------------

@dataclass
class Options:
    """What a variant changes; every PDF of the plan holds the same table."""

    landscape: bool = True
    ruled: bool = True
    merged: bool = True
    valign: str = "top"                 # top, middle, bottom: where a merged cell's text sits
    prose_pages: bool = False           # a cover of its own and pages of prose and an index before the table
    other_table: bool = False           # a staff table of another PIAO section after the plan
    rotate: bool = False                # portrait pages with turned content and /Rotate 90
    cut: tuple[int, int] | None = None  # (block, row): a page break there; the merged cells it cuts keep their
                                        # text below the break only, as a cell set at the bottom would
    rows_split: bool = False            # rows may break across pages (their cells left open at the break)


PROSE = [
    ("Premessa", "Il Piano Integrato di Attività e Organizzazione (PIAO) è il documento unico di "
     "programmazione e governance che assorbe i piani della performance, del lavoro agile, dei fabbisogni "
     "di personale e della prevenzione della corruzione. Questa copia è stata composta dal testo estratto "
     "per le prove del lettore PDF; non è il documento pubblicato dal Comune."),
    ("Sezione 1: Scheda anagrafica dell'amministrazione", "Il Comune ha sede in piazza del Comune 8. "
     "La struttura organizzativa si articola in settori, ciascuno affidato a un dirigente, e in unità di "
     "progetto. Gli obiettivi che seguono sono assegnati ai dirigenti per l'anno 2024 e misurati da "
     "indicatori con un valore atteso e un peso."),
]
STAFF_HEADER = ["Categoria", "Posti in dotazione", "Posti coperti", "Assunzioni previste 2024"]
STAFF_ROWS = [["Dirigenti", "15", "14", "1"], ["Funzionari (D)", "210", "196", "12"],
              ["Istruttori (C)", "380", "361", "20"], ["Operatori (B)", "140", "133", "5"]]


def html_document(example: Example, options: Options) -> str:
    widths = COLUMN_WIDTHS_MM if options.landscape else tuple(w * 180 // 262 for w in COLUMN_WIDTHS_MM)
    border = "0.6pt solid #000" if options.ruled else "none"
    out = io.StringIO()
    out.write(f"""<!doctype html><html lang="it"><head><meta charset="utf-8"><title>PIAO 2024-2026</title><style>
@page {{ size: A4 {'landscape' if options.landscape else 'portrait'}; margin: 15mm; }}
body {{ font-family: 'DejaVu Sans', sans-serif; font-size: 6.5pt; }}
h1 {{ font-size: 20pt; margin: 0 0 8mm 0; }} h2 {{ font-size: 11pt; margin: 4mm 0 2mm 0; }}
p.cover {{ font-size: 14pt; margin: 0 0 6mm 0; }} p.prose {{ font-size: 10pt; text-align: justify; }}
.page {{ break-after: page; }}
table {{ border-collapse: collapse; table-layout: fixed; width: {sum(widths)}mm; margin-bottom: 4mm; }}
th, td {{ border: {border}; padding: 1mm; vertical-align: {options.valign}; text-align: left;
          overflow-wrap: break-word; }}
th {{ background: {'#dde' if options.ruled else 'none'}; font-weight: bold; vertical-align: top; }}
{'' if options.rows_split else 'tr { break-inside: avoid; }'}
</style></head><body>
""")
    write_html_front(out, example, options)
    for number, block in enumerate(example.blocks):
        out.write(f"<section><h2>{html.escape(block.section)}</h2>"
                  f"<h2>DIRIGENTE: {html.escape(block.dirigente)}</h2>\n")
        spans = row_spans(block.rows) if options.merged else [[1] * len(row) for row in block.rows]
        cut = options.cut[1] if options.cut and options.cut[0] == number else None
        parts = [(0, cut), (cut, len(block.rows))] if cut else [(0, len(block.rows))]
        for first, end in parts:
            if first:
                out.write('<div style="break-before: page"></div>')
            out.write("<table><colgroup>" + "".join(f'<col style="width:{w}mm">' for w in widths) + "</colgroup>\n<thead><tr>")
            out.write("".join(f"<th>{html.escape(name)}</th>" for name in example.header) + "</tr></thead><tbody>\n")
            for index in range(first, end):
                out.write("<tr>")
                for column, text in enumerate(block.rows[index]):
                    span, start = spans[index][column], index
                    if span == 0 and index == first:            # a merged cell cut above: its text comes here
                        start = max(i for i in range(index) if spans[i][column])
                        span, text = spans[start][column] - (index - start), block.rows[start][column]
                    elif span == 0:
                        continue
                    elif cut and index < cut < index + span:     # cut below: the part above is left empty
                        span, text = cut - index, ""
                    attribute = f' rowspan="{span}"' if span > 1 else ""
                    out.write(f"<td{attribute}>{html.escape(text)}</td>")
                out.write("</tr>\n")
            out.write("</tbody></table>\n")
        out.write("</section>\n")
    if options.other_table:
        write_html_staff_table(out)
    out.write("</body></html>\n")
    return out.getvalue()


def write_html_front(out: io.StringIO, example: Example, options: Options) -> None:
    title, *rest = [line for line in example.cover if line != "INDICE"]
    out.write('<section class="page">' if options.prose_pages else "<section>")
    out.write(f"<h1>{html.escape(title)}</h1>")
    for line in rest[:3]:
        out.write(f'<p class="cover">{html.escape(line)}</p>')
    out.write("</section>\n")
    if options.prose_pages:
        out.write('<section class="page"><h2>INDICE</h2>')
        for line in rest[3:] + [heading for heading, _ in PROSE]:
            out.write(f'<p class="prose">{html.escape(line)}</p>')
        out.write("</section>\n")
        for heading, text in PROSE:
            out.write(f'<section class="page"><h2>{html.escape(heading)}</h2>'
                      + f'<p class="prose">{html.escape(text)}</p>' * 6 + "</section>\n")


def write_html_staff_table(out: io.StringIO) -> None:
    out.write('<section style="break-before: page"><h2>Sezione 3: Organizzazione e capitale umano</h2>'
              '<p class="prose">Piano triennale dei fabbisogni di personale.</p><table style="width:160mm"><thead><tr>')
    out.write("".join(f"<th>{html.escape(name)}</th>" for name in STAFF_HEADER) + "</tr></thead><tbody>")
    for row in STAFF_ROWS:
        out.write("<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>")
    out.write("</tbody></table></section>\n")


def fodt_document(example: Example, options: Options) -> str:
    """An ODF flat text document: a real Writer table with header rows repeated on every page."""
    widths = COLUMN_WIDTHS_MM if options.landscape else tuple(w * 180 // 262 for w in COLUMN_WIDTHS_MM)
    page_w, page_h = ("297mm", "210mm") if options.landscape else ("210mm", "297mm")
    border = "0.5pt solid #000000" if options.ruled else "none"
    valign = {"top": "top", "middle": "middle", "bottom": "bottom"}[options.valign]
    out = io.StringIO()
    out.write(f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
 office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
<office:font-face-decls><style:font-face style:name="DejaVu Sans" svg:font-family="'DejaVu Sans'" style:font-family-generic="swiss"/></office:font-face-decls>
<office:styles>
 <style:default-style style:family="paragraph"><style:paragraph-properties fo:hyphenation-ladder-count="no-limit"/>
  <style:text-properties style:font-name="DejaVu Sans" fo:font-size="6.5pt" fo:language="it" fo:country="IT" fo:hyphenate="false"/></style:default-style>
 <style:style style:name="Standard" style:family="paragraph"/>
</office:styles>
<office:automatic-styles>
 <style:page-layout style:name="pm1"><style:page-layout-properties fo:page-width="{page_w}" fo:page-height="{page_h}"
  style:print-orientation="{'landscape' if options.landscape else 'portrait'}" fo:margin="15mm"/></style:page-layout>
 <style:style style:name="Title" style:family="paragraph"><style:text-properties fo:font-size="20pt"/>
  <style:paragraph-properties fo:margin-bottom="8mm"/></style:style>
 <style:style style:name="Cover" style:family="paragraph"><style:text-properties fo:font-size="14pt"/>
  <style:paragraph-properties fo:margin-bottom="6mm"/></style:style>
 <style:style style:name="Heading" style:family="paragraph"><style:text-properties fo:font-size="11pt" fo:font-weight="bold"/>
  <style:paragraph-properties fo:margin-top="4mm" fo:margin-bottom="2mm" fo:keep-with-next="always"/></style:style>
 <style:style style:name="Prose" style:family="paragraph"><style:text-properties fo:font-size="10pt"/>
  <style:paragraph-properties fo:text-align="justify" fo:margin-bottom="3mm"/></style:style>
 <style:style style:name="Break" style:family="paragraph"><style:paragraph-properties fo:break-before="page"/></style:style>
 <style:style style:name="HeadCell" style:family="paragraph"><style:text-properties fo:font-weight="bold"/></style:style>
 <style:style style:name="Table" style:family="table"><style:table-properties style:width="{sum(widths)}mm" table:align="left"
  fo:margin-bottom="4mm"/></style:style>
""")
    for index, width in enumerate(widths):
        out.write(f' <style:style style:name="Col{index}" style:family="table-column">'
                  f'<style:table-column-properties style:column-width="{width}mm"/></style:style>\n')
    out.write(f""" <style:style style:name="Row" style:family="table-row"><style:table-row-properties fo:keep-together="always"/></style:style>
 <style:style style:name="Cell" style:family="table-cell"><style:table-cell-properties fo:border="{border}" fo:padding="1mm"
  style:vertical-align="{valign}"/></style:style>
 <style:style style:name="HeadCellBox" style:family="table-cell"><style:table-cell-properties fo:border="{border}" fo:padding="1mm"
  fo:background-color="{'#ddddee' if options.ruled else 'transparent'}" style:vertical-align="top"/></style:style>
</office:automatic-styles>
<office:master-styles><style:master-page style:name="Standard" style:page-layout-name="pm1"/></office:master-styles>
<office:body><office:text>
""")
    title, *rest = [line for line in example.cover if line != "INDICE"]
    paragraph(out, "Title", title)
    for line in rest[:3]:
        paragraph(out, "Cover", line)
    if options.prose_pages:
        paragraph(out, "Break", "")
        paragraph(out, "Heading", "INDICE")
        for line in rest[3:] + [heading for heading, _ in PROSE]:
            paragraph(out, "Prose", line)
        for heading, text in PROSE:
            paragraph(out, "Break", "")
            paragraph(out, "Heading", heading)
            for _ in range(6):
                paragraph(out, "Prose", text)
        paragraph(out, "Break", "")
    for number, block in enumerate(example.blocks):
        paragraph(out, "Heading", block.section)
        paragraph(out, "Heading", f"DIRIGENTE: {block.dirigente}")
        write_fodt_table(out, f"Obiettivi{number + 1}", example.header, block.rows,
                         row_spans(block.rows) if options.merged else None, len(widths))
    if options.other_table:
        paragraph(out, "Break", "")
        paragraph(out, "Heading", "Sezione 3: Organizzazione e capitale umano")
        paragraph(out, "Prose", "Piano triennale dei fabbisogni di personale.")
        write_fodt_table(out, "Personale", STAFF_HEADER, STAFF_ROWS, None, len(STAFF_HEADER))
    out.write("</office:text></office:body></office:document>\n")
    return out.getvalue()


def paragraph(out: io.StringIO, style: str, text: str) -> None:
    out.write(f'<text:p text:style-name="{style}">{html.escape(text, quote=False)}</text:p>\n')


def write_fodt_table(out: io.StringIO, name: str, header: list[str], rows: list[list[str]],
                     spans_by_row: list[list[int]] | None, columns: int) -> None:
    out.write(f'<table:table table:name="{name}" table:style-name="Table">')
    out.write("".join(f'<table:table-column table:style-name="Col{index}"/>' for index in range(columns)))
    out.write('<table:table-header-rows><table:table-row table:style-name="Row">')
    for text in header:
        out.write('<table:table-cell table:style-name="HeadCellBox" office:value-type="string">'
                  f'<text:p text:style-name="HeadCell">{html.escape(text, quote=False)}</text:p></table:table-cell>')
    out.write("</table:table-row></table:table-header-rows>\n")
    for index, row in enumerate(rows):
        out.write('<table:table-row table:style-name="Row">')
        for column, text in enumerate(row):
            span = spans_by_row[index][column] if spans_by_row else 1
            if span == 0:
                out.write("<table:covered-table-cell/>")
                continue
            attribute = f' table:number-rows-spanned="{span}"' if span > 1 else ""
            out.write(f'<table:table-cell table:style-name="Cell" office:value-type="string"{attribute}>'
                      f'<text:p>{html.escape(text, quote=False)}</text:p></table:table-cell>')
        out.write("</table:table-row>\n")
    out.write("</table:table>\n")


# -- producers -----------------------------------------------------------------------------------------

def libreoffice_pdf(document: str, target: Path) -> None:
    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / (target.stem + ".fodt")
        source.write_text(document, encoding="utf-8")
        subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{work}/profile",
                        "--convert-to", "pdf", "--outdir", work, str(source)],
                       check=True, capture_output=True, timeout=300)
        shutil.move(Path(work) / (target.stem + ".pdf"), target)


def chromium_pdf(document: str, target: Path) -> None:
    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / (target.stem + ".html")
        source.write_text(document, encoding="utf-8")
        subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                        f"--user-data-dir={work}/profile", f"--print-to-pdf={target}", source.as_uri()],
                       check=True, capture_output=True, timeout=300)


def rotate_pages(path: Path) -> None:
    """Landscape pages stored as portrait pages whose content is drawn turned by a quarter turn,
    shown upright by the page's /Rotate 90 (what scanners and some office suites write)."""
    turned = path.with_suffix(".turned.pdf")
    subprocess.run(["qpdf", "--rotate=+270", "--flatten-rotation", str(path), str(turned)], check=True)
    subprocess.run(["qpdf", "--rotate=+90", str(turned), str(path)], check=True)
    turned.unlink()


def scanned_pdf(source: Path, target: Path, page: int) -> None:
    """One page of ``source`` as a picture only (no text layer), as a scanner would make it."""
    with tempfile.TemporaryDirectory() as work:
        subprocess.run(["pdftoppm", "-r", "110", "-gray", "-png", "-f", str(page), "-l", str(page), str(source),
                        f"{work}/scan"], check=True)
        image = next(Path(work).glob("scan*.png"))
        subprocess.run(["img2pdf", "--output", str(target), str(image)], check=True)


COMUNE_PDF = "comune-centri-responsabilita.pdf"
COMUNE_HEADER = ("Centro di responsabilità", "Codice", "Obiettivo operativo", "Peso %", "Indicatore di risultato",
                 "Unità di misura", "Baseline", "Target 2025", "Target 2026", "Scadenza")
COMUNE_SETTORI = (("Settore Servizi Sociali", "Dott.ssa Maria Rossi"), ("Settore Lavori Pubblici", "Ing. Paolo Bruni"),
                  ("Settore Polizia Locale", "Responsabile: Comm. Elena Sarti"))
COMUNE_TARGETS = (("%", "45,5%", "80-90%", "≥ 95% entro il 30/06/2026", "31/12/2025"),
                  ("giorni", "12", "entro 30 giorni", "≤ 5 gg", ""),
                  ("sì/no", "NO", "SI/NO", "SI", "entro il 30 giugno 2025"),
                  ("€", "1.234,5", "+10% rispetto al 2024", "€ 1.500,00", ""))


def comune_rows() -> list[tuple[str, ...]]:
    """Another comune's plan: three centri di responsabilità, each with its dirigente under its name in its
    cell, four objectives (codes ``OS1-OP1`` ...) of one weight each, three indicators an objective."""
    rows = []
    for number, (settore, person) in enumerate(COMUNE_SETTORI, start=1):
        for objective in range(1, 5):
            for indicator in range(3):
                unit, baseline, first, second, deadline = COMUNE_TARGETS[(objective + indicator) % len(COMUNE_TARGETS)]
                rows.append((f"{settore}\n{person}", f"OS{number}-OP{objective}",
                             f"Obiettivo {objective} del {settore.lower()}: miglioramento dei servizi", "25",
                             f"Indicatore {indicator + 1} dell'obiettivo OS{number}-OP{objective}", unit, baseline,
                             first, second, deadline))
    return rows


def comune_html() -> str:
    """The comune's plan printed by Chromium on portrait pages: the table runs over pages, ``<thead>`` repeated on
    each, the settore and objective cells merged down (rowspan), the dirigente on a line of the settore cell."""
    rows = comune_rows()
    out = io.StringIO()
    out.write("""<!doctype html><html lang="it"><head><meta charset="utf-8"><title>PIAO 2025-2027</title><style>
@page { size: A4 portrait; margin: 15mm; }
body { font-family: 'DejaVu Sans', sans-serif; font-size: 7pt; }
table { border-collapse: collapse; table-layout: fixed; width: 180mm; }
th, td { border: 0.6pt solid #000; padding: 1mm; vertical-align: top; text-align: left; overflow-wrap: break-word; }
th { background: #dde; } tr { break-inside: avoid; }
</style></head><body>
<p>COMUNE DI BORGOLAGO</p><p>Piano Integrato di Attività e Organizzazione 2025-2027</p>
<p>Sezione 2.2 – Obiettivi di performance</p><table><colgroup>""")
    out.write("".join(f'<col style="width:{width}mm">' for width in (24, 15, 28, 9, 28, 13, 14, 17, 18, 14)))
    out.write("</colgroup><thead><tr>" + "".join(f"<th>{html.escape(name)}</th>" for name in COMUNE_HEADER)
              + "</tr></thead><tbody>\n")
    for index, row in enumerate(rows):
        out.write("<tr>")
        for column, text in enumerate(row):
            merged = 12 if column == 0 else 3 if column in (1, 2, 3) else 1
            if index % merged:
                continue
            span = f' rowspan="{merged}"' if merged > 1 else ""
            out.write(f"<td{span}>" + "<br>".join(html.escape(part) for part in text.split("\n")) + "</td>")
        out.write("</tr>\n")
    out.write("</tbody></table><p>Note: i pesi degli obiettivi di ogni centro di responsabilità sommano a 100.</p>"
              "</body></html>\n")
    return out.getvalue()


FIXTURE_SETS = {
    "cremona-libreoffice.pdf": ("libreoffice", Options()),
    "cremona-chromium.pdf": ("chromium", Options()),
    "cremona-prose-pages.pdf": ("libreoffice", Options(prose_pages=True, other_table=True)),
    "cremona-rows-split.pdf": ("chromium", Options(valign="bottom", rows_split=True)),
    "cremona-cut-cell.pdf": ("chromium", Options(cut=(1, 5))),
    "cremona-unruled.pdf": ("chromium", Options(ruled=False)),
    "cremona-rotated.pdf": ("libreoffice", Options(rotate=90)),
}
EXAMPLE_PDF = ("libreoffice", Options(prose_pages=True))
SCANNED = ("scanned-page.pdf", "cremona-libreoffice.pdf", 2)     # name, made from, page
ENCRYPTED = ("encrypted.pdf", "cremona-libreoffice.pdf", "segreto")   # name, pages 1-2 of, user password


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="fixtures to write, or 'example' (default: all)")
    parser.add_argument("--out", type=Path, default=FIXTURES)
    parser.add_argument("--keep-source", action="store_true", help="also write the .html/.fodt beside the PDF")
    args = parser.parse_args()
    example = read_example()
    args.out.mkdir(parents=True, exist_ok=True)
    for name, (producer, options) in FIXTURE_SETS.items():
        if args.names and name not in args.names:
            continue
        target = args.out / name
        if producer == "libreoffice":
            document = fodt_document(example, options)
            libreoffice_pdf(document, target)
        else:
            document = html_document(example, options)
            chromium_pdf(document, target)
        if options.rotate:
            rotate_pages(target)
        if args.keep_source:
            target.with_suffix(".fodt" if producer == "libreoffice" else ".html").write_text(document, encoding="utf-8")
        print(f"wrote {target} ({target.stat().st_size:,} bytes)", file=sys.stderr)
    if not args.names or COMUNE_PDF in args.names:
        chromium_pdf(comune_html(), args.out / COMUNE_PDF)
        print(f"wrote {args.out / COMUNE_PDF}", file=sys.stderr)
    name, source, page = SCANNED
    if not args.names or name in args.names:
        scanned_pdf(args.out / source, args.out / name, page)
        print(f"wrote {args.out / name}", file=sys.stderr)
    name, source, password = ENCRYPTED
    if not args.names or name in args.names:
        subprocess.run(["qpdf", str(args.out / source), "--pages", str(args.out / source), "1-2", "--",
                        "--encrypt", password, password + "-owner", "256", "--", str(args.out / name)], check=True)
        print(f"wrote {args.out / name}", file=sys.stderr)
    if not args.names or "example" in args.names:
        target = ROOT / "examples" / EXAMPLE.with_suffix(".pdf").name
        libreoffice_pdf(fodt_document(example, EXAMPLE_PDF[1]), target)
        print(f"wrote {target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
