"""Scalable OWL-RL materialisation: the TBox closed once, the ABox rules run as SPARQL Update.

owlrl closes the whole graph in pure Python and grows superlinearly (about
100 s at 100k triples). The ontology is small and fixed, so its closure is
computed once with owlrl; the rules that carry it over to the data are then a
handful of SPARQL `INSERT ... WHERE` statements that Oxigraph runs as joins, in
time linear in the data:

* cax-sco   `x a C`, `C rdfs:subClassOf D`         => `x a D`
* prp-dom   `x p y`, `p rdfs:domain C`             => `x a C`
* prp-rng   `x p y`, `p rdfs:range C`, y an IRI    => `y a C`
* prp-spo1  `x p y`, `p rdfs:subPropertyOf q`      => `x q y`
* prp-inv   `x p y`, `p owl:inverseOf q` (or q of p) => `y q x`
* prp-symp / prp-trp for symmetric and transitive properties (the ontology has none today)

Because the TBox closure is already transitive (sub-class, sub-property,
domains inherited along sub-properties), each rule needs about one pass: the
property rules run until nothing new appears, then domain and range typing,
then sub-class typing until nothing new appears. The triples are
filtered as owlrl's output is (see reasoning.py): no blank nodes or literals
as subjects, no reflexive or trivial `rdf:type owl:Thing` facts. On the shipped
KG the result equals owlrl's inferred graph (a test checks it).
"""

from __future__ import annotations

from typing import Iterable

import pyoxigraph as ox

from .namespaces import OWL, RDF, RDFS

_TRIVIAL_TYPES = (OWL + "Thing", RDFS + "Resource", OWL + "NamedIndividual")


def tbox_inferences(ontology: Iterable[ox.Triple], literals: Iterable[ox.Literal] = ()) -> list[ox.Triple]:
    """OWL-RL closure of the ontology alone (owlrl, on a few thousand triples): the new triples.

    owlrl's datatype axioms (e.g. `xsd:boolean owl:disjointWith xsd:string`) depend on
    which datatypes the data's literals use; pass one literal of each in `literals`.
    """
    from .bridge import to_ox_term, to_rdflib_graph
    from .reasoning import owl_rl_closure

    probe = ox.NamedNode("urn:llmrl-kg:datatype-probe")
    triples = [*ontology, *(ox.Triple(probe, probe, literal) for literal in literals)]
    inferred, _errors = owl_rl_closure(to_rdflib_graph(triples))
    closure = (ox.Triple(to_ox_term(s), to_ox_term(p), to_ox_term(o)) for s, p, o in inferred)
    return sorted((t for t in closure if probe not in (t.subject, t.predicate, t.object)), key=str)


def literal_samples(store: ox.Store) -> list[ox.Literal]:
    """One literal of each datatype (and language) the store's graphs use."""
    query = ("SELECT (SAMPLE(?o) AS ?literal) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(isLITERAL(?o)) } "
             "GROUP BY (DATATYPE(?o)) (LANG(?o))")
    return sorted((row["literal"] for row in store.query(query)), key=str)


def cached_tbox_inferences(ontology: list[ox.Triple], literals: list[ox.Literal], key: str) -> list[ox.Triple]:
    """`tbox_inferences`, cached on disk under a hash of `key` (e.g. the ontology file's text)
    and of the literals' datatypes: the closure is recomputed only when either changes."""
    import hashlib

    from . import __version__
    from .atomic import write_atomically
    from .dataset import cache_dir

    kinds = sorted({f"{literal.datatype.value}@{literal.language or ''}" for literal in literals})
    digest = hashlib.sha256("\0".join([__version__, key, *kinds]).encode()).hexdigest()[:24]
    cache_file = cache_dir() / f"tbox-{digest}.nt"
    if cache_file.is_file():
        try:
            return [q.triple for q in ox.parse(path=str(cache_file), format=ox.RdfFormat.N_TRIPLES)]
        except (SyntaxError, OSError):
            pass  # a damaged cache is recomputed
    triples = tbox_inferences(ontology, literals)
    try:
        write_atomically(cache_file, ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES))
    except OSError:
        pass  # a read-only cache folder only costs speed
    return triples


def _not_trivial(subject: str, obj: str, predicate: str | None = None) -> str:
    """A SPARQL FILTER keeping the triples owlrl's filter (reasoning._is_trivial) keeps."""
    trivial_types = ", ".join(f"<{t}>" for t in _TRIVIAL_TYPES)
    parts = [f"isIRI({subject})", f"!isBLANK({obj})"]
    if predicate == RDF + "type":
        parts.append(f"{obj} NOT IN ({trivial_types})")
    return "FILTER(" + " && ".join(parts) + ")"


def _rules(inferred: str) -> dict[str, str]:
    """The SPARQL Update statement of each rule (each adds only triples not yet in any graph)."""
    g = f"<{inferred}>"
    rdf_type = f"<{RDF}type>"

    def new(s: str, p: str, o: str) -> str:
        return f"FILTER NOT EXISTS {{ GRAPH ?any {{ {s} {p} {o} }} }}"

    return {
        "cax-sco": f"""INSERT {{ GRAPH {g} {{ ?x {rdf_type} ?d }} }} WHERE {{
              GRAPH ?g1 {{ ?c <{RDFS}subClassOf> ?d }}
              GRAPH ?g2 {{ ?x {rdf_type} ?c }}
              FILTER(?c != ?d) {_not_trivial('?x', '?d', RDF + 'type')} {new('?x', rdf_type, '?d')} }}""",
        "prp-dom": f"""INSERT {{ GRAPH {g} {{ ?x {rdf_type} ?c }} }} WHERE {{
              GRAPH ?g1 {{ ?p <{RDFS}domain> ?c }}
              GRAPH ?g2 {{ ?x ?p ?y }}
              {_not_trivial('?x', '?c', RDF + 'type')} {new('?x', rdf_type, '?c')} }}""",
        "prp-rng": f"""INSERT {{ GRAPH {g} {{ ?y {rdf_type} ?c }} }} WHERE {{
              GRAPH ?g1 {{ ?p <{RDFS}range> ?c }}
              GRAPH ?g2 {{ ?x ?p ?y }}
              {_not_trivial('?y', '?c', RDF + 'type')} {new('?y', rdf_type, '?c')} }}""",
        "prp-spo1": f"""INSERT {{ GRAPH {g} {{ ?x ?q ?y }} }} WHERE {{
              GRAPH ?g1 {{ ?p <{RDFS}subPropertyOf> ?q }}
              GRAPH ?g2 {{ ?x ?p ?y }}
              FILTER(?p != ?q && isIRI(?q)) {_not_trivial('?x', '?y')} {new('?x', '?q', '?y')} }}""",
        # prp-inv1 and prp-inv2
        "prp-inv": f"""INSERT {{ GRAPH {g} {{ ?y ?q ?x }} }} WHERE {{
              {{ GRAPH ?g1 {{ ?p <{OWL}inverseOf> ?q }} }} UNION {{ GRAPH ?g1 {{ ?q <{OWL}inverseOf> ?p }} }}
              GRAPH ?g2 {{ ?x ?p ?y }}
              FILTER(isIRI(?q)) {_not_trivial('?y', '?x')} {new('?y', '?q', '?x')} }}""",
        "prp-symp": f"""INSERT {{ GRAPH {g} {{ ?y ?p ?x }} }} WHERE {{
              GRAPH ?g1 {{ ?p {rdf_type} <{OWL}SymmetricProperty> }}
              GRAPH ?g2 {{ ?x ?p ?y }}
              {_not_trivial('?y', '?x')} {new('?y', '?p', '?x')} }}""",
        # one step of prp-trp; repeated until the closure is reached
        "prp-trp": f"""INSERT {{ GRAPH {g} {{ ?x ?p ?z }} }} WHERE {{
              GRAPH ?g1 {{ ?p {rdf_type} <{OWL}TransitiveProperty> }}
              GRAPH ?g2 {{ ?x ?p ?y }} GRAPH ?g3 {{ ?y ?p ?z }}
              FILTER(?x != ?z) {_not_trivial('?x', '?z')} {new('?x', '?p', '?z')} }}""",
    }

# No rule derives property assertions from types, so the property rules are run to their
# fixpoint first, then the typing rules once (their inputs are then complete), then
# sub-class typing to its fixpoint (one pass when the TBox closure is transitive).
# Sub-class typing also runs before domain and range typing: most types those two would
# add then exist already, and inserting is what costs (it halves the time at 1M triples).
PROPERTY_RULES = ("prp-spo1", "prp-inv", "prp-symp", "prp-trp")
TYPING_RULES = ("prp-dom", "prp-rng")
CLASS_RULES = ("cax-sco",)


def _count(store: ox.Store, graph: str) -> int:
    result = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return int(next(iter(result))["n"].value)


def materialise(store: ox.Store, ontology: list[ox.Triple], inferred_graph: str, *,
                cache_key: str | None = None, tbox: list[ox.Triple] | None = None,
                max_rounds: int = 20) -> int:
    """Add the OWL-RL consequences of the store's triples to `inferred_graph`; return how many.

    `ontology` is the TBox (its triples must also be in the store, in any graph).
    With `cache_key` (the ontology's text), the TBox closure is cached on disk;
    `tbox` may pass a precomputed closure instead.
    """
    graph = ox.NamedNode(inferred_graph)
    before = _count(store, inferred_graph)
    if tbox is not None:
        closure = tbox
    elif cache_key is not None:
        closure = cached_tbox_inferences(ontology, literal_samples(store), cache_key)
    else:
        closure = tbox_inferences(ontology, literal_samples(store))
    store.extend([ox.Quad(t.subject, t.predicate, t.object, graph) for t in closure
                  if next(store.quads_for_pattern(t.subject, t.predicate, t.object, None), None) is None])
    rules = _rules(inferred_graph)
    for group in (PROPERTY_RULES, CLASS_RULES, TYPING_RULES, CLASS_RULES):
        size = _count(store, inferred_graph)
        for _round in range(max_rounds):
            for name in group:
                store.update(rules[name])
            grown = _count(store, inferred_graph)
            if grown == size or group == TYPING_RULES:
                break
            size = grown
    return _count(store, inferred_graph) - before
