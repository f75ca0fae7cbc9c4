"""``piao-lod inspect``: how a table reads, for someone bringing the plan of a new comune.

It shows which column maps to which field and which are not understood, the blocks, objectives
and indicator rows found, and the problems; for what was not understood it writes a starter
layout profile, to be completed and given back with ``--profile``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from piao_lod.columns import FIELD_LABELS, FIELDS, IGNORED, Column, TableLayout, read_layout
from piao_lod.converters import RawTable, read_source_rows
from piao_lod.errors import SourceError
from piao_lod.layout_profiles import Profile, load_profile
from piao_lod.messages import DEFAULT_LANGUAGE, gettext, ngettext
from piao_lod.plan_table import PlanAssembler
from piao_lod.problems import Problem, Quoted
from piao_lod.reading import ReadingOptions
from piao_lod.records import Plan

CANDIDATE_ROWS = 3


@dataclass
class TableInspection:
    path: Path
    raw: RawTable | None
    profile: Profile | None
    layouts: list[tuple[int, TableLayout]] = field(default_factory=list)     # (line of the header, layout)
    plan: Plan | None = None
    error: SourceError | None = None
    problems: list[Problem] = field(default_factory=list)

    one_cell_rows: list[tuple[int, str]] = field(default_factory=list)   # rows that may be block headings

    @property
    def unknown_headers(self) -> list[str]:
        """The headers not understood: of every header found, or of the likeliest header row when none was."""
        seen: dict[str, None] = {}
        for _, layout in (self.layouts if self.found_header else self.layouts[:1]):
            for _, text in layout.unknown:
                seen.setdefault(text, None)
        return list(seen)

    @property
    def found_header(self) -> bool:
        return self.error is None or self.plan is not None or "no plan table" not in self.error.message("en")


def inspect_table(path: Path, options: ReadingOptions) -> TableInspection:
    """Read the table as ``convert`` would and keep what the reader saw; an unreadable table is reported, not raised,
    unless the file cannot be read at all."""
    profile = load_profile(options.profile) if options.profile else None
    raw = read_source_rows(path, options.source_format, options.pages)
    assembler = PlanAssembler(path, raw, profile)
    found = TableInspection(path, raw, assembler.profile)
    try:
        found.plan = assembler.assemble(options.ente, options.year)
    except SourceError as error:
        found.error = error
    found.problems = assembler.problems
    found.layouts = [(assembler.layout_lines[signature], layout) for signature, layout in assembler.layouts.items()]
    if not found.layouts:
        found.layouts = candidate_layouts(raw, assembler)
    first_header = min((line for line, _ in found.layouts), default=0)
    found.one_cell_rows = [(row.line, row.cells[0].strip()) for row in raw.rows
                           if row.tabular and row.line > first_header and row.cells and row.cells[0].strip()
                           and sum(1 for cell in row.cells if cell.strip()) == 1][:20]
    return found


def candidate_layouts(raw: RawTable, assembler: PlanAssembler) -> list[tuple[int, TableLayout]]:
    """With no header found, the rows that look most like one, read cell by cell: what a profile must map."""
    tabular = [row for row in raw.rows if row.tabular and not row.is_blank]
    ranked = sorted(tabular[:200], key=lambda row: -sum(1 for cell in row.cells if 0 < len(cell.strip()) <= 80))
    layouts = []
    for row in ranked[:CANDIDATE_ROWS]:
        layout = read_layout(row.cells, assembler.vocabulary)
        if layout is None:
            columns = [Column(index, " ".join(cell.split()), found.field, found.year, found.offset)
                       for index, cell in enumerate(row.cells)
                       if cell.strip() and (found := assembler.vocabulary.match(cell)) is not None]
            mapped = {column.index for column in columns}
            unknown = [(index, " ".join(cell.split())) for index, cell in enumerate(row.cells)
                       if cell.strip() and index not in mapped]
            layout = TableLayout(tuple(row.cells), columns, [], unknown)
        layouts.append((row.line, layout))
    return layouts


def column_reading(column: Column, lang: str) -> str:
    label = gettext(lang, FIELD_LABELS[column.field])
    if column.year is not None:
        return gettext(lang, "{field}, year {year}", field=label, year=column.year)
    if column.offset is not None:
        return gettext(lang, "{field}, plan year + {offset}", field=label, offset=column.offset)
    return label


def render_inspection(found: TableInspection, lang: str = DEFAULT_LANGUAGE) -> str:
    out = []
    raw = found.raw
    out.append(gettext(lang, "{file}: read as {media_type}, {rows}", file=str(found.path), media_type=raw.media_type,
                       rows=ngettext(lang, "{count} row", "{count} rows", len(raw.rows))))
    if found.profile:
        out.append(gettext(lang, "Layout profile: {name} ({source})", name=found.profile.name, source=found.profile.source))
    for line, layout in found.layouts:
        title = (gettext(lang, "Header at line {line}:", line=line) if found.found_header
                 else gettext(lang, "No header found; the row at line {line} reads as:", line=line))
        out.append("")
        out.append(title)
        readings = {column.index: column_reading(column, lang) for column in layout.columns}
        for first, second in layout.duplicates:
            readings[second.index] = gettext(lang, "{field} again: not read (the column “{first}” is)",
                                             field=gettext(lang, FIELD_LABELS[second.field]), first=first.header)
        for index, text in layout.unknown:
            readings[index] = gettext(lang, "not understood")
        for index in sorted(readings):
            header = " ".join(layout.cells[index].split()) if index < len(layout.cells) else ""
            out.append(f"  {gettext(lang, 'column {number}', number=index + 1):>12}  {Quoted(header).render(lang)} "
                       f"→ {readings[index]}")
        missing = [gettext(lang, FIELD_LABELS[name]) for name in ("objective_title", "settore", "indicator_title",
                                                                   "target", "weight") if name not in layout.fields]
        if missing:
            out.append("  " + gettext(lang, "Not found: {fields}", fields=", ".join(missing)))
    out.append("")
    plan = found.plan
    if plan is not None:
        assignments = sum(len(objective.assignments) for objective in plan.objectives)
        dirigenti = {objective.dirigente.name for objective in plan.objectives if objective.dirigente}
        settori = {mention.name.name for objective in plan.objectives for mention in objective.settori}
        years = sorted({figures.year for objective in plan.objectives for assignment in objective.assignments
                        for figures in assignment.years})
        ente = f"{plan.ente.name} ({plan.ente.ipa_code})"
        out.append(gettext(lang, "Plan: {ente}, {year}", ente=ente, year=plan.year))
        out.append("  " + ", ".join([
            ngettext(lang, "{count} objective", "{count} objectives", len(plan.objectives)),
            ngettext(lang, "{count} indicator row", "{count} indicator rows", assignments),
            ngettext(lang, "{count} settore", "{count} settori", len(settori)),
            ngettext(lang, "{count} dirigente", "{count} dirigenti", len(dirigenti))]))
        if years:
            out.append("  " + gettext(lang, "Target years: {years}", years=", ".join(map(str, years))))
        for objective in plan.objectives[:5]:
            indicators = ngettext(lang, "{count} indicator", "{count} indicators", len(objective.assignments))
            out.append(f"    {objective.code or '—'}  {short(objective.title)}  ({indicators})")
        if len(plan.objectives) > 5:
            out.append("    …")
    if found.error is not None:
        out.append(gettext(lang, "Not readable as a plan: {error}", error=found.error.message(lang)))
    if found.problems:
        out.append("")
        out.append(ngettext(lang, "{count} problem:", "{count} problems:", len(found.problems)))
        out += [f"  {problem.describe(lang)}" for problem in found.problems[:40]]
        if len(found.problems) > 40:
            out.append("  …")
    profile = starter_profile(found, lang)
    if profile:
        out.append("")
        out.append(gettext(lang, "A starter profile for what was not understood (complete it, save it as a .toml "
                                 "file and give it with --profile):"))
        out.append(profile)
    return "\n".join(out) + "\n"


def short(text: str, limit: int = 70) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def starter_profile(found: TableInspection, lang: str = DEFAULT_LANGUAGE) -> str | None:
    """A TOML profile mapping every header not understood to ``ignore``, with the fields it could be instead (its
    comments and description in ``lang``; the keys and field names are the profile format's own)."""
    unknown = found.unknown_headers
    if not unknown and found.plan is not None:
        return None
    line, layout = found.layouts[0] if found.layouts else (0, None)
    known = [column.header for column in layout.columns][:3] if layout else []
    description = gettext(lang, "Layout of {file}", file=found.path.name)
    lines = ["[profile]", f"name = {toml_string(found.path.stem)}", f"description = {toml_string(description)}", "",
             "[match]",
             f"headers = [{', '.join(toml_string(text) for text in (known + unknown)[:3])}]", "",
             "[columns]", "# " + gettext(lang, "fields: {fields}, or {ignored}", fields=", ".join(FIELDS), ignored=IGNORED)]
    if layout:
        lines += [f"{toml_string(column.header)} = {toml_string(column.field)}" for column in layout.columns]
    todo = gettext(lang, "TODO: the field this column holds")
    lines += [f"{toml_string(text)} = {toml_string(IGNORED)}   # {todo}" for text in unknown]
    if found.one_cell_rows:
        example = found.one_cell_rows[0][1]
        word = re.match(r"[^\W\d_]+", example)
        pattern = f"^{re.escape(word[0])}\\b\\W*(?P<value>.+)$" if word else "^(?P<value>.+)$"
        lines += ["", "[blocks]", "# " + gettext(lang, "rows holding one cell, like “{example}” (line {line}), may open a "
                                                       "block of rows: name their settore or dirigente, e.g.",
                                                 example=" ".join(example[:60].split()), line=found.one_cell_rows[0][0]),
                  f"# '{pattern}' = \"settore\""]
    return "\n".join(lines)


def inspection_exit_code(found: TableInspection) -> int:
    """0 the table reads as a plan, 1 it does with problems, 2 it does not."""
    from piao_lod.errors import outcome_exit_code
    from piao_lod.problems import counts_as_data_problem

    return outcome_exit_code(found.plan is None, any(counts_as_data_problem(problem) for problem in found.problems))

