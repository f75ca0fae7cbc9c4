"""What the site's pages say, in both editions, read as a citizen would: parsed HTML of a built site.

The site is built from the Cremona example and the made-up comune of Valleverde in two years
(``tests/data/layouts/dup-cascade.csv`` for 2025, ``tests/data/site/valleverde-2026.csv`` for 2026),
so objectives continue across years and indicators have targets over several years.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup, NavigableString

ROOT = Path(__file__).parents[1]
DATA = Path(__file__).parent / "data"
EXAMPLE = ROOT / "examples" / "cremona-piao-2024-2026-obiettivi.txt"
CONTACT = "dati@example.org"
VALLEVERDE_2026 = "id/x_valleverde/piano/2026/obiettivo/OB.2026.01/"
VALLEVERDE_2025_SAME_TITLE = "id/x_valleverde/piano/2025/obiettivo/OB.01.08.01/"
VALLEVERDE_SAME_CODE = "id/x_valleverde/piano/{year}/obiettivo/OB.03.01.02/"
CREMONA_OBJECTIVE = "id/c_d150/piano/2024/obiettivo/1.3.2_0003/"


def run(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "piao_lod", *arguments], capture_output=True, text=True, check=False)


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("pages")
    valleverde_2025 = work / "valleverde-2025.trig"
    converted = run("convert", str(DATA / "layouts" / "dup-cascade.csv"), "--ente", "x_valleverde", "--year", "2025",
                    "-o", str(valleverde_2025))
    assert converted.returncode == 0, converted.stderr
    out = work / "_site"
    built = run("build", str(EXAMPLE), str(valleverde_2025), str(DATA / "site" / "valleverde-2026.csv"), "-o", str(out),
                "--contact-email", CONTACT, "--no-search")
    assert built.returncode == 1, built.stderr          # the example's genuine violation, reported
    assert "Traceback" not in built.stderr
    return out


@pytest.fixture(scope="module")
def italian(site) -> dict[str, BeautifulSoup]:
    """Every Italian page by its path in the site."""
    return {path.relative_to(site).as_posix(): soup(path) for path in site.rglob("*.html")
            if path.relative_to(site).parts[0] != "en"}


@pytest.fixture(scope="module")
def english(site) -> dict[str, BeautifulSoup]:
    """Every English page by the path of its Italian counterpart."""
    return {path.relative_to(site / "en").as_posix(): soup(path) for path in (site / "en").rglob("*.html")}


def page(site: Path, folder: str, lang: str = "it") -> BeautifulSoup:
    return soup(site / ("en/" if lang == "en" else "") / folder / "index.html")


def texts(page: BeautifulSoup, skip_lang: str) -> list[str]:
    """The visible text nodes of a page, leaving out code and parts marked as in ``skip_lang`` (plan data)."""
    found = []
    for node in page.body.find_all(string=True):
        if not isinstance(node, NavigableString) or not node.strip():
            continue
        if any(parent.name in ("script", "style", "code", "pre", "textarea") or parent.get("lang") == skip_lang
               for parent in node.parents if parent.name):
            continue
        found.append(" ".join(node.split()))
    return found


def catalogue(lang: str):
    with (ROOT / "locales" / lang / "LC_MESSAGES" / "piao_lod.po").open("rb") as handle:
        return read_po(handle, locale=lang)


# Words spelled the same in both languages that the catalogue has in only one of them ("data": Italian for date),
# and the ontology's English label of piao:ente, which keeps the Italian term.
BOTH_LANGUAGES = {"data", "ente"}


def words_only_in(lang: str) -> set[str]:
    """Interface texts (no placeholders, no plural forms) of ``lang`` that are no interface text of the other
    language: such a text on a page of the other edition is a text left untranslated."""
    strings = {code: {message.string for message in catalogue(code)
                      if isinstance(message.id, str) and message.id and "{" not in message.id and message.string}
               for code in ("it", "en")}
    other = "en" if lang == "it" else "it"
    return {text for text in strings[lang] - strings[other] - BOTH_LANGUAGES if len(text) > 3}


# -- the two editions -------------------------------------------------------------------------------------

def test_every_page_has_an_english_edition_linked_both_ways(site, italian, english):
    assert set(english) == set(italian)
    for path, it_page in italian.items():
        if path == "404.html":
            continue
        en_page = english[path]
        assert (it_page.html["lang"], en_page.html["lang"]) == ("it", "en"), path
        it_links = {link["hreflang"]: link["href"] for link in it_page.find_all("link", rel="alternate", hreflang=True)}
        en_links = {link["hreflang"]: link["href"] for link in en_page.find_all("link", rel="alternate", hreflang=True)}
        assert it_links == en_links and set(it_links) == {"it", "en", "x-default"}, path
        assert it_links["en"].endswith("/en/" + path.removesuffix("index.html")), path
        switch = en_page.find("a", hreflang="it")
        assert (site / "en" / path).parent.joinpath(switch["href"]).resolve() == (site / path).parent.resolve() or \
            (site / "en" / path).parent.joinpath(unquote(switch["href"])).resolve() == (site / path).resolve(), path


def test_english_pages_link_to_english_pages_and_the_one_copy_of_the_data(site, english):
    for path, en_page in list(english.items())[::7]:
        for anchor in en_page.select("main a[href], nav a[href]"):
            href = anchor["href"]
            if urlsplit(href).scheme or href.startswith(("#", "mailto:")) or anchor.get("hreflang"):
                continue
            target = ((site / "en" / path).parent / unquote(urlsplit(href).path)).resolve()
            assert target.is_file() or (target / "index.html").is_file(), (path, href)
            if (target / "index.html").is_file() and target.name not in ("static", "pagefind"):
                assert target.is_relative_to((site / "en").resolve()), (path, href)


def test_no_english_interface_text_on_italian_pages_and_no_italian_on_english_ones(italian, english):
    only_english, only_italian = words_only_in("en"), words_only_in("it")
    assert len(only_english) > 200
    leaks = [(path, text) for path, it_page in italian.items() for text in texts(it_page, "en") if text in only_english]
    assert not leaks[:10]
    leaks = [(path, text) for path, en_page in english.items() for text in texts(en_page, "it") if text in only_italian]
    assert not leaks[:10]


def test_counts_agree_with_their_nouns(site):
    home_it, home_en = page(site, ""), page(site, "", "en")
    assert "2 enti" in home_it.find("meta", attrs={"name": "description"})["content"]
    assert "3 piani" in home_it.find("meta", attrs={"name": "description"})["content"]
    assert "2 public bodies" in home_en.find("meta", attrs={"name": "description"})["content"]
    body = " ".join(home_it.main.get_text(" ").split())
    assert not re.search(r"\b1 (?:enti|piani|obiettivi|indicatori|settori|dirigenti)\b", body), body[:500]
    validation = " ".join(page(site, "validazione/").main.get_text(" ").split())
    assert not re.search(r"\b1 (?:violazioni|avvisi|note|righe)\b", validation)
    assert not re.search(r"\b(?:[02-9]|\d\d+) (?:violazione|avviso|nota|riga)\b", validation)
    ente = page(site, "id/x_valleverde/").find("meta", attrs={"name": "description"})["content"]
    assert re.search(r"\b2 piani\b", ente), ente


# -- what each page is ---------------------------------------------------------------------------------------

def test_titles_come_from_labels_and_descriptions_from_content(italian, english):
    for pages in (italian, english):
        titles, descriptions = {}, {}
        for path, html in pages.items():
            title = html.title.get_text().split(" – ")[0]
            assert not re.fullmatch(r"[\w.]+(?:-[\w.]+)+|\d+", title), (path, title)       # never a slug or a number
            if path.startswith("id/") or path.startswith("pnrr/") or path.startswith("bilancio/"):
                titles.setdefault(html.title.get_text(), []).append(path)
                descriptions.setdefault(html.find("meta", attrs={"name": "description"})["content"], []).append(path)
        assert not [paths for paths in titles.values() if len(paths) > 1]
        assert not [paths for paths in descriptions.values() if len(paths) > 1][:5]


def test_objective_titles_carry_their_code(site):
    html = page(site, CREMONA_OBJECTIVE)
    assert html.title.get_text().startswith(html.h1.get_text() + " (Obiettivo 1.3.2_0003, 2024) – ")
    assert page(site, CREMONA_OBJECTIVE, "en").title.get_text().startswith(html.h1.get_text() + " (Objective 1.3.2_0003, 2024) – ")


def test_a_source_row_page_shows_the_row_as_written_and_links_to_the_source_file(site):
    objective = page(site, CREMONA_OBJECTIVE)
    source_row = objective.find("dt", string="Riga di origine").find_next_sibling("dd").a
    folder = (site / CREMONA_OBJECTIVE / source_row["href"]).resolve()
    row = soup(folder / "index.html")
    assert row.h1.get_text() == "Riga 23 di cremona-piao-2024-2026-obiettivi.txt"
    cells = {tr.find_all("td")[1].get_text(): tr.find_all("td")[2].get_text() for tr in row.select("main table tbody tr")
             if len(tr.find_all("td")) == 3}
    assert cells["Codice Obiettivo"] == "1.3.2_0003"
    assert any("piste ciclabili" in cell for cell in cells.values())
    file_link = row.find("dt", string="File").find_next_sibling("dd").a
    source = (folder / unquote(file_link["href"])).resolve()
    assert source == (site / "dati" / "fonti" / "cremona-piao-2024-2026-obiettivi.txt").resolve() and source.is_file()
    line = source.read_text(encoding="utf-8").splitlines()[22]
    assert "1.3.2_0003" in line


# -- numbers, charts, tables -------------------------------------------------------------------------------

def test_percentage_targets_and_baselines_carry_the_percent_sign(site):
    html = page(site, VALLEVERDE_2026)
    table = html.select("main table")[0]
    headers = [th.get_text() for th in table.thead.find_all("th")]
    rows = {tr.find_all(["td", "th"])[0].a.get_text(strip=True): [td.get_text(strip=True) for td in tr.find_all(["td", "th"])]
            for tr in table.tbody.find_all("tr")}
    migrated = rows["Servizi applicativi migrati sul totale"]
    assert migrated[headers.index("Target 2026")] == "80%"
    assert migrated[headers.index("Valore iniziale")].startswith("55%")
    assert rows["Dipendenti formati sugli strumenti cloud"][headers.index("Target 2026")] == "90"


def test_an_indicator_shows_its_targets_as_a_series_over_the_years(site):
    html = page(site, VALLEVERDE_2026)
    charts = html.select("main figure.chart svg[role=img]")
    assert len(charts) == 2
    years = [text.get_text() for text in charts[0].find_all("text") if re.fullmatch(r"20\d\d", text.get_text())]
    assert years == ["2025", "2026", "2027", "2028"]
    assert "valore iniziale: 55%" in charts[1].get_text() and "target: 80%" in charts[1].get_text()


def test_download_sizes_read_as_people_read_them(site):
    data = page(site, "dati/")
    sizes = [cell.get_text(strip=True) for cell in data.select("main table td.text-end")]
    assert sizes and all(re.fullmatch(r"\d{1,3}(,\d)? (kB|MB|GB)|\d{1,3} byte", size) for size in sizes), sizes
    english_sizes = [cell.get_text(strip=True) for cell in page(site, "dati/", "en").select("main table td.text-end")]
    assert all(re.fullmatch(r"\d{1,3}(\.\d)? (kB|MB|GB)|\d{1,3} bytes?", size) for size in english_sizes), english_sizes


def test_every_table_scrolls_in_its_own_region_with_a_hint_on_phones(italian):
    for path, html in list(italian.items())[::5]:
        for table in html.select("main table"):
            region = table.parent
            assert "table-responsive" in region.get("class", []) and region.get("role") == "region", path
            assert region.get("aria-label") and region.get("tabindex") == "0", path
            hint = region.find_previous_sibling("p")
            assert hint is not None and "scroll-hint" in hint.get("class", []), path


def history_links(site: Path, path: str) -> dict[str, str]:
    """An objective page's history table: its year and version cells -> where the title links to (or None)."""
    section = page(site, path).find("section", attrs={"aria-labelledby": "storia"})
    found = {}
    for row in section.find("tbody").find_all("tr"):
        year, version, title, matched = row.find_all("td")
        link = title.a
        found[year.get_text(strip=True)] = (None if link is None else (site / path / link["href"]).resolve(),
                                            matched.get_text(strip=True))
    return found


def test_objectives_link_to_themselves_in_other_years(site):
    by_title = history_links(site, VALLEVERDE_2026)
    assert by_title["2025"] == ((site / VALLEVERDE_2025_SAME_TITLE).resolve(), "stesso titolo")
    assert by_title["2026"][0] is None                                   # the page itself
    back = history_links(site, VALLEVERDE_2025_SAME_TITLE)
    assert back["2026"] == ((site / VALLEVERDE_2026).resolve(), "stesso titolo")
    by_code = history_links(site, VALLEVERDE_SAME_CODE.format(year=2025))
    assert by_code["2026"] == ((site / VALLEVERDE_SAME_CODE.format(year=2026)).resolve(), "stesso codice")


# -- the frame of every page ---------------------------------------------------------------------------------

def test_header_footer_favicon_and_the_publishers_statements(site, italian):
    for path in ("", CREMONA_OBJECTIVE, "validazione/"):
        for lang in ("it", "en"):
            html = page(site, path, lang)
            here = site / ("en/" if lang == "en" else "") / path
            button = html.select_one("header button[aria-controls]")
            assert button is not None and button.get("aria-expanded") == "false"
            assert html.find(id=button["aria-controls"]) is not None
            icon = html.find("link", rel="icon")
            assert (here / icon["href"]).resolve().is_file()
            footer = html.find("footer")
            for folder in ("accessibilita/", "note-legali/"):
                anchor = footer.find("a", href=lambda href: href and href.endswith(folder))
                assert anchor is not None, (path, lang, folder)
                assert ((here / anchor["href"]) / "index.html").resolve().is_file()
    statement = page(site, "accessibilita/")
    assert statement.h1.get_text(strip=True) == "Dichiarazione di accessibilità"
    assert page(site, "note-legali/", "en").h1.get_text(strip=True) == "Legal notes"


# The menu's folders and the page types each one is the place of (its first: the page itself).
MENU = {"": ("home",), "pnrr/scheme/": ("pnrr-scheme", "pnrr"), "bilancio/scheme/": ("budget-scheme", "budget"),
        "query/": ("queries", "query"), "sparql/": ("sparql",), "validazione/": ("validation",),
        "ontology/": ("ontology",), "dati/": ("data",)}


def test_every_pages_menu_and_footer_lead_into_its_edition_and_mark_where_it_is(site, italian, english):
    """The menu and the footer are rendered once per folder depth, edition and page type (``shared_part``): on
    every page their links still lead to the pages of its own edition and the menu marks the page's own place."""
    for edition, pages in (("", italian), ("en/", english)):
        for path, html in pages.items():
            here = (site / edition / path).parent
            kind = html.find("meta", attrs={"name": "piao:page-type"})["content"]
            items = html.select("header .navbar-nav a.nav-link")
            assert len(items) == len(MENU), path
            for item, (folder, kinds) in zip(items, MENU.items()):
                assert (here / item["href"]).resolve() == (site / edition / folder).resolve(), (edition, path, folder)
                assert ("active" in item["class"]) == (kind in kinds), (edition, path, folder)
                assert (item.get("aria-current") == "page") == (kind == kinds[0]), (edition, path, folder)
            footer = html.find("footer").find_all("a")
            assert len(footer) == 6, path
            for link in footer:
                target = (here / link["href"]).resolve()
                assert target.is_file() or (target / "index.html").is_file(), (edition, path, link["href"])
                assert target.is_file() or target.is_relative_to((site / edition).resolve()), (edition, path)


def test_search_knows_the_kind_of_every_result_and_weighs_the_plans_own_pages_first(site):
    objective, measure = page(site, CREMONA_OBJECTIVE), page(site, "pnrr/M5C2-I2.1/")
    assert objective.main["data-pagefind-meta"] == "kind:Obiettivo"
    assert measure.main["data-pagefind-meta"] == "kind:Misura PNRR"
    assert page(site, CREMONA_OBJECTIVE, "en").main["data-pagefind-meta"] == "kind:Objective"
    assert float(objective.h1["data-pagefind-weight"]) > float(measure.h1["data-pagefind-weight"])
    indicator = page(site, "id/c_d150/indicatore/844/")
    assert indicator.main["data-pagefind-meta"] == "kind:Indicatore"


def test_a_query_whose_whole_answer_grows_with_the_square_of_the_corpus_is_not_run_and_says_why(site):
    """``shared-pnrr-measures`` says ``# kept: no``: its page gives the reason and how to run it with a parameter
    instead of an answer (which a regional build could not afford), and the list shows no count for it."""
    said = {"it": ("Non calcolata per questo sito: senza parametri ha una riga per ogni coppia di enti", "non calcolate"),
            "en": ("Not computed for this site: without parameters it has a row for every pair of enti", "not computed")}
    for lang, (sentence, hidden) in said.items():
        answer = page(site, "query/shared-pnrr-measures", lang).find("h2", string=re.compile("^(Risposta|Answer)$"))
        note = answer.find_next_sibling("p")
        assert note.get_text(" ", strip=True).startswith(sentence)
        assert note.code.get_text() == f"piao-lod query shared-pnrr-measures --param ente1={'VALORE' if lang == 'it' else 'VALUE'} --store piao-store"
        assert answer.find_next_sibling("table") is None and not answer.find_all_next("table")
        rows = {row.code.get_text(): row.find_all("td")[-1] for row in page(site, "query", lang).tbody.find_all("tr")}
        assert rows["shared-pnrr-measures"].get_text(" ", strip=True) == f"– {hidden}"
        assert all(re.fullmatch(r"[0-9.,]+", cell.get_text(strip=True)) for name, cell in rows.items()
                   if name != "shared-pnrr-measures")
