"""The full view projected straight from the store (issue 11) writes what the networkx view wrote.

The reference below is the full view as the project built it before: every asserted triple read
into `Records`' subject → predicate → objects index, then a networkx MultiDiGraph built triple by
triple. The projection (`network.project_full`) reads the store's quads instead and never builds a
networkx graph for GraphML or GEXF. Both must give the same bytes in every network format, on the
shipped KG with and without inferences and on a KG with the awkward cases added: blank nodes, a
web address that is a blank node, two properties with one local name, a resource both the
ontology and a data file describe, the dataset's own description, typed and hostile literals, an
IRI outside the project's namespaces with a type, and a triple stated in two files.
"""

from __future__ import annotations

from collections import defaultdict

import networkx as nx
import pyoxigraph as ox
import pytest

from llmrl_kg import locations
from llmrl_kg.export import export
from llmrl_kg.export.graphfiles import NETWORK_FORMATS, write_graph
from llmrl_kg.export.network import (
    _WEB_ADDRESS,
    MULTI_SEPARATOR,
    TYPE,
    _attribute_name,
    _literal_value,
    full_view,
    is_dataset_description,
    kind_of,
    project_full,
    property_label,
)
from llmrl_kg.export.records import Records
from llmrl_kg.kg.loader import open_store
from llmrl_kg.rdf.namespaces import SKOS, curie
from llmrl_kg.rdf.oxtypes import term_value

# --- the reference: Records, then networkx, one triple at a time ------------------------------------


def reference_full_view(kg: Records) -> nx.MultiDiGraph:
    """The full view as `network.full_view` built it from Records before the projection."""
    graph = nx.MultiDiGraph(name="llmrl-kg full view")

    def node(iri: str) -> str:
        name = curie(iri)
        if name not in graph:
            graph.add_node(name, iri=iri, label=kg.index.label(iri),
                           kind=kind_of(iri, lambda i: kg.index.iris(i, TYPE)))
        return name

    def edge(source: str, predicate: str, target: str, inferred: bool) -> None:
        key = curie(predicate)
        if not graph.has_edge(source, target, key):
            graph.add_edge(source, target, key=key, predicate=key, label=property_label(kg, predicate),
                           inferred=inferred)

    concept_like = {SKOS + "Concept", SKOS + "ConceptScheme"}
    literals: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    names: dict[str, str] = {}
    attribute_names: dict[str, str] = {}
    for triple in kg.index.triples:
        subject, predicate, obj = triple.subject.value, triple.predicate.value, triple.object
        if is_dataset_description(subject) or not (
                subject in kg.data_subjects or concept_like & set(kg.index.iris(subject, TYPE))):
            continue
        source = node(subject)
        if predicate == TYPE:
            literals[source]["type"].append(curie(obj.value))
        elif isinstance(obj, ox.Literal) or predicate in _WEB_ADDRESS:
            name = attribute_names.setdefault(predicate, _attribute_name(predicate, names))
            literals[source][name].append(_literal_value(obj) if isinstance(obj, ox.Literal) else obj.value)
        elif isinstance(obj, ox.NamedNode):
            edge(source, predicate, node(obj.value), False)
    for name, attributes in literals.items():
        for attribute, values in attributes.items():
            graph.nodes[name][attribute] = values[0] if len(values) == 1 else \
                MULTI_SEPARATOR.join(sorted(str(v) for v in values))
    for triple in kg.inferred:
        if not isinstance(triple.object, ox.NamedNode) or triple.predicate.value in (TYPE, *_WEB_ADDRESS):
            continue
        source, target = curie(term_value(triple.subject)), curie(triple.object.value)
        if source in graph and target in graph:
            edge(source, triple.predicate.value, target, True)
    return graph


# --- the KGs ----------------------------------------------------------------------------------------

AWKWARD = """\
@prefix llmrl: <https://w3id.org/llmrl-kg/ontology#> .
@prefix method: <https://w3id.org/llmrl-kg/method/> .
@prefix model: <https://w3id.org/llmrl-kg/model/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <https://schema.org/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/other#> .

method:awkward a llmrl:ParametricAgent ;
    rdfs:label "Awk & <ward> \\u0007 \\u202e" , "second label" ;
    ex:title "a title under another namespace" ;
    dcterms:title "the dcterms title" ;
    llmrl:year "2024"^^xsd:gYear ;
    ex:score "0.75"^^xsd:decimal , "NaN"^^xsd:double ;
    ex:flag true ;
    ex:odd "12x"^^xsd:integer ;
    schema:url [ rdfs:label "a blank web address" ] ;
    llmrl:usesModel model:gpt-4 , <http://example.org/elsewhere/model> .
<http://example.org/elsewhere/model> a ex:Thing ; rdfs:label "outside the namespaces" .
llmrl:AgentMethod rdfs:comment "said again in a data file" .
<https://w3id.org/llmrl-kg/dataset#extra> rdfs:label "part of the dataset description" .
[] rdfs:label "a blank subject" ; llmrl:usesModel model:gpt-4 .
model:gpt-4 rdfs:label "GPT-4" .
"""


@pytest.fixture(scope="module")
def awkward_paths(tmp_path_factory):
    extra = tmp_path_factory.mktemp("awkward") / "awkward.ttl"
    extra.write_text(AWKWARD, encoding="utf-8")
    return [locations.kg_root() / "data", extra]


CASES = ("shipped", "shipped-inferred", "awkward", "awkward-inferred")


@pytest.fixture(scope="module")
def stores(awkward_paths):
    return {case: open_store(awkward_paths if case.startswith("awkward") else None,
                             inferred=case.endswith("inferred")) for case in CASES}


@pytest.mark.parametrize("fmt", NETWORK_FORMATS)
@pytest.mark.parametrize("case", CASES)
def test_projection_writes_what_the_networkx_view_wrote(stores, case, fmt):
    store = stores[case]
    reference = reference_full_view(Records(store))
    projected = project_full(store)
    assert len(projected.edges) == reference.number_of_edges() > 400
    assert write_graph(projected, fmt, "full") == write_graph(reference, fmt, "full")


@pytest.mark.parametrize("case", CASES)
def test_networkx_full_view_is_the_reference_graph(stores, case):
    store = stores[case]
    expected, found = reference_full_view(Records(store)), full_view(Records(store))
    assert list(found.nodes(data=True)) == list(expected.nodes(data=True))
    assert list(found.edges(keys=True, data=True)) == list(expected.edges(keys=True, data=True))


def test_awkward_cases_are_in_the_view(stores):
    graph = project_full(stores["awkward-inferred"])
    awkward = graph.nodes["method:awkward"]
    assert awkward["title"] == "the dcterms title" and awkward["http_//example.org/other#title"] == "a title under another namespace"
    assert awkward["label"] == "Awk & <ward> \x07 \u202e | second label"
    assert awkward["year"] == 2024 and awkward["flag"] is True and awkward["odd"] == "12x"
    assert awkward["score"] == "0.75 | nan"
    assert graph.nodes["http://example.org/elsewhere/model"]["kind"] == "resource"
    assert "llmrl:AgentMethod" in graph.nodes  # a data file describes it: a data subject
    assert not any(node.startswith("https://w3id.org/llmrl-kg/dataset") for node in graph.nodes)


@pytest.mark.parametrize("fmt", ("graphml", "gexf"))
def test_export_of_the_full_view_streams_the_same_bytes(fmt):
    streamed = export(fmt, view="full", inferred=True)
    assert streamed == write_graph(reference_full_view(Records(open_store(inferred=True))), fmt, "full")
