"""Network exports read back with networkx, with the nodes and edges a SPARQL query over the KG predicts."""

from __future__ import annotations

import io
import json
import shutil
import subprocess

import networkx as nx
import pyoxigraph as ox
import pytest

from conftest import FIXTURES
from llmrl_kg import locations
from llmrl_kg.export import export
from llmrl_kg.kg.files import SourceFile, display_name
from llmrl_kg.kg.loader import INFERRED_GRAPH, open_store
from llmrl_kg.rdf.namespaces import PREFIXES

SPARQL_PREFIXES = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
NETWORK_FORMATS = ("graphml", "gexf", "cytoscape", "dot")


def read_back(data: bytes, fmt: str, tmp_path):
    """The exported file as networkx reads it."""
    if fmt == "graphml":
        return nx.read_graphml(io.BytesIO(data), force_multigraph=True)
    if fmt == "gexf":
        return nx.read_gexf(io.BytesIO(data))
    if fmt == "cytoscape":
        return nx.cytoscape_graph(json.loads(data))
    path = tmp_path / "graph.dot"
    path.write_bytes(data)
    return nx.nx_pydot.read_dot(path)


def expand(name: str) -> str:
    prefix, _, local = name.partition(":")
    return PREFIXES[prefix] + local if prefix in PREFIXES and not local.startswith("//") else name


def _select(store, query: str) -> set[tuple[str, ...]]:
    return {tuple(term.value for term in row)
            for row in store.query(SPARQL_PREFIXES + query, use_default_graph_as_union=True)}


# --- what the documented projection predicts, computed by SPARQL (not by the exporter's code) ----

METHODS_NODES = """
SELECT DISTINCT ?n WHERE {
  { ?n a ?leaf . ?leaf rdfs:subClassOf* llmrl:Method . FILTER NOT EXISTS { ?sub rdfs:subClassOf ?leaf } }
  UNION { ?m a ?leaf . ?leaf rdfs:subClassOf* ?n . ?n rdfs:subClassOf* llmrl:Method .
          FILTER NOT EXISTS { ?sub rdfs:subClassOf ?leaf } }
  UNION { ?e a ?row ; llmrl:entryOf ?m ; ?p ?n . VALUES ?row { llmrl:MethodEntry llmrl:CuratedEntry }
          VALUES ?p { llmrl:usesModel llmrl:fineTuning llmrl:rlRole llmrl:fmRole llmrl:improvesMetric } }
  UNION { ?m llmrl:evaluatedOn ?n }
}"""

METHODS_EDGES = """
SELECT DISTINCT ?s ?p ?o WHERE {
  { ?s a ?o . ?o rdfs:subClassOf* llmrl:Method . FILTER NOT EXISTS { ?sub rdfs:subClassOf ?o } BIND(rdf:type AS ?p) }
  UNION { ?m a ?leaf . ?leaf rdfs:subClassOf* ?s . ?s rdfs:subClassOf ?o . ?o rdfs:subClassOf* llmrl:Method .
          FILTER NOT EXISTS { ?sub rdfs:subClassOf ?leaf } BIND(rdfs:subClassOf AS ?p) }
  UNION { ?e a ?row ; llmrl:entryOf ?s ; ?p ?o . VALUES ?row { llmrl:MethodEntry llmrl:CuratedEntry }
          VALUES ?p { llmrl:usesModel llmrl:fineTuning llmrl:rlRole llmrl:fmRole llmrl:improvesMetric } }
  UNION { ?s llmrl:evaluatedOn ?o . BIND(llmrl:evaluatedOn AS ?p) }
}"""

# Full view: subjects of data-file triples (except data/void.ttl, the dataset's own description) and of
# code-list concepts/schemes; IRI objects except rdf:type and the web-address properties become edges.
FULL_SUBJECT = """
  { GRAPH ?g { ?s ?p ?o } FILTER(?g != ?ontology && ?g != ?void && ?g != <urn:llmrl-kg:inferred>) }
  UNION { GRAPH ?ontology { ?s ?p ?o . ?s a ?c } VALUES ?c { skos:Concept skos:ConceptScheme } }
  FILTER(isIRI(?s))
"""
FULL_EDGES = f"""
SELECT DISTINCT ?s ?p ?o ?ontology ?void WHERE {{
  {FULL_SUBJECT}
  FILTER(isIRI(?o) && ?p NOT IN (rdf:type, schema:url, llmrl:linkedURL))
}}"""
FULL_NODES = f"""
SELECT DISTINCT ?n ?ontology ?void WHERE {{
  {{ {FULL_SUBJECT} BIND(?s AS ?n) }}
  UNION {{ {FULL_SUBJECT} FILTER(isIRI(?o) && ?p NOT IN (rdf:type, schema:url, llmrl:linkedURL)) BIND(?o AS ?n) }}
}}"""
INFERRED_EDGES = """
SELECT DISTINCT ?s ?p ?o ?ontology ?void ?inferred WHERE {
  GRAPH ?inferred { ?s ?p ?o }
  FILTER(isIRI(?o) && ?p NOT IN (rdf:type, schema:url, llmrl:linkedURL))
}"""


@pytest.fixture(scope="module")
def store():
    return open_store(inferred=False)


def _graph_of(path):
    return SourceFile(path, display_name(path)).graph_name


def _query_with_ontology(store, query: str, extra=None) -> set[tuple[str, ...]]:
    """Rows of `query` with ?ontology, ?void (and `extra` variables) bound; the bound variables are dropped."""
    bound = {ox.Variable("ontology"): _graph_of(locations.ontology_file()),
             ox.Variable("void"): _graph_of(locations.kg_root() / "data" / "void.ttl"), **(extra or {})}
    rows = store.query(SPARQL_PREFIXES + query, substitutions=bound)
    return {tuple(term.value for term in row)[:-len(bound)] for row in rows}


def _exported_sets(graph):
    nodes = {data["iri"] for _, data in graph.nodes(data=True)}
    iri_of = {node: data["iri"] for node, data in graph.nodes(data=True)}
    edges = set()
    for source, target, data in graph.edges(data=True):
        edges.add((iri_of[source], expand(data["predicate"]), iri_of[target]))
    return nodes, edges


def _unquote(graph):
    """pydot keeps DOT's quotes around attribute values; strip them."""
    for _, data in graph.nodes(data=True):
        for key, value in list(data.items()):
            data[key] = value[1:-1] if isinstance(value, str) and value.startswith('"') else value
    for _, _, data in graph.edges(data=True):
        for key, value in list(data.items()):
            data[key] = value[1:-1] if isinstance(value, str) and value.startswith('"') else value
    return graph


@pytest.mark.parametrize("fmt", NETWORK_FORMATS)
def test_methods_view_reads_back_with_the_predicted_nodes_and_edges(store, fmt, tmp_path):
    expected_nodes = {n for (n,) in _select(store, METHODS_NODES)}
    expected_edges = _select(store, METHODS_EDGES)
    graph = read_back(export(fmt, view="methods"), fmt, tmp_path)
    if fmt == "dot":
        graph = _unquote(graph)
    assert (graph.number_of_nodes(), graph.number_of_edges()) == (len(expected_nodes), len(expected_edges))
    assert _exported_sets(graph) == (expected_nodes, expected_edges)


@pytest.mark.parametrize("fmt", ("graphml", "gexf", "cytoscape"))
def test_full_view_reads_back_with_the_predicted_nodes_and_edges(store, fmt, tmp_path):
    expected_nodes = {n for (n,) in _query_with_ontology(store, FULL_NODES)}
    expected_edges = _query_with_ontology(store, FULL_EDGES)
    graph = read_back(export(fmt, view="full"), fmt, tmp_path)
    assert (graph.number_of_nodes(), graph.number_of_edges()) == (len(expected_nodes), len(expected_edges))
    assert _exported_sets(graph) == (expected_nodes, expected_edges)


def test_full_view_dot_has_the_predicted_counts(store, tmp_path):
    graph = read_back(export("dot", view="full"), "dot", tmp_path)
    assert graph.number_of_nodes() == len(_query_with_ontology(store, FULL_NODES))
    assert graph.number_of_edges() == len(_query_with_ontology(store, FULL_EDGES))


def test_full_view_with_inferences_adds_the_inferred_links_between_nodes(tmp_path):
    store = open_store(inferred=True)
    nodes = {n for (n,) in _query_with_ontology(store, FULL_NODES)}
    asserted = _query_with_ontology(store, FULL_EDGES)
    inferred = {e for e in _query_with_ontology(store, INFERRED_EDGES, {ox.Variable("inferred"): INFERRED_GRAPH})
                if e[0] in nodes and e[2] in nodes} - asserted
    graph = read_back(export("graphml", view="full", inferred=True), "graphml", tmp_path)
    _, edges = _exported_sets(graph)
    assert edges == asserted | inferred
    flagged = {(s, expand(d["predicate"]), t) for s, t, d in graph.edges(data=True) if d["inferred"]}
    assert len(flagged) == len(inferred) > 0


def test_methods_view_edges_say_which_documents_state_them(store, tmp_path):
    documents = {}
    for method, predicate, value, doc in _select(store, """
        SELECT ?m ?p ?v ?doc WHERE { ?e a ?row ; llmrl:entryOf ?m ; llmrl:statedIn ?doc ; ?p ?v .
          VALUES ?row { llmrl:MethodEntry llmrl:CuratedEntry }
          VALUES ?p { llmrl:usesModel llmrl:fineTuning llmrl:rlRole llmrl:fmRole llmrl:improvesMetric } }"""):
        documents.setdefault((method, predicate, value), set()).add(doc.rsplit("/", 1)[-1])
    graph = read_back(export("graphml", view="methods"), "graphml", tmp_path)
    iri_of = {node: data["iri"] for node, data in graph.nodes(data=True)}
    stated = {(iri_of[s], expand(d["predicate"]), iri_of[t]): set(d["stated_in"].split())
              for s, t, d in graph.edges(data=True) if (iri_of[s], expand(d["predicate"]), iri_of[t]) in documents}
    assert stated == documents
    inner = {t: d["stated_in"] for s, t, d in graph.edges(data=True)
             if s == "method:inner-monologue" and d["predicate"] == "llmrl:rlRole"}
    assert inner == {"rlrole:pi": "readme", "rlrole:v": "readme", "rlrole:other": "paper-v1"}


SURVEYED_METHODS = """SELECT DISTINCT ?m WHERE { ?e llmrl:entryOf ?m ; llmrl:statedIn ?doc .
  VALUES ?doc { <https://w3id.org/llmrl-kg/document/readme> <https://w3id.org/llmrl-kg/document/paper-v1> } }"""


def test_methods_view_node_attributes(tmp_path, store):
    graph = read_back(export("gexf", view="methods"), "gexf", tmp_path)
    methods = [d for _, d in graph.nodes(data=True) if d["kind"] == "method"]
    # `surveyed`: a row of the survey's README or paper (computed here by SPARQL, not by the exporter).
    assert sum(1 for d in methods if d["surveyed"]) == len(_select(store, SURVEYED_METHODS))
    agile = graph.nodes["method:agile"]
    assert (agile["label"], agile["role"], agile["code"], agile["arxiv"]) == \
        ("AGILE", "Parametric agent", "https://github.com/bytarnish/AGILE", "2405.14751")


@pytest.mark.parametrize("fmt", NETWORK_FORMATS)
@pytest.mark.parametrize("view", ("methods", "full"))
def test_control_characters_are_cleaned(fmt, view, tmp_path):
    # The fixture's method label is "Odd\u0000Text\u000BMethod"; a paper title holds U+202E.
    data = export(fmt, view=view, paths=[FIXTURES / "export-kg"])
    graph = read_back(data, fmt, tmp_path)
    if fmt == "dot":
        graph = _unquote(graph)
    assert graph.nodes["method:odd-text"]["label"] == "Odd Text Method"
    assert graph.nodes["model:odd-model"]["label"] == "Odd Model"
    text = data.decode("utf-8")
    assert "\x00" not in text and "\x0b" not in text and "\u202e" not in text


ROLE_GROUPS = """
SELECT ?m ?label WHERE {
  ?m a ?leaf . ?leaf rdfs:subClassOf* ?group . ?group rdfs:subClassOf llmrl:Method ; rdfs:label ?label .
  FILTER NOT EXISTS { ?sub rdfs:subClassOf ?leaf }
}"""


def test_dot_has_layout_hints_clusters_by_role_group(store):
    # Regression (issue 12): the DOT drawings had no layout hints and were 40,000-80,000 pt wide.
    import pydot

    [graph] = pydot.graph_from_dot_data(export("dot", view="methods").decode("utf-8"))
    defaults = {k: v for d in graph.get_graph_defaults() for k, v in d.items()}
    assert defaults["rankdir"].strip("\"") == "LR"
    clusters = {sub.get_label().strip('"'): {n.get_name().strip('"') for n in sub.get_nodes()}
                for sub in graph.get_subgraphs() if sub.get_name().startswith("cluster_")}
    expected: dict[str, set[str]] = {}
    for method, label in _select(store, ROLE_GROUPS):
        expected.setdefault(label, set()).add("method:" + method.rsplit("/", 1)[-1])
    assert clusters == expected
    ranks = [sub for sub in graph.get_subgraphs() if sub.get_attributes().get("rank") == "same"]
    assert {n.get_name().strip('"') for sub in ranks for n in sub.get_nodes()} >= {"llmrl:Method", "model:gpt-4"}


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` is not installed")
def test_dot_default_rendering_is_readable(tmp_path):
    path = tmp_path / "methods.dot"
    path.write_bytes(export("dot", view="methods"))
    plain = subprocess.run(["dot", "-Tplain", str(path)], capture_output=True, text=True, timeout=120, check=True)
    _, _, width, height = plain.stdout.split("\n", 1)[0].split()[:4]
    points = (float(width) * 72, float(height) * 72)
    assert points[0] < 2000 and points[1] < 6000, points
