"""Move triples from pyoxigraph (fast, strict) to rdflib (what pyshacl, owlrl and networkx need)."""

from __future__ import annotations

import logging
from collections.abc import Iterable

import pyoxigraph as ox
import rdflib

# rdflib logs a traceback for every ill-typed literal; the SHACL shapes report those properly.
logging.getLogger("rdflib.term").setLevel(logging.ERROR)


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def to_rdflib_term(term: object) -> rdflib.term.Node:
    """The rdflib term equal to a pyoxigraph term."""
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        if term.datatype.value == _XSD_STRING:
            # RDF 1.1: a simple literal is an xsd:string; rdflib compares them as different terms.
            return rdflib.Literal(term.value)
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))
    raise TypeError(f"unsupported term {term!r}")


def to_ox_term(term: rdflib.term.Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """The pyoxigraph term equal to an rdflib term."""
    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, rdflib.Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"unsupported term {term!r}")


def to_ox_triple(subject: rdflib.term.Node, predicate: rdflib.term.Node, obj: rdflib.term.Node) -> ox.Triple:
    """The pyoxigraph triple equal to an rdflib triple; TypeError for a literal subject or a non-IRI predicate."""
    s, p, o = to_ox_term(subject), to_ox_term(predicate), to_ox_term(obj)
    if isinstance(s, ox.Literal) or not isinstance(p, ox.NamedNode):
        raise TypeError(f"not an RDF triple: {s} {p} {o}")
    return ox.Triple(s, p, o)


def to_rdflib_graph(triples: Iterable[ox.Triple | ox.Quad], graph: rdflib.Graph | None = None) -> rdflib.Graph:
    """Add `triples` to `graph` (a new one by default) and return it."""
    graph = rdflib.Graph() if graph is None else graph
    add = graph.add
    for t in triples:
        add((to_rdflib_term(t.subject), to_rdflib_term(t.predicate), to_rdflib_term(t.object)))
    return graph
