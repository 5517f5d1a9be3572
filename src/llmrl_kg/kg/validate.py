"""`llmrl-kg validate`: syntax, hygiene, vocabulary closure, SHACL, duplicates, OWL-RL consistency."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from llmrl_kg import locations
from llmrl_kg.kg import checks
from llmrl_kg.kg.files import (
    SourceFile,
    discover,
    parse_file,
    parse_files,
    shipped_data_files,
)
from llmrl_kg.kg.findings import ERROR, Finding, sort_findings
from llmrl_kg.kg.model import Ontology
from llmrl_kg.rdf.lines import LineIndex
from llmrl_kg.rdf.namespaces import DOC, LLMRL, OWL, RDF
from llmrl_kg.rdf.oxtypes import term_value


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
    ontology_source, ontology_findings = parse_file(locations.ontology_file())
    shapes_source, shapes_findings = parse_file(locations.shapes_file())
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

    taxonomy = Ontology(ontology_source.triples)  # the classes of the ontology being validated
    declared = checks.declared_terms(ontology_source.triples)
    for source in parsed:
        findings += checks.hygiene(source)
        findings += checks.vocabulary_closure(source, declared)
    duplicates = checks.duplicate_records(parsed + context, taxonomy.record_classes())
    findings += [f for f in duplicates if f.path in report_on]
    findings += checks.records_described_elsewhere(parsed + context, taxonomy.record_classes(), report_on)
    findings += checks.printed_cells(parsed + context, ontology_source.triples, report_on)
    findings += checks.taxonomy_types(parsed, taxonomy, report_on)

    everything = parsed + context
    if parsed and ontology_source.ok and shapes_source.ok:
        from llmrl_kg.kg.shacl import shacl_findings

        findings += shacl_findings(everything, ontology_source.triples, shapes_source.triples, report_on)
    if reason and parsed and ontology_source.ok:
        findings += _consistency(ontology_source, everything, parsed)

    report = ValidationReport(sort_findings(findings))
    distinct = len({t for s in [ontology_source, *everything] for t in s.triples})
    report.summary = _summary(sources, everything, distinct, report, taxonomy)
    return report


def _consistency(ontology: SourceFile, everything: list[SourceFile], parsed: list[SourceFile]) -> list[Finding]:
    """OWL 2 RL contradictions (reason/consistency.py), each reported at the file and line that state it."""
    from llmrl_kg.kg.loader import is_link_file, reasoning_input
    from llmrl_kg.reason.consistency import check, same_as_statements

    reasoned = reasoning_input(everything)
    findings = []
    for source in parsed:
        if not is_link_file(source):
            for triple in same_as_statements(source.triples):
                subject = term_value(triple.subject)
                findings.append(Finding(
                    source.display, LineIndex(source.text).statement_line(subject, triple.predicate.value),
                    ERROR, "same-as-outside-links",
                    f"<{subject}> owl:sameAs <{term_value(triple.object)}> is stated outside data/links/; it is "
                    "left out of reasoning", "Remove it: `llmrl-kg link TARGET` writes the links, in data/links/.",
                    focus=subject))
    data = [t for s in reasoned for t in s.triples if t.predicate.value != OWL + "sameAs"]
    for contradiction in check(ontology.triples, data, cache_key=ontology.text):
        source, line = _where_stated(contradiction.focus, contradiction.predicate, parsed) or (ontology, None)
        if contradiction.rule == "dt-not-type":
            findings.append(Finding(source.display, line, ERROR, "ill-typed-literal",
                                    f"<{contradiction.focus}>: {contradiction.message}",
                                    "write the value in the datatype's lexical form, e.g. \"2024\"^^xsd:gYear, "
                                    "\"12\"^^xsd:integer, true", focus=contradiction.focus))
        else:
            findings.append(Finding(source.display, line, ERROR, "owl-inconsistency",
                                    f"OWL-RL reasoning found a contradiction ({contradiction.rule}): "
                                    f"<{contradiction.focus}>: {contradiction.message}",
                                    "a resource is in two disjoint classes or breaks another axiom; "
                                    "fix its rdf:type or the offending statement", focus=contradiction.focus))
    return findings


def _where_stated(iri: str, predicate: str | None, sources: list[SourceFile]) -> tuple[SourceFile, int | None] | None:
    """The file (and line) whose statements have `iri` as subject, else as object."""
    for source in sources:
        if any(term_value(t.subject) == iri for t in source.triples):
            return source, LineIndex(source.text).statement_line(iri, predicate)
    for source in sources:
        if any(getattr(t.object, "value", None) == iri for t in source.triples):
            return source, None
    return None


def _summary(targets: list[SourceFile], everything: list[SourceFile], total: int,
             report: ValidationReport, taxonomy: Ontology) -> dict:
    def subjects_of(classes: set[str]) -> set[str]:
        return {term_value(t.subject) for s in everything for t in s.triples
                if t.predicate.value == RDF + "type" and term_value(t.object) in classes}

    # "N in Table 1": methods with a row that the paper (doc:paper-v1) states, not any row.
    paper_entries = {term_value(t.subject) for s in everything for t in s.triples
                     if t.predicate.value == LLMRL + "statedIn" and term_value(t.object) == DOC + "paper-v1"}
    table_methods = {term_value(t.object) for s in everything for t in s.triples
                     if t.predicate.value == LLMRL + "entryOf" and term_value(t.subject) in paper_entries}
    methods = subjects_of(taxonomy.method_classes())
    return {
        "files": len(targets),
        "methods": len(methods),
        "table_methods": len(table_methods & methods),
        "papers": len(subjects_of({LLMRL + "Paper", *taxonomy.below(LLMRL + "Paper")})),
        "models": len(subjects_of(taxonomy.model_classes())),
        "triples": total,
        "errors": len(report.errors),
        "warnings": len(report.findings) - len(report.errors),
    }
