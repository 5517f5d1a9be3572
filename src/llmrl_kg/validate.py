"""`llmrl-kg validate`: syntax, hygiene, vocabulary closure, SHACL, duplicates, OWL-RL consistency."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from . import checks, resources
from .findings import ERROR, WARNING, Finding, sort_findings
from .locate import LineIndex
from .namespaces import LLMRL, RDF
from .sources import SourceFile, discover, parse_file, parse_files, shipped_data_files

_MODEL_CLASSES = {LLMRL + c for c in ("FoundationModel", "LargeLanguageModel", "VisionLanguageModel",
                                      "CodeLanguageModel")}
_METHOD_CLASSES = {c for c in checks.RECORD_CLASSES if c.endswith(("Method", "Agent", "Planner"))}
# OWL-RL reasoning is superlinear; above this size the consistency check is skipped with a warning.
MAX_TRIPLES_FOR_OWL_RL = 60_000


@dataclass
class ValidationReport:
    """The findings of one validation run and what was checked."""

    findings: list[Finding] = field(default_factory=list)
    summary: dict = field(default_factory=dict)

    @property
    def errors(self) -> list[Finding]:
        """Findings that make the data invalid."""
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def valid(self) -> bool:
        """True when there is no error (warnings are allowed)."""
        return not self.errors


def validate(paths: list[Path] | None = None, *, reason: bool = True) -> ValidationReport:
    """Validate the shipped KG (no `paths`) or the given files and folders.

    Given files are checked in the context of the shipped KG (minus the files
    they replace), so a new method file may refer to shipped models; findings
    are reported only for the given files.
    """
    ontology_source, ontology_findings = parse_file(resources.ontology_file())
    shapes_source, shapes_findings = parse_file(resources.shapes_file())
    findings = ontology_findings + shapes_findings

    shipped = shipped_data_files()
    targets = shipped if not paths else discover(paths)
    target_keys = {p.resolve() for p in targets}
    context_paths = [p for p in shipped if p.resolve() not in target_keys]

    sources, syntax = parse_files(targets)
    findings += syntax
    context, _ = parse_files(context_paths)
    context = [s for s in context if s.ok]
    parsed = [s for s in sources if s.ok]
    report_on = {s.display for s in parsed}

    declared = checks.declared_terms(ontology_source.triples)
    for source in parsed:
        findings += checks.hygiene(source)
        findings += checks.vocabulary_closure(source, declared)
    findings += [f for f in checks.duplicate_records(parsed + context) if f.path in report_on]
    findings += checks.printed_cells(parsed + context, ontology_source.triples, report_on)

    everything = parsed + context
    if parsed and ontology_source.ok and shapes_source.ok:
        from .shacl import shacl_findings

        findings += shacl_findings(everything, ontology_source.triples, shapes_source.triples, report_on)
    total = len(ontology_source.triples) + sum(len(s.triples) for s in everything)
    if reason and parsed and ontology_source.ok:
        findings += _consistency(ontology_source, everything, parsed, total)

    report = ValidationReport(sort_findings(findings))
    distinct = len({t for s in [ontology_source, *everything] for t in s.triples})
    report.summary = _summary(sources, everything, distinct, report)
    return report


def _consistency(ontology: SourceFile, everything: list[SourceFile], parsed: list[SourceFile],
                 total: int) -> list[Finding]:
    if total > MAX_TRIPLES_FOR_OWL_RL:
        return [Finding(parsed[0].display if parsed else "-", None, WARNING, "owl-rl-skipped",
                        f"the OWL-RL consistency check was skipped: {total} triples is more than "
                        f"{MAX_TRIPLES_FOR_OWL_RL}", "validate fewer files at a time")]
    from .bridge import to_rdflib_graph
    from .reasoning import owl_rl_closure

    graph = to_rdflib_graph(ontology.triples)
    for source in everything:
        to_rdflib_graph(source.triples, graph)
    _inferred, errors = owl_rl_closure(graph)
    findings = []
    for message in errors:
        source, line, focus = _where_mentioned(message, parsed) or (ontology, None, None)
        findings.append(Finding(source.display, line, ERROR, "owl-inconsistency",
                                f"OWL-RL reasoning found a contradiction: {message}",
                                "a resource is in two disjoint classes or breaks another axiom; "
                                "fix its rdf:type or the offending statement", focus=focus))
    return findings


def _where_mentioned(message: str, sources: list[SourceFile]):
    mentioned = re.findall(r"https?://[^\s,\"'<>]+", message)
    for source in sources:
        subjects = {t.subject.value for t in source.triples}
        for iri in mentioned:
            if iri in subjects:
                return source, LineIndex(source.text).subject_line(iri), iri
    return None


def _summary(targets: list[SourceFile], everything: list[SourceFile], total: int,
             report: ValidationReport) -> dict:
    def subjects_of(classes: set[str]) -> set[str]:
        return {t.subject.value for s in everything for t in s.triples
                if t.predicate.value == RDF + "type" and t.object.value in classes}

    table_methods = {t.object.value for s in everything for t in s.triples
                     if t.predicate.value == LLMRL + "entryOf"}
    return {
        "files": len(targets),
        "methods": len(subjects_of(_METHOD_CLASSES)),
        "table_methods": len(table_methods & subjects_of(_METHOD_CLASSES)),
        "papers": len(subjects_of({LLMRL + "Paper", LLMRL + "Survey"})),
        "models": len(subjects_of(_MODEL_CLASSES)),
        "triples": total,
        "errors": len(report.errors),
        "warnings": len(report.findings) - len(report.errors),
    }
