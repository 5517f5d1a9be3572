"""ontology/tbox-closure.nt: the ontology's OWL-RL closure shipped so that a first call needs no owlrl run.

It is generated; `python -m pytest --update-expected` rewrites it. The test recomputes
the closure with owlrl and compares it triple for triple.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from llmrl_kg import locations
from llmrl_kg.kg.loader import INFERRED_GRAPH, load_sources, reasoning_input
from llmrl_kg.rdf.atomic import write_atomically
from llmrl_kg.reason import materialise


def current_closure() -> tuple[str, list[ox.Triple]]:
    """The key and the owlrl closure for the shipped ontology and data, computed now."""
    sources = load_sources()
    ontology = sources[0]
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object, INFERRED_GRAPH)
                 for s in reasoning_input(sources) for t in s.triples)
    literals = materialise.literal_samples(store)
    return materialise.tbox_key(literals, ontology.text), materialise.tbox_inferences(ontology.triples, literals)


@pytest.mark.generated
def test_the_shipped_closure_is_owlrls_closure_of_the_current_ontology(update_expected):
    digest, closure = current_closure()
    path = locations.kg_root() / "ontology" / materialise.SHIPPED_CLOSURE
    text = materialise.shipped_closure_header(digest) + ox.serialize(
        sorted(closure, key=str), format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
    if update_expected:
        write_atomically(path, text)
    shipped = path.read_text(encoding="utf-8")
    assert shipped.splitlines()[0] == materialise.shipped_closure_header(digest).rstrip("\n"), \
        "stale: run `python -m pytest --update-expected`"
    assert {q.triple for q in ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES)} == set(closure)


def test_a_first_call_reads_the_shipped_closure_instead_of_running_owlrl(tmp_path, monkeypatch):
    digest, closure = current_closure()
    monkeypatch.setenv("LLMRL_KG_CACHE", str(tmp_path))  # an empty cache: a first call
    calls = []
    monkeypatch.setattr(materialise, "tbox_inferences", lambda *args: calls.append(args) or [])
    sources = load_sources()
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object, INFERRED_GRAPH)
                 for s in reasoning_input(sources) for t in s.triples)
    got = materialise.cached_tbox_inferences(sources[0].triples, materialise.literal_samples(store),
                                             sources[0].text)
    assert calls == []
    assert set(got) == set(closure)
    assert list(tmp_path.iterdir()) == []
