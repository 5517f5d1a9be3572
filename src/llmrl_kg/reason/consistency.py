"""OWL 2 RL consistency in Oxigraph: the contradictions this ontology can have, found as SPARQL.

owlrl closes the whole graph in pure Python (about 3 s on the shipped KG, and
superlinear: a chain of owl:sameAs links takes minutes). The ontology uses few
axioms that can make data inconsistent, so after `materialise` (the same
inferences, run as SPARQL Update) the contradictions are a few queries:

* cax-dw / cax-adc  an individual in two classes declared disjoint (owl:disjointWith,
                    owl:AllDisjointClasses); a wrong link shows up here too, because the
                    domain and range of the property type its ends with disjoint record kinds;
* cls-nothing2      an individual of type owl:Nothing (reported once: every other class
                    follows from it, so its disjointness clashes are not listed);
* dt-not-type       a literal whose lexical form is not in its XSD datatype (checked in
                    Python for the datatypes with a grammar, which owlrl checks only in part).

owl:sameAs is not reasoned over: outside the link files it is refused before
reasoning (`same_as_statements`), and the link files are left out of reasoning
(see kg/loader.py). tests/test_consistency.py checks that these findings equal
owlrl's on the shipped KG and on seeded faulty graphs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from llmrl_kg.rdf.namespaces import OWL, RDF, RDFS, XSD
from llmrl_kg.rdf.oxtypes import select, term_value

_INFERRED = "urn:llmrl-kg:consistency-inferred"

_DISJOINT = f"""
SELECT DISTINCT ?x ?c1 ?c2 WHERE {{
  {{ ?c1 <{OWL}disjointWith> ?c2 }}
  UNION
  {{ ?all a <{OWL}AllDisjointClasses> ; <{OWL}members> ?list .
     ?list <{RDF}rest>*/<{RDF}first> ?c1 . ?list <{RDF}rest>*/<{RDF}first> ?c2 . FILTER(?c1 != ?c2) }}
  ?x a ?c1 , ?c2 .
  FILTER(isIRI(?x) && STR(?c1) < STR(?c2))
  FILTER NOT EXISTS {{ ?x a <{OWL}Nothing> }}  # reported once, as cls-nothing2
}} ORDER BY ?x ?c1 ?c2"""

_NOTHING = f"SELECT DISTINCT ?x WHERE {{ ?x a <{OWL}Nothing> }} ORDER BY ?x"

# The lexical spaces of the XSD datatypes that have a simple grammar (XML Schema 1.1, part 2).
_INTEGER = r"[+-]?[0-9]+"
_LEXICAL = {
    "integer": _INTEGER, "int": _INTEGER, "long": _INTEGER, "short": _INTEGER,
    "nonNegativeInteger": r"\+?[0-9]+|-0+", "positiveInteger": r"\+?0*[1-9][0-9]*",
    "decimal": r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)",
    "double": r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?|INF|-INF|\+INF|NaN",
    "float": r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?|INF|-INF|\+INF|NaN",
    "boolean": r"true|false|1|0",
    "gYear": r"-?([1-9][0-9]{3,}|0[0-9]{3})(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))?",
    "date": r"-?([1-9][0-9]{3,}|0[0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])(Z|[+-][0-9]{2}:[0-9]{2})?",
    "dateTime": r"-?([1-9][0-9]{3,}|0[0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T"
                r"([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?",
}
_GRAMMARS = {XSD + name: re.compile(pattern) for name, pattern in _LEXICAL.items()}


@dataclass(frozen=True, order=True)
class Contradiction:
    """One contradiction: the rule broken, the individual (or subject) at fault, and what it says."""

    rule: str
    focus: str
    message: str
    predicate: str | None = None
    literal: ox.Literal | None = None


def same_as_statements(triples: Iterable[ox.Triple]) -> list[ox.Triple]:
    """The owl:sameAs statements among `triples` (refused outside the link files)."""
    return [t for t in triples if t.predicate.value == OWL + "sameAs"]


def ill_typed_literals(triples: Iterable[ox.Triple]) -> list[Contradiction]:
    """Literals whose lexical form is not in their XSD datatype (dt-not-type)."""
    found = []
    for triple in triples:
        value = triple.object
        if isinstance(value, ox.Literal):
            grammar = _GRAMMARS.get(value.datatype.value)
            if grammar is not None and not grammar.fullmatch(value.value):
                name = value.datatype.value.removeprefix(XSD)
                found.append(Contradiction(
                    "dt-not-type", term_value(triple.subject),
                    f"the literal {value.value!r} is not a valid xsd:{name}", triple.predicate.value, value))
    return sorted(set(found), key=lambda c: (c.focus, c.predicate or "", c.message))


def contradictions(store: ox.Store) -> list[Contradiction]:
    """The disjointness and owl:Nothing contradictions of a store already closed by `materialise`."""
    found = []
    for row in select(store, _DISJOINT, use_default_graph_as_union=True):
        found.append(Contradiction("cax-dw", row["x"].value,
                                   f"it is both a {row['c1'].value} and a {row['c2'].value}, "
                                   "and the two classes are disjoint"))
    for row in select(store, _NOTHING, use_default_graph_as_union=True):
        found.append(Contradiction("cls-nothing2", row["x"].value, "it is of type owl:Nothing"))
    return sorted(found)


def check(ontology: list[ox.Triple], data: list[ox.Triple], *, cache_key: str | None = None,
          tbox: list[ox.Triple] | None = None) -> list[Contradiction]:
    """Every contradiction of ontology + data (owl:sameAs statements must have been left out).

    `tbox` may give the ontology's closure (`tbox_closure`), else it is found by `cache_key`.
    """
    from llmrl_kg.reason.materialise import materialise

    store = ox.Store()
    graph = ox.NamedNode("urn:llmrl-kg:asserted")
    store.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in [*ontology, *data])
    materialise(store, ontology, _INFERRED, cache_key=cache_key, tbox=tbox)
    return contradictions(store) + ill_typed_literals(data)


# --- Checking what an edit can change -------------------------------------------------------
# An individual's types follow from the triples that mention it, the ontology and the
# data's schema statements: no rule of `materialise` but prp-trp (transitive properties)
# reaches further. So when the edited files state no schema, the contradictions of the
# individuals they do not mention are those of the other files alone (cached), and those
# of the individuals they mention are found in a store of the triples mentioning them.

# The schema statements the rules of `materialise` and the queries above read (keep them in step).
_SCHEMA_PREDICATES = {RDFS + "subClassOf", RDFS + "subPropertyOf", RDFS + "domain", RDFS + "range",
                      OWL + "inverseOf", OWL + "disjointWith", OWL + "members", RDF + "first", RDF + "rest"}
_SCHEMA_TYPES = {OWL + "SymmetricProperty", OWL + "TransitiveProperty", OWL + "AllDisjointClasses"}


def tbox_closure(ontology: list[ox.Triple], data: list[ox.Triple], cache_key: str) -> list[ox.Triple]:
    """The ontology's closure that `check(ontology, data, cache_key=cache_key)` uses (from the cache)."""
    from llmrl_kg.reason.materialise import cached_tbox_inferences

    samples: dict[tuple[str, str], ox.Literal] = {}
    for t in [*ontology, *data]:
        if isinstance(t.object, ox.Literal):
            samples.setdefault((t.object.datatype.value, t.object.language or ""), t.object)
    return cached_tbox_inferences(ontology, sorted(samples.values(), key=str), cache_key)


def is_schema(triple: ox.Triple) -> bool:
    """True for a schema statement that the reasoning reads (an axiom, a list cell, a property's kind)."""
    predicate = triple.predicate.value
    return predicate in _SCHEMA_PREDICATES or (
        predicate == RDF + "type" and isinstance(triple.object, ox.NamedNode) and triple.object.value in _SCHEMA_TYPES)


def reasons_locally(everything: Iterable[ox.Triple], edited: list[ox.Triple]) -> bool:
    """True when `contradictions_about` is exact: no transitive property in `everything` (the ontology,
    its closure and the data), no schema statement in the `edited` triples."""
    transitive = ox.NamedNode(OWL + "TransitiveProperty")
    return not any(t.object == transitive for t in everything) and not any(is_schema(t) for t in edited)


def mentioned(triples: Iterable[ox.Triple]) -> set[str]:
    """The IRIs and blank nodes that `triples` have as subject or object."""
    return {term.value for t in triples for term in (t.subject, t.object)
            if isinstance(term, (ox.NamedNode, ox.BlankNode))}


def contradictions_about(ontology: list[ox.Triple], data: list[ox.Triple], individuals: set[str],
                         tbox: list[ox.Triple]) -> list[Contradiction]:
    """The disjointness and owl:Nothing contradictions of ontology + data at `individuals` (see above).

    Only the triples that mention one of them and the schema statements are reasoned over.
    """
    from llmrl_kg.reason.materialise import materialise

    def needed(t: ox.Triple) -> bool:
        return (term_value(t.subject) in individuals or is_schema(t)
                or (not isinstance(t.object, ox.Literal) and term_value(t.object) in individuals))

    axioms = [t for t in ontology if needed(t)]
    store = ox.Store()
    graph = ox.NamedNode("urn:llmrl-kg:asserted")
    store.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in [*axioms, *filter(needed, data)])
    materialise(store, axioms, _INFERRED, tbox=[t for t in tbox if needed(t)])
    return [c for c in contradictions(store) if c.focus in individuals]


def cached_contradictions(name: str, ontology: list[ox.Triple], data: list[ox.Triple],
                          tbox: list[ox.Triple]) -> list[Contradiction]:
    """The disjointness and owl:Nothing contradictions of ontology + data, cached under `name`.

    `name` must be a digest of everything they depend on (the data, the ontology, the code).
    """
    import json

    from llmrl_kg.rdf.cache import cache_dir, cached

    def compute() -> list[Contradiction]:
        return [c for c in check(ontology, data, tbox=tbox) if c.rule != "dt-not-type"]

    def read(path) -> list[Contradiction]:
        try:
            rows = json.loads(path.read_bytes().split(b"\n", 1)[1])
            return [Contradiction(str(rule), str(focus), str(message)) for rule, focus, message in rows]
        except (ValueError, TypeError, IndexError) as error:
            raise SyntaxError(f"damaged cache file {path}") from error

    def write(found: list[Contradiction]) -> str:
        return json.dumps([[c.rule, c.focus, c.message] for c in found])

    return cached(cache_dir() / f"contradictions-{name}.json", compute, read, write)
