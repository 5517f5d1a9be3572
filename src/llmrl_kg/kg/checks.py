"""Checks that SHACL cannot express: data hygiene, vocabulary closure, duplicate records."""

from __future__ import annotations

import difflib
from collections import defaultdict

import pyoxigraph as ox

from llmrl_kg.kg.files import SourceFile
from llmrl_kg.kg.findings import ERROR, Finding
from llmrl_kg.kg.model import Ontology
from llmrl_kg.rdf.lines import LineIndex
from llmrl_kg.rdf.namespaces import LLMRL, OWL, RDF, RDFS, SH, SKOS
from llmrl_kg.rdf.oxtypes import term_value

RDF_TYPE = RDF + "type"
_DECLARATION_TYPES = {
    OWL + "Class", RDFS + "Class", OWL + "ObjectProperty", OWL + "DatatypeProperty",
    OWL + "AnnotationProperty", RDF + "Property", OWL + "TransitiveProperty",
    OWL + "SymmetricProperty", OWL + "FunctionalProperty", OWL + "InverseFunctionalProperty",
}
def declared_terms(ontology: list[ox.Triple]) -> set[str]:
    """Classes and properties the ontology declares (its own and the reused ones)."""
    return {
        t.subject.value for t in ontology
        if t.predicate.value == RDF_TYPE and isinstance(t.subject, ox.NamedNode)
        and term_value(t.object) in _DECLARATION_TYPES
    }


def _short(iri: str, index: LineIndex) -> str:
    forms = index.forms(iri)
    return forms[-1] if len(forms) > 1 else f"<{iri}>"


def hygiene(source: SourceFile) -> list[Finding]:
    """Blank nodes, shapes and imports have no place in curated data."""
    index = source.line_index
    findings = []
    for triple in source.triples:
        subject, predicate, obj = triple.subject, triple.predicate.value, triple.object
        subject_value = term_value(subject)  # each term's value once: this runs on every triple
        if isinstance(subject, ox.BlankNode) or isinstance(obj, ox.BlankNode):
            line = None if isinstance(subject, ox.BlankNode) else index.statement_line(subject_value, predicate)
            findings.append(Finding(source.display, line, ERROR, "no-blank-nodes",
                                    "curated data must not contain blank nodes",
                                    "give the node an IRI in the project's namespaces"))
        object_value = term_value(obj)
        if predicate.startswith(SH) or object_value.startswith(SH):
            findings.append(Finding(source.display, index.subject_line(subject_value), ERROR,
                                    "no-shapes-in-data", "data files must not contain SHACL terms",
                                    "move shapes to ontology/shapes.ttl"))
        relative = [value for value, is_iri in ((subject_value, isinstance(subject, ox.NamedNode)),
                                                (predicate, True), (object_value, isinstance(obj, ox.NamedNode)))
                    if is_iri and value.startswith("file:")]
        if relative:
            findings.append(Finding(source.display, index.subject_line(subject_value), ERROR,
                                    "relative-iri", f"the IRI {relative[0]} is relative or a local file",
                                    "use an absolute IRI in one of the project's namespaces"))
        if predicate == OWL + "imports":
            findings.append(Finding(source.display, index.subject_line(subject_value), ERROR,
                                    "no-imports", "data files must not use owl:imports (nothing is ever fetched)",
                                    "remove the owl:imports statement"))
    return findings


def vocabulary_closure(source: SourceFile, declared: set[str]) -> list[Finding]:
    """Every predicate and class the file uses must be declared in the ontology."""
    index = source.line_index
    findings = []
    reported: set[str] = set()
    for triple in source.triples:
        used = [("property", triple.predicate.value, triple.predicate.value)]
        if triple.predicate.value == RDF_TYPE and isinstance(triple.object, ox.NamedNode):
            used.append(("class", triple.object.value, RDF_TYPE))
        for kind, iri, predicate in used:
            if iri in declared or iri in reported:
                continue
            reported.add(iri)
            written = _short(iri, index)
            close = difflib.get_close_matches(iri, sorted(declared), n=1, cutoff=0.8)
            hint = f"did you mean {_short(close[0], index)}?" if close else \
                f"declare the {kind} in ontology/llmrl.ttl or use a declared one"
            findings.append(Finding(source.display, index.statement_line(term_value(triple.subject), predicate),
                                    ERROR, f"undeclared-{kind}",
                                    f"{written} is not a {kind} declared in the ontology", hint,
                                    focus=term_value(triple.subject)))
    return findings


def duplicate_records(sources: list[SourceFile], record_classes: set[str]) -> list[Finding]:
    """A method, paper, model, benchmark, entry or table defined in more than one file.

    `record_classes` are the classes of such records (`model.Ontology.record_classes`).
    """
    files_by_subject: dict[str, list[SourceFile]] = defaultdict(list)
    for source in sources:
        subjects = {
            t.subject.value for t in source.triples
            if t.predicate.value == RDF_TYPE and term_value(t.object) in record_classes
            and isinstance(t.subject, ox.NamedNode)
        }
        for subject in subjects:
            files_by_subject[subject].append(source)
    findings = []
    for subject, sources_of in sorted(files_by_subject.items()):
        if len(sources_of) < 2:
            continue
        names = ", ".join(s.display for s in sources_of)
        for source in sources_of:
            findings.append(Finding(source.display, source.line_index.subject_line(subject), ERROR,
                                    "duplicate-record", f"<{subject}> is defined in several files: {names}",
                                    "keep one file per record and merge the statements into it",
                                    focus=subject))
    return findings


def records_described_elsewhere(sources: list[SourceFile], record_classes: set[str],
                                report_on: set[str]) -> list[Finding]:
    """Statements about a record (method, paper, model, ...) made outside the file that defines it.

    Each record is described in its own file only, so that a review of one file sees all of it;
    the owl:sameAs statements of the link files (written by `llmrl-kg link`) are the one exception.
    """
    home: dict[str, str] = {}
    for source in sources:
        for t in source.triples:
            if t.predicate.value == RDF_TYPE and term_value(t.object) in record_classes \
                    and isinstance(t.subject, ox.NamedNode):
                home.setdefault(t.subject.value, source.display)
    findings = []
    for source in sources:
        if source.display not in report_on:
            continue
        index = source.line_index
        # owl:sameAs links are the link files' business, checked by their own shapes and rules.
        subjects = {t.subject.value for t in source.triples
                    if isinstance(t.subject, ox.NamedNode) and t.predicate.value != OWL + "sameAs"}
        for subject in sorted(subjects):
            where = home.get(subject)
            if where is not None and where != source.display:
                findings.append(Finding(source.display, index.subject_line(subject), ERROR,
                                        "record-described-elsewhere",
                                        f"<{subject}> is defined in {where}; this file adds statements to it",
                                        f"move these statements into {where}", focus=subject))
    return findings


def taxonomy_types(sources: list[SourceFile], taxonomy: Ontology, report_on: set[str]) -> list[Finding]:
    """Each method has exactly one leaf class of the taxonomy; a table covers only taxonomy classes.

    The classes are the ontology's (`taxonomy`), so a new leaf class is accepted with no other edit.
    """
    method_classes = taxonomy.method_classes()
    leaves = [t.iri for t in taxonomy.leaves()]
    findings = []
    for source in (s for s in sources if s.display in report_on):
        index = source.line_index
        types: dict[str, set[str]] = defaultdict(set)
        covers: dict[str, set[str]] = defaultdict(set)
        for t in source.triples:
            if t.predicate.value in (RDF_TYPE, LLMRL + "coversClass") and isinstance(t.subject, ox.NamedNode):
                (types if t.predicate.value == RDF_TYPE else covers)[t.subject.value].add(term_value(t.object))
        for subject, classes in sorted(types.items()):
            if classes & method_classes and len(classes & set(leaves)) != 1:
                findings.append(Finding(
                    source.display, index.statement_line(subject, RDF_TYPE), ERROR, "method-type",
                    f"<{subject}>: the method is typed with {len(classes & set(leaves))} leaf classes of the "
                    "integration-role taxonomy, not exactly one",
                    f"give it exactly one of {', '.join(_short(c, index) for c in leaves)} as rdf:type",
                    focus=subject))
        for subject, classes in sorted(covers.items()):
            for cls in sorted(classes - method_classes):
                findings.append(Finding(
                    source.display, index.statement_line(subject, LLMRL + "coversClass"), ERROR,
                    "table-covers-class", f"<{subject}>: llmrl:coversClass {_short(cls, index)} is not a class "
                    "of the method taxonomy", "give one class of the taxonomy (llmrl:Method or a class below it)",
                    focus=subject))
    return findings


_PRINTED = {
    LLMRL + "modelsAsPrinted": (LLMRL + "usesModel", RDFS + "label"),
    LLMRL + "rlRolesAsPrinted": (LLMRL + "rlRole", SKOS + "notation"),
    LLMRL + "metricsAsPrinted": (LLMRL + "improvesMetric", SKOS + "notation"),
    LLMRL + "fmRolesAsPrinted": (LLMRL + "fmRole", SKOS + "notation"),
}


def printed_cells(sources: list[SourceFile], ontology: list[ox.Triple], report_on: set[str]) -> list[Finding]:
    """Each `*AsPrinted` cell must list exactly the values the entry links to, each once."""
    names: dict[str, str] = {}
    for triple in [*ontology, *(t for s in sources for t in s.triples)]:
        if triple.predicate.value in (RDFS + "label", SKOS + "notation") and isinstance(triple.object, ox.Literal):
            names.setdefault(f"{triple.predicate.value} {term_value(triple.subject)}", triple.object.value)
    findings = []
    for source in sources:
        if source.display not in report_on:
            continue
        index = source.line_index
        linked: dict[tuple[str, str], list[str]] = defaultdict(list)
        printed: dict[tuple[str, str], str] = {}
        for t in source.triples:
            for cell, (link, naming) in _PRINTED.items():
                if t.predicate.value == link:
                    value = term_value(t.object)
                    linked[(term_value(t.subject), cell)].append(names.get(f"{naming} {value}", value))
                elif t.predicate.value == cell:
                    printed[(term_value(t.subject), cell)] = term_value(t.object)
        for (subject, cell), text in sorted(printed.items()):
            listed = [part.strip() for part in text.split(",")]
            expected = sorted(linked.get((subject, cell), []))
            if sorted(listed) != expected:
                findings.append(Finding(
                    source.display, index.statement_line(subject, cell), ERROR, "printed-cell-mismatch",
                    f"<{subject}>: {_short(cell, index)} \"{text}\" does not list exactly the linked values "
                    f"({', '.join(expected) or 'none'})",
                    "make the printed cell and the linked values agree; the cell only fixes their order"))
    return findings
