"""SHACL validation with the project's own shapes, reported as findings.

Two engines give the same results (tests/test_shacl_differential.py): the SHACL Core
shapes compiled to SPARQL and run in Oxigraph (kg/shacl_sparql.py, the default), and
pyshacl, the reference. `engine="pyshacl"` or the environment variable
LLMRL_KG_SHACL=pyshacl selects pyshacl; a shapes graph the compiler does not handle
falls back to pyshacl.
"""

from __future__ import annotations

import os

import pyoxigraph as ox

from llmrl_kg.errors import UsageError
from llmrl_kg.kg.files import SourceFile
from llmrl_kg.kg.findings import ERROR, WARNING, Finding
from llmrl_kg.kg.shacl_sparql import ShaclResult, UnsupportedShapes, validate_triples
from llmrl_kg.rdf.lines import LineIndex
from llmrl_kg.rdf.namespaces import SH, local_name
from llmrl_kg.rdf.oxtypes import term_value

ENGINES = ("sparql", "pyshacl")
# Above this many focus nodes the shapes run on the whole graph and the results are filtered by file:
# every query would carry the nodes as a VALUES list, which then costs more than it saves.
MAX_RESTRICTED_NODES = 2_000
ENGINE_VARIABLE = "LLMRL_KG_SHACL"


def shacl_findings(data_sources: list[SourceFile], ontology, shapes, report_on: set[str],
                   *, engine: str | None = None) -> list[Finding]:
    """Validate ontology + data against `shapes`; report results whose focus node is in `report_on` files.

    `ontology` and `shapes` are lists of pyoxigraph triples. The ontology is part of
    the data graph so that `sh:class` follows `rdfs:subClassOf`; no inference runs,
    and the shapes are always passed explicitly (never taken from the data).
    `engine` is "sparql" (default) or "pyshacl" (default from $LLMRL_KG_SHACL).
    """
    triple_lists = [ontology, *(s.triples for s in data_sources)]
    focus_nodes = _reported_nodes(data_sources, report_on)
    if _engine(engine) == "sparql":
        try:
            results = validate_triples(shapes, triple_lists, focus_nodes)
        except UnsupportedShapes:
            results = [r.as_oxigraph() for r in pyshacl_results(triple_lists, shapes)]
    else:
        results = [r.as_oxigraph() for r in pyshacl_results(triple_lists, shapes)]
    return findings_from_results(results, data_sources, ontology, shapes, report_on)


def _reported_nodes(data_sources: list[SourceFile], report_on: set[str]) -> list[ox.NamedNode] | None:
    """The subjects of the `report_on` files, when they are not all the files and are all IRIs, else None.

    Only results at these nodes are reported, so validating one file runs the shapes at its nodes alone.
    """
    if all(s.display in report_on for s in data_sources):
        return None
    nodes = [t.subject for s in data_sources if s.display in report_on for t in s.triples]
    iris = [node for node in nodes if isinstance(node, ox.NamedNode)]
    if len(iris) != len(nodes) or len(set(iris)) > MAX_RESTRICTED_NODES:
        return None
    return iris


def shacl_results(triple_lists: list, shapes, *, engine: str | None = None,
                  focus_nodes: list[ox.NamedNode] | None = None) -> list[ShaclResult]:
    """The validation results of the union of `triple_lists` against `shapes` (pyoxigraph triples).

    With `focus_nodes`, the SPARQL engine reports only the results at those nodes
    (pyshacl reports all; the results at those nodes are the same). The results are in rdflib terms.
    """
    if _engine(engine) == "sparql":
        try:
            return [r.as_rdflib() for r in validate_triples(shapes, triple_lists, focus_nodes)]
        except UnsupportedShapes:
            pass  # the reference engine handles every SHACL Core shapes graph
    return pyshacl_results(triple_lists, shapes)


def _engine(engine: str | None) -> str:
    """The engine chosen by `engine`, else by $LLMRL_KG_SHACL, else "sparql"."""
    chosen = engine or os.environ.get(ENGINE_VARIABLE, "").strip() or "sparql"
    if chosen not in ENGINES:
        raise UsageError(f"unknown SHACL engine {chosen!r}", fix=f"use one of: {', '.join(ENGINES)}")
    return chosen


def pyshacl_results(triple_lists: list, shapes) -> list[ShaclResult]:
    """The validation results pyshacl (the reference engine) reports."""
    import pyshacl
    from rdflib import Graph, Namespace

    from llmrl_kg.rdf.terms import to_rdflib_graph

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
    """The findings of `results` (in pyoxigraph terms) whose focus node is stated in one of the `report_on` files."""
    where: dict[str, tuple[SourceFile, LineIndex]] = {}
    for source in data_sources:
        if source.display not in report_on:
            continue
        index = source.line_index
        for t in source.triples:
            where.setdefault(term_value(t.subject), (source, index))
    reported = [r for r in results if term_value(r.focus) in where]
    names, descriptions = _shape_texts(shapes)
    many = _values_of(reported, [ontology, *(s.triples for s in data_sources)])
    allowed = (ox.NamedNode(SH + "Warning"), ox.NamedNode(SH + "Info"))

    findings = []
    for r in reported:
        focus = term_value(r.focus)
        source, index = where[focus]
        rule = names.get(r.source_shape) or local_name(r.component.value)
        message = r.message
        if r.value is not None and r.value != r.focus and term_value(r.value) not in message:
            message += f" (value: {_show(r.value)})"
        elif r.component.value == SH + "MaxCountConstraintComponent" and isinstance(r.path, ox.NamedNode):
            found = sorted({_show(v) for v in many[(r.focus, r.path)]})  # values rdflib reads as one, shown once
            message += f" (values: {', '.join(found)})"
        line = index.statement_line(focus, r.path.value if isinstance(r.path, ox.NamedNode) else None)
        findings.append(Finding(source.display, line, WARNING if r.severity in allowed else ERROR, rule,
                                f"{_show(r.focus)}: {message}", descriptions.get(r.source_shape) or "",
                                focus=focus))
    return findings


def _shape_texts(shapes) -> tuple[dict, dict]:
    """Each shape's sh:name and sh:description (text), by shape node."""
    names: dict = {}
    descriptions: dict = {}
    for t in shapes:
        if t.predicate.value == SH + "name":
            names.setdefault(t.subject, term_value(t.object))
        elif t.predicate.value == SH + "description":
            descriptions.setdefault(t.subject, term_value(t.object))
    return names, descriptions


def _values_of(results: list[ShaclResult], triple_lists: list) -> dict[tuple, set]:
    """The values of each (focus, path) of a sh:maxCount result, as the data graph holds them."""
    wanted = {(r.focus, r.path) for r in results if term_value(r.component) == SH + "MaxCountConstraintComponent"}
    values: dict[tuple, set] = {key: set() for key in wanted}
    if not wanted:
        return values
    subjects = {focus for focus, _path in wanted}
    for triples in triple_lists:
        for t in triples:
            if t.subject in subjects:
                key = (t.subject, t.predicate)
                if key in values:
                    values[key].add(t.object)
    return values


def _show(term) -> str:
    """A pyoxigraph term as findings show it: a literal as rdflib writes it in N3, else <IRI>."""
    if isinstance(term, ox.Literal):
        from llmrl_kg.rdf.terms import to_rdflib_term

        return to_rdflib_term(term).n3()
    return f"<{term_value(term)}>"
