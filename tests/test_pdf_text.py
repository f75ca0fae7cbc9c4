"""Cell text wrapped over several lines of a PDF, joined back: spaces, hyphenation, real hyphens."""

from __future__ import annotations

import pytest

from piao_lod.converters.pdf_text import Vocabulary, join_lines

DOCUMENT = ["la amministrazione comunale cura il servizio socio-sanitario e la gestione economico-finanziaria",
            "un sanitario del distretto"]


@pytest.fixture
def vocabulary() -> Vocabulary:
    words = Vocabulary()
    words.add_lines(DOCUMENT)
    return words


@pytest.mark.parametrize("lines, joined", [
    (["PNRR - M5C2-", "I2.1 - Piste ciclabili"], "PNRR - M5C2-I2.1 - Piste ciclabili"),      # a code
    (["relazione di fine mandato 2019-", "2024"], "relazione di fine mandato 2019-2024"),    # a range
    (["servizi ASST-", "CR"], "servizi ASST-CR"),
    (["la ammini-", "strazione"], "la amministrazione"),             # the document writes the word whole
    (["servizio socio-", "sanitario"], "servizio socio-sanitario"),  # ... or the compound
    (["area economico-", "patrimoniale"], "area economico-patrimoniale"),   # a compound start it uses
    (["un pro-", "getto"], "un progetto"),                          # no evidence: hyphenation
    (["parola\u00ad", "chiave"], "parolachiave"),                   # a soft hyphen is the typesetter's
    (["PNRR -", "M5C2-I2.3"], "PNRR - M5C2-I2.3"),                  # a dash between spaces
    (["1 = fatto /", "0 = non fatto"], "1 = fatto / 0 = non fatto"),
    (["lavori/", "forniture"], "lavori/forniture"),
    (["numero / \\", "text{ingressi}"], "numero / \\text{ingressi}"),   # LaTeX broken after its backslash
    (["Tramite il  bando", "", "del Ministero"], "Tramite il bando del Ministero"),
])
def test_wrapped_lines_are_joined_as_written(vocabulary, lines, joined):
    assert join_lines(lines, vocabulary) == joined


def test_evidence_on_a_later_line_counts():
    words = Vocabulary()
    words.add_lines(["il proget-", "to", "il progetto esecutivo"])
    assert join_lines(["il proget-", "to"], words) == "il progetto"


def test_a_word_cut_at_a_line_end_is_not_taken_as_evidence():
    words = Vocabulary()
    words.add_lines(["la rete socio-"])
    assert "socio" not in words.compound_starts
