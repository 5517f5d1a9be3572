"""OWL 2 RL reasoning with owlrl: inferred triples kept apart, and the consistency check.

The closure runs on a copy of the asserted graph; what it adds (minus the
trivial triples every OWL-RL closure adds, such as `x owl:sameAs x`) is returned
as a separate graph, so asserted and inferred triples never mix in the
curated files. owlrl records inconsistencies (a member of two disjoint
classes, for example) as error messages; those are returned too.
"""

from __future__ import annotations

from llmrl_kg.rdf.namespaces import OWL, RDF, RDFS

_ERROR_NS = "http://www.daml.org/2002/03/agents/agent-ont#"
_TRIVIAL_TYPES = {OWL + "Thing", RDFS + "Resource", OWL + "NamedIndividual"}
_REFLEXIVE = {OWL + "sameAs", RDFS + "subClassOf", RDFS + "subPropertyOf",
              OWL + "equivalentClass", OWL + "equivalentProperty"}


def _is_trivial(s, p, o) -> bool:
    from rdflib import BNode, Literal

    if isinstance(s, (BNode, Literal)) or isinstance(o, BNode):
        return True
    if str(p) in _REFLEXIVE and s == o:
        return True
    if str(p) == RDF + "type" and str(o) in _TRIVIAL_TYPES:
        return True
    # Datatype-level facts such as `xsd:string rdf:type rdfs:Datatype` say nothing about the KG.
    return str(p).startswith(_ERROR_NS) or str(o).startswith(_ERROR_NS)


def owl_rl_closure(asserted):
    """Return (inferred triples as a new rdflib Graph, owlrl's inconsistency messages).

    `asserted` (an rdflib Graph holding ontology and data) is not modified.
    """
    import owlrl
    from rdflib import Graph, URIRef

    expanded = Graph()
    for triple in asserted:
        expanded.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, improved_datatypes=False).expand(expanded)

    errors = sorted(str(o) for o in expanded.objects(predicate=URIRef(_ERROR_NS + "error")))
    inferred = Graph()
    for s, p, o in expanded:
        if (s, p, o) not in asserted and not _is_trivial(s, p, o):
            inferred.add((s, p, o))
    return inferred, errors
