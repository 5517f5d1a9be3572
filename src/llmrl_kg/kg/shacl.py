"""SHACL validation with the project's own shapes, reported as findings."""

from __future__ import annotations

from llmrl_kg.kg.files import SourceFile
from llmrl_kg.kg.findings import ERROR, WARNING, Finding
from llmrl_kg.rdf.lines import LineIndex
from llmrl_kg.rdf.namespaces import SH, local_name
from llmrl_kg.rdf.oxtypes import term_value
from llmrl_kg.rdf.terms import to_rdflib_graph


def shacl_findings(data_sources: list[SourceFile], ontology, shapes, report_on: set[str]) -> list[Finding]:
    """Validate ontology + data against `shapes`; report results whose focus node is in `report_on` files.

    `ontology` and `shapes` are lists of pyoxigraph triples. The ontology is part of
    the data graph so that `sh:class` follows `rdfs:subClassOf`; no inference runs,
    and the shapes are always passed explicitly (never taken from the data).
    """
    import pyshacl
    from rdflib import Graph, Namespace, URIRef

    sh = Namespace(SH)
    data = to_rdflib_graph(ontology)
    for source in data_sources:
        to_rdflib_graph(source.triples, data)
    shapes_graph = to_rdflib_graph(shapes, Graph())
    _conforms, report, _text = pyshacl.validate(
        data, shacl_graph=shapes_graph, inference="none", advanced=False,
        allow_warnings=True, do_owl_imports=False, meta_shacl=False,
    )

    where: dict[str, tuple[SourceFile, LineIndex]] = {}
    for source in data_sources:
        if source.display not in report_on:
            continue
        index = LineIndex(source.text)
        for t in source.triples:
            where.setdefault(term_value(t.subject), (source, index))

    findings = []
    for result in report.subjects(predicate=URIRef(SH + "focusNode")):
        focus = report.value(result, sh.focusNode)
        if str(focus) not in where:
            continue
        source, index = where[str(focus)]
        path = report.value(result, sh.resultPath)
        shape = report.value(result, sh.sourceShape)
        value = report.value(result, sh.value)
        severity = WARNING if report.value(result, sh.resultSeverity) in (sh.Warning, sh.Info) else ERROR
        rule = shapes_graph.value(shape, sh.name) or local_name(str(report.value(result, sh.sourceConstraintComponent)))
        fix = shapes_graph.value(shape, sh.description) or ""
        message = str(report.value(result, sh.resultMessage) or "")
        if value is not None and value != focus and str(value) not in message:
            message += f" (value: {_show(value)})"
        elif str(report.value(result, sh.sourceConstraintComponent)) == SH + "MaxCountConstraintComponent" \
                and isinstance(path, URIRef):
            found = sorted(_show(v) for v in data.objects(focus, path))
            message += f" (values: {', '.join(found)})"
        line = index.statement_line(str(focus), str(path) if isinstance(path, URIRef) else None)
        findings.append(Finding(source.display, line, severity, str(rule),
                                f"{_show(focus)}: {message}", str(fix), focus=str(focus)))
    return findings


def _show(term) -> str:
    from rdflib import Literal

    if isinstance(term, Literal):
        return term.n3()
    return f"<{term}>"
