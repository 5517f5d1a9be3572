"""SHACL validation with the project's own shapes, reported as findings.

Two engines give the same results (tests/test_shacl_differential.py): the SHACL Core
shapes compiled to SPARQL and run in Oxigraph (kg/shacl_sparql.py, the default), and
pyshacl, the reference. `engine="pyshacl"` or the environment variable
LLMRL_KG_SHACL=pyshacl selects pyshacl; a shapes graph the compiler does not handle
falls back to pyshacl.
"""

from __future__ import annotations

import os

from llmrl_kg.errors import UsageError
from llmrl_kg.kg.files import SourceFile
from llmrl_kg.kg.findings import ERROR, WARNING, Finding
from llmrl_kg.kg.shacl_sparql import ShaclResult, UnsupportedShapes, validate_triples
from llmrl_kg.rdf.lines import LineIndex
from llmrl_kg.rdf.namespaces import SH, local_name
from llmrl_kg.rdf.oxtypes import term_value
from llmrl_kg.rdf.terms import to_ox_term, to_rdflib_graph, to_rdflib_term

ENGINES = ("sparql", "pyshacl")
ENGINE_VARIABLE = "LLMRL_KG_SHACL"


def shacl_findings(data_sources: list[SourceFile], ontology, shapes, report_on: set[str],
                   *, engine: str | None = None) -> list[Finding]:
    """Validate ontology + data against `shapes`; report results whose focus node is in `report_on` files.

    `ontology` and `shapes` are lists of pyoxigraph triples. The ontology is part of
    the data graph so that `sh:class` follows `rdfs:subClassOf`; no inference runs,
    and the shapes are always passed explicitly (never taken from the data).
    `engine` is "sparql" (default) or "pyshacl" (default from $LLMRL_KG_SHACL).
    """
    results = shacl_results([ontology, *(s.triples for s in data_sources)], shapes, engine=engine)
    return findings_from_results(results, data_sources, ontology, shapes, report_on)


def shacl_results(triple_lists: list, shapes, *, engine: str | None = None) -> list[ShaclResult]:
    """The validation results of the union of `triple_lists` against `shapes` (pyoxigraph triples)."""
    chosen = engine or os.environ.get(ENGINE_VARIABLE, "").strip() or "sparql"
    if chosen not in ENGINES:
        raise UsageError(f"unknown SHACL engine {chosen!r}", fix=f"use one of: {', '.join(ENGINES)}")
    if chosen == "sparql":
        try:
            return validate_triples(shapes, triple_lists)
        except UnsupportedShapes:
            pass  # the reference engine handles every SHACL Core shapes graph
    return pyshacl_results(triple_lists, shapes)


def pyshacl_results(triple_lists: list, shapes) -> list[ShaclResult]:
    """The validation results pyshacl (the reference engine) reports."""
    import pyshacl
    from rdflib import Graph, Namespace

    sh = Namespace(SH)
    data = Graph()
    for triples in triple_lists:
        to_rdflib_graph(triples, data)
    _conforms, report, _text = pyshacl.validate(
        data, shacl_graph=to_rdflib_graph(shapes, Graph()), inference="none", advanced=False,
        allow_warnings=True, do_owl_imports=False, meta_shacl=False,
    )
    return [
        ShaclResult(
            focus=report.value(result, sh.focusNode), path=report.value(result, sh.resultPath),
            value=report.value(result, sh.value), source_shape=report.value(result, sh.sourceShape),
            component=report.value(result, sh.sourceConstraintComponent),
            severity=report.value(result, sh.resultSeverity),
            message=str(report.value(result, sh.resultMessage) or ""),
        )
        for result in report.subjects(predicate=sh.focusNode)
    ]


def findings_from_results(results: list[ShaclResult], data_sources: list[SourceFile], ontology, shapes,
                          report_on: set[str]) -> list[Finding]:
    """The findings of `results` whose focus node is stated in one of the `report_on` files."""
    from rdflib import URIRef

    where: dict[str, tuple[SourceFile, LineIndex]] = {}
    for source in data_sources:
        if source.display not in report_on:
            continue
        index = LineIndex(source.text)
        for t in source.triples:
            where.setdefault(term_value(t.subject), (source, index))
    reported = [r for r in results if str(r.focus) in where]
    names, descriptions = _shape_texts(shapes)
    many = _values_of(reported, [ontology, *(s.triples for s in data_sources)])

    findings = []
    for r in reported:
        source, index = where[str(r.focus)]
        severity = WARNING if r.severity in (URIRef(SH + "Warning"), URIRef(SH + "Info")) else ERROR
        rule = names.get(r.source_shape) or local_name(str(r.component))
        fix = descriptions.get(r.source_shape) or ""
        message = r.message
        if r.value is not None and r.value != r.focus and str(r.value) not in message:
            message += f" (value: {_show(r.value)})"
        elif str(r.component) == SH + "MaxCountConstraintComponent" and isinstance(r.path, URIRef):
            found = sorted(_show(v) for v in many[(r.focus, r.path)])
            message += f" (values: {', '.join(found)})"
        line = index.statement_line(str(r.focus), str(r.path) if isinstance(r.path, URIRef) else None)
        findings.append(Finding(source.display, line, severity, str(rule),
                                f"{_show(r.focus)}: {message}", str(fix), focus=str(r.focus)))
    return findings


def _shape_texts(shapes) -> tuple[dict, dict]:
    """Each shape's sh:name and sh:description, as rdflib terms."""
    names: dict = {}
    descriptions: dict = {}
    for t in shapes:
        if t.predicate.value == SH + "name":
            names.setdefault(to_rdflib_term(t.subject), to_rdflib_term(t.object))
        elif t.predicate.value == SH + "description":
            descriptions.setdefault(to_rdflib_term(t.subject), to_rdflib_term(t.object))
    return names, descriptions


def _values_of(results: list[ShaclResult], triple_lists: list) -> dict[tuple, set]:
    """The values of each (focus, path) of a sh:maxCount result, as the data graph holds them."""
    wanted = {(r.focus, r.path) for r in results if str(r.component) == SH + "MaxCountConstraintComponent"}
    values: dict[tuple, set] = {key: set() for key in wanted}
    if not wanted:
        return values
    subjects = {to_ox_term(focus) for focus, _path in wanted}
    for triples in triple_lists:
        for t in triples:
            if t.subject in subjects:
                key = (to_rdflib_term(t.subject), to_rdflib_term(t.predicate))
                if key in values:
                    values[key].add(to_rdflib_term(t.object))
    return values


def _show(term) -> str:
    from rdflib import Literal

    if isinstance(term, Literal):
        return term.n3()
    return f"<{term}>"
