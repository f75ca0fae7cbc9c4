#!/usr/bin/env python3
"""Write tests/data/layouts/comuni/peg-aree-nascoste.xlsx: openpyxl, then the cached values Excel saves beside
formulas (openpyxl writes none) put into the sheet XML.

    .venv/bin/python tools/make_layout_workbooks.py

The tests read the file it wrote (checked in); tests/data/README.md says what the workbook exercises.
"""
import re
import zipfile
from pathlib import Path
from openpyxl import Workbook
from openpyxl.styles import Alignment

OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "layouts" / "comuni" / "peg-aree-nascoste.xlsx"
CACHED = {}            # (sheet index, cell) -> cached value
wb = Workbook()
cover = wb.active
cover.title = "Copertina"
cover["A1"] = "COMUNE DI BORGO SAN VITO"
cover["A2"] = "Piano Esecutivo di Gestione e Piano della Performance 2025"
ws = wb.create_sheet("Obiettivi 2025")
ws.append(["COMUNE DI BORGO SAN VITO"])
ws.append(["PIANO DELLA PERFORMANCE 2025"])
header = ["Codice", "Obiettivo strategico", "Obiettivo operativo", "Descrizione", "Peso obiettivo (%)", "Dirigente",
          "Indicatore", "Formula di calcolo", "U.M.", "Baseline 2024", "Target 2025", "Target 2026", "Target 2027",
          "Scadenza", "Note interne"]
ws.append(header)
ws.merge_cells("A1:N1"); ws.merge_cells("A2:N2")
ws.append(["AREA 1 – AMMINISTRATIVA"]); ws.merge_cells("A4:N4")
ws.append(["2.1.1", "Una PA vicina ai cittadini", "Semplificazione\ndei procedimenti", "Riduzione dei tempi di rilascio", 60,
           "Responsabile: Dott. Carlo Galli", "Pratiche evase nei termini", "pratiche evase / pratiche ricevute * 100", "%",
           0.75, 0.85, "=K5+0.05", 0.95, 46022, "verificare con l'ufficio"])
ws.append([None, None, None, None, None, None, "Tempo medio di rilascio", None, "giorni", 20, "entro 15 giorni", 12, 10])
for column in "ABCDEF":
    ws.merge_cells(f"{column}5:{column}6")
ws.append(["2.1.2", "Una PA vicina ai cittadini", "Nuovo regolamento degli uffici", None, "=100-E5",
           "Responsabile: Dott. Carlo Galli", "Regolamento approvato", None, "sì/no", "NO", "SI", None, None, 45838])
CACHED[("sheet2", "L5")] = "0.9"
CACHED[("sheet2", "E7")] = "40"
ws.append(["2.1.9", "Una PA vicina ai cittadini", "Obiettivo soppresso", None, 0, "Dott. Carlo Galli",
           "Indicatore soppresso", None, "numero", None, 1])
ws.row_dimensions[8].hidden = True
ws.append([])
ws.append(["AREA 2 – TECNICA"]); ws.merge_cells("A10:N10")
ws.append(["OB_07", "Territorio sicuro", "Manutenzione delle strade", None, 100, "Ing. Sara Conti",
           "Strade riasfaltate", None, "km", 1234.5, 3.5, 4, "4,5"])
ws.append(["Totale", None, None, None, "=SUM(E11:E11)"])
CACHED[("sheet2", "E12")] = "100"
for cell in ("J5", "K5", "L5", "M5"):
    ws[cell].number_format = "0%"
for cell in ("N5", "N7"):
    ws[cell].number_format = "dd/mm/yyyy"
ws["J11"].number_format = "#,##0.0"
for row in ws.iter_rows():
    for cell in row:
        cell.alignment = Alignment(wrap_text=True)
ws.column_dimensions["O"].hidden = True
other = wb.create_sheet("Trasversali")
other.append(header[:14])
other.append(["T-01", "Trasparenza", "Aggiornamento di Amministrazione trasparente", None, 100, "Dott.ssa Anna Riva",
              "Sezioni aggiornate", None, "%", 0.8, "100% entro il 31/12/2025", "100%", "100%"])
other["J2"].number_format = "0%"
legend = wb.create_sheet("Legenda")
legend["A1"] = "Legenda: U.M. = unità di misura; i pesi degli obiettivi di ogni area sommano a 100."
wb.save(OUT)

# openpyxl writes formulas without the value Excel caches beside them: put it there, as Excel saves it
tmp = OUT.with_suffix(".tmp")
with zipfile.ZipFile(OUT) as source, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as target:
    for item in source.infolist():
        data = source.read(item.filename)
        sheet = Path(item.filename).stem
        for (name, cell), value in CACHED.items():
            if name == sheet:
                data, count = re.subn(rf'(<c r="{cell}"[^>]*>)<f>([^<]*)</f><v\s*/?>(?:</v>)?'.encode(),
                                      rf"\1<f>\2</f><v>{value}</v>".encode(), data)
                assert count == 1, (cell, data[:3000])
        target.writestr(item, data)
tmp.replace(OUT)
