"""`llmrl-kg validate`: syntax, hygiene, vocabulary closure, SHACL, duplicates, OWL-RL consistency."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from llmrl_kg import locations
from llmrl_kg.errors import KGError
from llmrl_kg.kg import checks
from llmrl_kg.kg.files import (
    SourceFile,
    discover,
    folders_resolved_once,
    parse_file,
    parse_files,
    read_regular_file,
    resolved,
    shipped_data_files,
)
from llmrl_kg.kg.findings import ERROR, Finding, sort_findings
from llmrl_kg.kg.model import Ontology
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
    with folders_resolved_once():
        return _validate(paths, reason)


def _validate(paths: list[Path] | None, reason: bool) -> ValidationReport:
    ontology_source, ontology_findings = parse_file(locations.ontology_file())
    shapes_source, shapes_findings = parse_file(locations.shapes_file())
    findings = ontology_findings + shapes_findings

    shipped = shipped_data_files()
    targets = shipped if not paths else discover(paths)
    context_paths = _others(shipped, targets) if paths else []

    sources, syntax = parse_files(targets)
    findings += syntax
    context = _parsed_context(context_paths)
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
        findings += _consistency(ontology_source, everything, parsed, context if paths else None)

    report = ValidationReport(sort_findings(findings))
    distinct = len({t for s in [ontology_source, *everything] for t in s.triples})
    report.summary = _summary(sources, everything, distinct, report, taxonomy)
    return report


def _others(shipped: list[Path], targets: list[Path]) -> list[Path]:
    """The shipped files that are not one of `targets` (resolving only the paths that may be one)."""
    target_keys = {resolved(p) for p in targets}
    names = {key.name for key in target_keys}
    return [p for p in shipped if not ((p.name in names or p.is_symlink()) and resolved(p) in target_keys)]


def _parsed_context(paths: list[Path]) -> list[SourceFile]:
    """The files among `paths` that parse, from the cache when each file's path and bytes are those cached.

    Symbolic links, unreadable files and files with blank nodes (named anew by each parse)
    are parsed as usual; so is every file whose triples hold `file:` IRIs (relative IRIs,
    resolved against the file's real location). The cache holds the triples as N-Quads,
    one graph per file, in the order the parser gave them.
    """
    import hashlib

    from llmrl_kg.rdf.cache import cache_dir, code_tag

    if not paths:
        return []
    try:
        if any(p.is_symlink() for p in paths):
            raise OSError("a symbolic link")
        contents = [read_regular_file(p) for p in paths]
    except (OSError, KGError):
        return [s for s in parse_files(paths)[0] if s.ok]
    digest = hashlib.sha256(f"{code_tag()}\0{locations.kg_root()}\0{os.getcwd()}\0".encode())
    for path, raw in zip(paths, contents):
        digest.update(b"%s\0%d\0%s" % (str(path).encode(), len(raw), raw))
    cache_file = cache_dir() / f"context-{digest.hexdigest()[:24]}.nq"
    files = _read_context(cache_file, paths, contents)
    if files is None:
        files = [s for s in parse_files(paths)[0] if s.ok]
        _write_context(cache_file, files)
    return files


def _read_context(cache_file: Path, paths: list[Path], contents: list[bytes]) -> list[SourceFile] | None:
    """The parsed files `_write_context` saved in `cache_file`, or None if it is absent or damaged."""
    import json

    import pyoxigraph as ox

    from llmrl_kg.rdf.cache import verified

    if not (cache_file.is_file() and verified(cache_file)):
        return None
    try:
        body = cache_file.read_bytes().split(b"\n", 1)[1]
        listed = json.loads(body.split(b"\n", 1)[0][1:])  # the first line: `#` and the files, as JSON
        by_path = {str(p): (p, raw) for p, raw in zip(paths, contents)}
        files = []
        for name, display in listed:
            path, raw = by_path[name]
            files.append(SourceFile(path=path, display=display, text=raw.decode("utf-8", errors="replace"), ok=True))
        graphs = {source.graph_name: source for source in files}
        for quad in ox.parse(body, format=ox.RdfFormat.N_QUADS):
            graphs[quad.graph_name].triples.append(quad.triple)
    except (SyntaxError, ValueError, KeyError, TypeError, IndexError, OSError):
        return None
    return files


def _write_context(cache_file: Path, files: list[SourceFile]) -> None:
    """Save the parsed `files` for `_read_context`, unless one holds a blank node or a `file:` IRI."""
    import json

    import pyoxigraph as ox

    from llmrl_kg.rdf.atomic import write_atomically
    from llmrl_kg.rdf.cache import prune, with_header

    def plain(term: object) -> bool:
        return not isinstance(term, ox.BlankNode) and not (isinstance(term, ox.NamedNode)
                                                          and term.value.startswith("file:"))

    if not all(plain(t.subject) and plain(t.predicate) and plain(t.object) for s in files for t in s.triples):
        return
    try:
        listed = json.dumps([[str(s.path), s.display] for s in files]).encode()
        quads = ox.serialize((ox.Quad(t.subject, t.predicate, t.object, s.graph_name)
                              for s in files for t in s.triples), format=ox.RdfFormat.N_QUADS) or b""
        write_atomically(cache_file, with_header(b"#" + listed + b"\n" + quads))
        prune(cache_file)
    except (OSError, ValueError):
        pass  # a read-only cache folder (or a file name no graph name can hold) only costs speed


def _consistency(ontology: SourceFile, everything: list[SourceFile], parsed: list[SourceFile],
                 context: list[SourceFile] | None) -> list[Finding]:
    """OWL 2 RL contradictions (reason/consistency.py), each reported at the file and line that state it.

    `context` (the unchanged files, when only `parsed` are validated) lets the check reuse
    their cached contradictions and reason only about what the given files mention.
    """
    from llmrl_kg.kg.loader import is_link_file
    from llmrl_kg.reason.consistency import same_as_statements

    findings = []
    for source in parsed:
        if not is_link_file(source):
            for triple in same_as_statements(source.triples):
                subject = term_value(triple.subject)
                findings.append(Finding(
                    source.display, source.line_index.statement_line(subject, triple.predicate.value),
                    ERROR, "same-as-outside-links",
                    f"<{subject}> owl:sameAs <{term_value(triple.object)}> is stated outside data/links/; it is "
                    "left out of reasoning", "Remove it: `llmrl-kg link TARGET` writes the links, in data/links/.",
                    focus=subject))
    for contradiction in _contradictions(ontology, everything, parsed, context):
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


def _reasoned_triples(sources: list[SourceFile]) -> list:
    """The triples reasoning reads: those of the non-link files, owl:sameAs left out."""
    from llmrl_kg.kg.loader import reasoning_input

    return [t for s in reasoning_input(sources) for t in s.triples if t.predicate.value != OWL + "sameAs"]


def _contradictions(ontology: SourceFile, everything: list[SourceFile], parsed: list[SourceFile],
                    context: list[SourceFile] | None) -> list:
    """The contradictions of ontology + everything; with `context`, from its cached ones and the edits'."""
    from llmrl_kg.reason import consistency

    data = _reasoned_triples(everything)
    if context is None:
        return consistency.check(ontology.triples, data, cache_key=ontology.text)
    tbox = consistency.tbox_closure(ontology.triples, data, ontology.text)
    edited = _reasoned_triples(parsed)
    if not consistency.reasons_locally([*ontology.triples, *tbox, *data], edited):
        return consistency.check(ontology.triples, data, tbox=tbox)
    about = consistency.mentioned(edited)
    others = consistency.cached_contradictions(_context_digest(ontology, context, tbox), ontology.triples,
                                               _reasoned_triples(context), tbox)
    found = {c for c in others if c.focus not in about}
    found |= set(consistency.contradictions_about(ontology.triples, data, about, tbox))
    found |= set(consistency.ill_typed_literals(data))
    return sorted(found)


def _context_digest(ontology: SourceFile, context: list[SourceFile], tbox: list) -> str:
    """A digest of what the unchanged files' contradictions depend on: their triples, the ontology, the code.

    The triples, not the texts: they also hold what the files' own IRIs resolved relative ones to.
    (Blank nodes are named anew by each parse, so files with blank nodes only miss the cache.)
    """
    import hashlib

    from llmrl_kg.kg.loader import reasoning_input
    from llmrl_kg.rdf.cache import code_tag
    from llmrl_kg.rdf.oxtypes import ntriples_bytes

    digest = hashlib.sha256(f"{code_tag()}\0{ontology.base_iri}\0{ontology.text}\0{' '.join(map(str, tbox))}\0"
                            .encode())
    for source in sorted(reasoning_input(context), key=lambda s: s.display):
        body = ntriples_bytes(source.triples)
        digest.update(b"%s\0%d\0%s" % (source.display.encode(), len(body), body))
    return digest.hexdigest()[:24]


def _where_stated(iri: str, predicate: str | None, sources: list[SourceFile]) -> tuple[SourceFile, int | None] | None:
    """The file (and line) whose statements have `iri` as subject, else as object."""
    for source in sources:
        if any(term_value(t.subject) == iri for t in source.triples):
            return source, source.line_index.statement_line(iri, predicate)
    for source in sources:
        if any(getattr(t.object, "value", None) == iri for t in source.triples):
            return source, None
    return None


def _summary(targets: list[SourceFile], everything: list[SourceFile], total: int,
             report: ValidationReport, taxonomy: Ontology) -> dict:
    wanted = (RDF + "type", LLMRL + "statedIn", LLMRL + "entryOf")
    found: dict[str, list] = {predicate: [] for predicate in wanted}
    for source in everything:  # one pass over the triples: at a million, each pass costs a third of a second
        for t in source.triples:
            triples = found.get(t.predicate.value)
            if triples is not None:
                triples.append(t)
    typed = [(term_value(t.subject), term_value(t.object)) for t in found[RDF + "type"]]

    def subjects_of(classes: set[str]) -> set[str]:
        return {subject for subject, cls in typed if cls in classes}

    # "N in Table 1": methods with a row that the paper (doc:paper-v1) states, not any row.
    paper_entries = {term_value(t.subject) for t in found[LLMRL + "statedIn"] if term_value(t.object) == DOC + "paper-v1"}
    table_methods = {term_value(t.object) for t in found[LLMRL + "entryOf"] if term_value(t.subject) in paper_entries}
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
