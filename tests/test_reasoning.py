"""The ontology with all the data is consistent under OWL-RL (owlrl) and a DL reasoner (HermiT)."""

from __future__ import annotations

import shutil

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, XSD

from llmrl_kg.kg.loader import rdflib_graph
from llmrl_kg.reason.owl_rl import owl_rl_closure
from survey_scope import SURVEY_METHODS

LLMRL = Namespace("https://w3id.org/llmrl-kg/ontology#")
METHOD = Namespace("https://w3id.org/llmrl-kg/method/")


def _survey_store():
    from llmrl_kg.kg.loader import open_store

    return open_store(inferred=False)


@pytest.fixture(scope="module")
def kg() -> Graph:
    return rdflib_graph()


def test_owl_rl_finds_no_contradiction_and_infers_the_taxonomy(kg):
    inferred, errors = owl_rl_closure(kg)
    assert errors == []
    # The survey's twelve planners (scoped to the survey's methods, so additions leave them unchanged).
    survey = {URIRef(row["method"].value) for row in _survey_store().query(SURVEY_METHODS, use_default_graph_as_union=True)}
    planners = {s for s in inferred.subjects(RDF.type, LLMRL.PlannerMethod)} & survey
    assert {str(p).rsplit("/", 1)[1] for p in planners} == {
        "saytap", "lgts", "psl", "llarp", "lma3", "when2ask", "inner-monologue",
        "saycan", "llm4teach", "adarefiner", "boss", "text2motion"}
    assert (METHOD.agile, LLMRL.hasEntry, URIRef("https://w3id.org/llmrl-kg/entry/agile-readme")) in inferred


def test_owl_rl_reports_a_method_in_two_disjoint_roles(kg):
    broken = Graph()
    for triple in kg:
        broken.add(triple)
    broken.add((METHOD.agile, RDF.type, LLMRL.IncrementalPlanner))
    _inferred, errors = owl_rl_closure(broken)
    assert errors and all("agile" in e for e in errors)


def _hermit(graph: Graph, tmp_path):
    """Classify `graph` with HermiT; return (consistent, unsatisfiable class names)."""
    owlready2 = pytest.importorskip("owlready2")
    # xsd:gYear is not in the OWL 2 datatype map, so HermiT refuses such literals; no axiom
    # depends on their values, so the DL check sees them as plain strings.
    dl = Graph()
    for s, p, o in graph:
        if isinstance(o, Literal) and o.datatype == XSD.gYear:
            o = Literal(str(o))
        dl.add((s, p, o))
    path = tmp_path / "kg.owl"
    dl.serialize(path, format="xml")
    world = owlready2.World()
    onto = world.get_ontology(path.as_uri()).load()
    try:
        with onto:
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    except owlready2.OwlReadyInconsistentOntologyError:
        return False, []
    return True, sorted(c.name for c in world.inconsistent_classes())


needs_java = pytest.mark.skipif(shutil.which("java") is None, reason="HermiT needs a Java runtime")


@needs_java
@pytest.mark.java
def test_hermit_finds_the_kg_consistent_with_no_unsatisfiable_class(kg, tmp_path):
    assert _hermit(kg, tmp_path) == (True, [])


@needs_java
@pytest.mark.java
def test_hermit_rejects_a_method_in_two_disjoint_roles(kg, tmp_path):
    broken = Graph()
    for triple in kg:
        broken.add(triple)
    broken.add((METHOD.agile, RDF.type, LLMRL.IncrementalPlanner))
    assert _hermit(broken, tmp_path) == (False, [])
