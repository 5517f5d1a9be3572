"""pyoxigraph's values narrowed to what this project handles: RDF 1.1 terms, queries of a known form.

pyoxigraph's type stubs give a triple's subject and object as unions that include
`Triple` (an RDF 1.2 triple term), `Store.query` as any of its three kinds of
answer and `serialize` as `bytes | None`. The project's data is RDF 1.1, and each
query's form is known where it is run; these helpers say so to the type checker
and raise TypeError when it is not so, instead of failing further on.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox


def term_value(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    """The IRI, blank node label or lexical form of an RDF 1.1 term; TypeError for an RDF 1.2 triple term."""
    if isinstance(term, ox.Triple):
        raise TypeError(f"an RDF 1.2 triple term has no single value: {term}")
    return term.value


def select(store: ox.Store, query: str, *, use_default_graph_as_union: bool = False) -> ox.QuerySolutions:
    """The solutions of a SELECT query run on `store`; TypeError if `query` is not a SELECT query."""
    result = store.query(query, use_default_graph_as_union=use_default_graph_as_union)
    if not isinstance(result, ox.QuerySolutions):
        raise TypeError("expected a SELECT query")
    return result


def ntriples_bytes(triples: Iterable[ox.Triple]) -> bytes:
    """`triples` in (pyoxigraph's canonical) N-Triples, as bytes."""
    written = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    assert written is not None  # serialize returns the bytes when it is given no output
    return written
