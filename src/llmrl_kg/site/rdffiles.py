"""The RDF files of the site: Turtle and JSON-LD per entity, and the whole KG as N-Quads for the SPARQL page.

All are deterministic: the per-entity files hold no blank nodes (canonical
Turtle, sorted expanded JSON-LD), and the whole-KG dump names its blank nodes
(the ontology's OWL lists and restrictions) by a hash of their surroundings,
not by the parser's random labels.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable

import pyoxigraph as ox

from llmrl_kg.rdf.namespaces import XSD
from llmrl_kg.rdf.turtle import canonical_turtle


def entity_turtle(triples: Iterable[ox.Triple]) -> str:
    """The triples in the project's canonical Turtle."""
    return canonical_turtle(triples)


def _jsonld_object(term: ox.NamedNode | ox.Literal) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"@id": term.value}
    if term.language:
        return {"@value": term.value, "@language": term.language}
    if term.datatype.value == XSD + "string":
        return {"@value": term.value}
    return {"@value": term.value, "@type": term.datatype.value}


def entity_jsonld(triples: Iterable[ox.Triple]) -> str:
    """The triples as expanded JSON-LD (no context needed): one node object per subject, all sorted."""
    nodes: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for triple in triples:
        if not isinstance(triple.subject, ox.NamedNode) or not isinstance(triple.object, (ox.NamedNode, ox.Literal)):
            raise ValueError(f"a blank node or triple term in an entity's description: {triple}")
        obj = _jsonld_object(triple.object)
        if triple.predicate.value == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type" and "@id" in obj:
            nodes[triple.subject.value]["@type"].append(obj["@id"])
        else:
            nodes[triple.subject.value][triple.predicate.value].append(obj)
    document = []
    for subject in sorted(nodes):
        node: dict[str, object] = {"@id": subject}
        for predicate in sorted(nodes[subject]):
            values = nodes[subject][predicate]
            node[predicate] = sorted(set(values)) if predicate == "@type" else \
                sorted({json.dumps(v, sort_keys=True): v for v in values}.values(),
                       key=lambda v: json.dumps(v, sort_keys=True))
        document.append(node)
    return json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def _masked(term: object, names: dict[str, str]) -> str:
    return "_:" + names.get(str(term), "") if isinstance(term, ox.BlankNode) else str(term)


def blank_node_names(quads: list[ox.Quad], rounds: int = 3) -> dict[str, str]:
    """A stable name for each blank node: a hash of the quads around it, refined over a few rounds."""
    around: dict[str, list[tuple[str, ox.Quad]]] = defaultdict(list)
    for quad in quads:
        for position, term in (("s", quad.subject), ("o", quad.object)):
            if isinstance(term, ox.BlankNode):
                around[str(term)].append((position, quad))
    names = {node: "" for node in around}
    for _ in range(rounds):
        names = {node: hashlib.sha256("\n".join(sorted(
            f"{position} {_masked(q.subject, names)} {q.predicate} {_masked(q.object, names)} {q.graph_name}"
            for position, q in found)).encode()).hexdigest()[:16] for node, found in around.items()}
    return names


def nquads(quads: Iterable[ox.Quad]) -> str:
    """The quads as sorted N-Quads lines, blank nodes under their stable names."""
    quads = list(quads)
    names = blank_node_names(quads)

    def term(value: object) -> str:
        return "_:b" + names[str(value)] if isinstance(value, ox.BlankNode) else str(value)

    lines = {f"{term(q.subject)} {q.predicate} {term(q.object)} {q.graph_name} .\n" for q in quads}
    return "".join(sorted(lines))
