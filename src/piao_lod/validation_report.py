"""Render a validation report as text for plan authors, stable JSON, or a SHACL report graph."""

from __future__ import annotations

import json
from collections import defaultdict

from rdflib import RDF, RDFS, SH, BNode, Graph, Literal, URIRef

from piao_lod.problems import READING_ONLY_CODES, Problem, Severity
from piao_lod.shacl_sparql import Finding
from piao_lod.validation import Located, ValidationReport, message, shapes_graph

SEVERITY_NAMES = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}
WORDS = {
    "it": {"violation": "violazione", "warning": "avviso", "info": "nota", "plan": "Piano", "objective": "Obiettivo",
           "other": "Altre risorse", "reading": "Lettura del file", "value": "valore", "line": "riga", "page": "pagina", "row": "riga",
           "conforms": "conforme", "not_conforms": "non conforme", "summary": "Riepilogo"},
    "en": {"violation": "violation", "warning": "warning", "info": "info", "plan": "Plan", "objective": "Objective",
           "other": "Other resources", "reading": "Reading the file", "value": "value", "line": "line", "page": "page", "row": "row",
           "conforms": "conforms", "not_conforms": "does not conform", "summary": "Summary"},
}


def reading_problems(problems: list[Problem]) -> list[Problem]:
    return [problem for problem in problems if problem.code in READING_ONLY_CODES]


def rule_label(finding: Finding, lang: str) -> str:
    shapes = shapes_graph()
    labels = {label.language: str(label) for label in shapes.objects(finding.rule, RDFS.label)}
    return labels.get(lang) or labels.get("it") or local_name(finding.rule)


def local_name(node: URIRef) -> str:
    return str(node).rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def where(located: Located, lang: str) -> str:
    if not located.file:
        return "—"
    if not located.lines:
        return located.file
    if any(located.pages):
        words = WORDS[lang]
        rows = "; ".join(f"{words['page']} {page}, {words['row']} {line}" for page, line in zip(located.pages, located.lines))
        return f"{located.file}, {rows}"
    lines = ", ".join(map(str, located.lines))
    return f"{located.file}:{lines}" if len(located.lines) == 1 else f"{located.file} ({WORDS[lang]['line']} {lines})"


def render_text(report: ValidationReport, problems: list[Problem], lang: str) -> str:
    words = WORDS[lang]
    out: list[str] = []
    reading = reading_problems(problems)
    if reading:
        out.append(f"{words['reading']}:")
        out += [f"  {problem}" for problem in reading]
        out.append("")
    groups: dict[str, dict[str, list[tuple[Finding, Located]]]] = defaultdict(lambda: defaultdict(list))
    for finding, located in report.findings:
        plan = str(located.plan) if located.plan else ""
        objective = f"{located.objective_code or local_name(located.objective)} — {located.objective_title or ''}" if located.objective else ""
        groups[plan][objective].append((finding, located))
    for plan in sorted(groups):
        out.append(f"{words['plan']} {plan}" if plan else f"{words['other']}:")
        for objective in sorted(groups[plan]):
            indent = "  "
            if objective:
                out.append(f"  {words['objective']} {objective.rstrip(' —')}")
                indent = "    "
            for finding, located in groups[plan][objective]:
                severity = words[SEVERITY_NAMES.get(finding.severity, 'info')]
                line = f"{indent}{severity}: {where(located, lang)}: {rule_label(finding, lang)} — {message(finding, lang)}"
                if finding.value is not None and not objective_title_value(finding, located):
                    line += f" ({words['value']}: {finding.value})"
                if not located.objective and finding.focus is not None:
                    line += f" <{finding.focus}>"
                out.append(line)
        out.append("")
    violations = report.count(SH.Violation) + sum(problem.severity is Severity.ERROR for problem in reading)
    verdict = words["conforms"] if violations == 0 else words["not_conforms"]
    out.append(f"{words['summary']}: {violations} {words['violation']}, "
               f"{report.count(SH.Warning) + sum(p.severity is Severity.WARNING for p in reading)} {words['warning']}, "
               f"{report.count(SH.Info) + sum(p.severity is Severity.INFO for p in reading)} {words['info']} — {verdict}")
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
        "objective_code": located.objective_code,
        "file": located.file,
        "lines": list(located.lines),
        "pages": list(located.pages),
    } for finding, located in report.findings]
    return {
        "conforms": fully_conforms(report, problems),
        "engine": engine,
        "counts": {name: report.count(severity) for severity, name in SEVERITY_NAMES.items()},
        "results": results,
        "reading_problems": [problem.as_dict() for problem in reading_problems(problems)],
    }


def render_json(report: ValidationReport, problems: list[Problem], lang: str, engine: str) -> str:
    return json.dumps(report_data(report, problems, lang, engine), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def render_turtle(report: ValidationReport) -> str:
    """The standard ``sh:ValidationReport``, whichever engine produced the findings."""
    graph = Graph()
    graph.bind("sh", SH)
    graph.bind("piaosh", "https://w3id.org/piao-lod/shapes#")
    root = BNode("report")
    graph.add((root, RDF.type, SH.ValidationReport))
    graph.add((root, SH.conforms, Literal(report.conforms)))
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
    return graph.serialize(format="turtle")
