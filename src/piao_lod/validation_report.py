"""Render a validation report as text for plan authors, stable JSON, or a SHACL report graph."""

from __future__ import annotations

import json
from collections import defaultdict

from rdflib import RDF, RDFS, SH, BNode, Graph, Literal, Namespace, URIRef

from piao_lod.messages import LANGUAGES, N_, gettext, ngettext
from piao_lod.problems import READING_ONLY_CODES, Problem, Severity
from piao_lod.shacl_sparql import Finding
from piao_lod.rdflib_edge import turtle_text
from piao_lod.validation import Located, ValidationReport, message, shapes_graph

SEVERITY_NAMES = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}
SEVERITY_WORDS = {"violation": N_("violation"), "warning": N_("warning"), "info": N_("note")}


def reading_problems(problems: list[Problem]) -> list[Problem]:
    return [problem for problem in problems if problem.code in READING_ONLY_CODES]


def rule_label(finding: Finding, lang: str) -> str:
    shapes = shapes_graph()
    labels = {label.language: str(label) for label in shapes.objects(finding.rule, RDFS.label)}
    return labels.get(lang) or labels.get("it") or local_name(finding.rule)


def local_name(node: URIRef) -> str:
    return str(node).rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def where(located: Located, lang: str) -> str:
    """``file.txt:23``, ``file.txt, righe 23, 24`` or ``file.xlsx, foglio Obiettivi, riga 5`` (as reading problems
    name a workbook's rows); ``—`` only when nothing locates the result."""
    if not located.file:
        return "—"
    if not located.lines:
        return located.file
    if any(located.sheets):
        return located.file + "".join(sheet_rows(sheet, lines, lang) for sheet, lines in by_sheet(located))
    if any(located.pages):
        rows = "; ".join(gettext(lang, "page {page}, row {row}", page=page, row=line) if page is not None
                         else gettext(lang, "line {line}", line=line) for page, line in zip(located.pages, located.lines))
        return f"{located.file}, {rows}"
    if len(located.lines) == 1:
        return f"{located.file}:{located.lines[0]}"
    return gettext(lang, "{file}, lines {lines}", file=located.file, lines=", ".join(map(str, located.lines)))


def by_sheet(located: Located) -> list[tuple[str, list[int]]]:
    """The lines of a result grouped by the sheet they are on, in the order of the sheets."""
    groups: dict[str, list[int]] = {}
    for sheet, line in zip(located.sheets, located.lines):
        groups.setdefault(sheet or "", []).append(line)
    return list(groups.items())


def sheet_rows(sheet: str, lines: list[int], lang: str) -> str:
    rows = ", ".join(map(str, lines))
    return gettext(lang, ", sheet {sheet}", sheet=sheet) + ngettext(lang, ", row {rows}", ", rows {rows}", len(lines),
                                                                    rows=rows)


def render_text(report: ValidationReport, problems: list[Problem], lang: str) -> str:
    out: list[str] = []
    reading = reading_problems(problems)
    if reading:
        out.append(gettext(lang, "Reading the file:"))
        out += [f"  {problem.describe(lang)}" for problem in reading]
        out.append("")
    groups: dict[str, dict[str, list[tuple[Finding, Located]]]] = defaultdict(lambda: defaultdict(list))
    for finding, located in report.findings:
        plan = str(located.plan) if located.plan else ""
        title = " ".join((located.objective_title or "").split())      # a title over two lines, on one
        objective = f"{located.objective_code or local_name(located.objective)} — {title}" if located.objective else ""
        groups[plan][objective].append((finding, located))
    for plan in sorted(groups):
        out.append(gettext(lang, "Plan {plan}", plan=plan) if plan else gettext(lang, "Other resources:"))
        for objective in sorted(groups[plan]):
            indent = "  "
            if objective:
                out.append("  " + gettext(lang, "Objective {objective}", objective=objective.rstrip(" —")))
                indent = "    "
            for finding, located in groups[plan][objective]:
                severity = gettext(lang, SEVERITY_WORDS[SEVERITY_NAMES.get(finding.severity, "info")])
                line = f"{indent}{severity}: {where(located, lang)}: {rule_label(finding, lang)} — {message(finding, lang)}"
                if finding.value is not None and not objective_title_value(finding, located):
                    line += gettext(lang, " (value: “{value}”)", value=finding.value)
                if not located.objective and finding.focus is not None:
                    line += f" <{finding.focus}>"
                out.append(line)
        out.append("")
    violations = report.count(SH.Violation) + sum(problem.severity is Severity.ERROR for problem in reading)
    warnings = report.count(SH.Warning) + sum(problem.severity is Severity.WARNING for problem in reading)
    notes = report.count(SH.Info) + sum(problem.severity is Severity.INFO for problem in reading)
    verdict = gettext(lang, "conforms") if violations == 0 else gettext(lang, "does not conform")
    out.append(gettext(lang, "Summary: {violations}, {warnings}, {notes} — {verdict}",
                       violations=ngettext(lang, "{count} violation", "{count} violations", violations),
                       warnings=ngettext(lang, "{count} warning", "{count} warnings", warnings),
                       notes=ngettext(lang, "{count} note", "{count} notes", notes), verdict=verdict))
    return "\n".join(out) + "\n"


def objective_title_value(finding: Finding, located: Located) -> bool:
    """The title is already printed as the group heading; don't repeat it as the value."""
    return located.objective_title is not None and str(finding.value) == located.objective_title


def fully_conforms(report: ValidationReport, problems: list[Problem]) -> bool:
    """No SHACL violation and no reading error: what exit code 0 of ``validate`` and ``build`` means."""
    return report.conforms and not any(problem.severity is Severity.ERROR for problem in reading_problems(problems))


def report_data(report: ValidationReport, problems: list[Problem], lang: str, engine: str) -> dict:
    """The report as plain data: what ``--format json`` prints and the site's validation page shows."""
    results = [{
        "severity": SEVERITY_NAMES.get(finding.severity, "info"),
        "rule": local_name(finding.rule),
        "rule_label": rule_label(finding, lang),
        "message": message(finding, lang),
        "focus": str(finding.focus),
        "path": str(finding.path) if isinstance(finding.path, URIRef) else None,
        "value": None if finding.value is None else str(finding.value),
        "plan": str(located.plan) if located.plan else None,
        "objective": str(located.objective) if located.objective else None,
        "objective_code": located.objective_code,
        "objective_title": located.objective_title,
        "indicator_code": located.indicator_code,
        "indicator_title": located.indicator_title,
        "file": located.file,
        "lines": list(located.lines),
        "pages": list(located.pages),
        **({"sheets": list(located.sheets)} if any(located.sheets) else {}),
    } for finding, located in report.findings]
    return {
        "conforms": fully_conforms(report, problems),
        "engine": engine,
        "counts": {name: report.count(severity) for severity, name in SEVERITY_NAMES.items()},
        "results": results,
        "reading_problems": [problem.as_dict(lang) for problem in reading_problems(problems)],
    }


def render_json(report: ValidationReport, problems: list[Problem], lang: str, engine: str) -> str:
    return json.dumps(report_data(report, problems, lang, engine), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


PIAOSH = Namespace("https://w3id.org/piao-lod/shapes#")
PROBLEM_SEVERITIES = {Severity.ERROR: SH.Violation, Severity.WARNING: SH.Warning, Severity.INFO: SH.Info}


def render_turtle(report: ValidationReport, problems: list[Problem]) -> str:
    """The standard ``sh:ValidationReport``, whichever engine produced the findings. Its ``sh:conforms`` is the
    verdict of every other format and of the exit code; reading problems (which no shape can see) are attached
    as ``piaosh:readingProblem`` nodes with their code, message, file, line and column."""
    graph = Graph()
    graph.bind("sh", SH)
    graph.bind("piaosh", PIAOSH)
    root = BNode("report")
    graph.add((root, RDF.type, SH.ValidationReport))
    graph.add((root, SH.conforms, Literal(fully_conforms(report, problems))))
    for number, problem in enumerate(reading_problems(problems)):
        node = BNode(f"reading{number}")
        graph.add((root, PIAOSH.readingProblem, node))
        graph.add((node, RDF.type, PIAOSH.ReadingProblem))
        graph.add((node, PIAOSH.code, Literal(problem.code)))
        graph.add((node, SH.resultSeverity, PROBLEM_SEVERITIES[problem.severity]))
        for lang in LANGUAGES:
            graph.add((node, SH.resultMessage, Literal(problem.message(lang), lang=lang)))
        graph.add((node, PIAOSH.file, Literal(problem.location.file)))
        for key, value in (("line", problem.location.line), ("page", problem.location.page),
                           ("sheet", problem.location.sheet), ("column", problem.location.column),
                           ("value", problem.value)):
            if value is not None:
                graph.add((node, PIAOSH[key], Literal(value)))
    for number, (finding, _) in enumerate(report.findings):
        result = BNode(f"result{number}")
        graph.add((root, SH.result, result))
        graph.add((result, RDF.type, SH.ValidationResult))
        graph.add((result, SH.focusNode, finding.focus))
        graph.add((result, SH.resultSeverity, finding.severity))
        graph.add((result, SH.sourceShape, finding.shape))
        graph.add((result, SH.sourceConstraintComponent, finding.component))
        if finding.constraint is not None:
            graph.add((result, SH.sourceConstraint, finding.constraint))
        if isinstance(finding.path, URIRef):
            graph.add((result, SH.resultPath, finding.path))
        if finding.value is not None:
            graph.add((result, SH.value, finding.value))
        for text in finding.messages:
            graph.add((result, SH.resultMessage, text))
    return turtle_text(graph)
