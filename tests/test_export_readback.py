"""GraphML and GEXF read back by independent readers (networkx, igraph, plain XML parsing).

Regression tests for issue 12: unique edge ids, numbers written as numbers, no networkx-internal
attributes, no dataset description in the full view.
"""

from __future__ import annotations

import io
import math
import xml.etree.ElementTree as ET

import networkx as nx
import pytest

from llmrl_kg.export import export

igraph = pytest.importorskip("igraph", reason="python-igraph (the test extra) reads GraphML independently")

GRAPHML = "{http://graphml.graphdrawing.org/xmlns}"
GEXF = "{http://www.gexf.net/1.2draft}"
VIEWS = ("methods", "full")


@pytest.fixture(scope="module", params=VIEWS)
def files(request):
    view = request.param
    return view, export("graphml", view=view), export("gexf", view=view)


def _edge_ids(data: bytes, namespace: str) -> list[str]:
    return [edge.get("id") for edge in ET.fromstring(data).iter(f"{namespace}edge")]


def test_graphml_and_gexf_edge_ids_are_unique(files):
    _, graphml, gexf = files
    for data, namespace in ((graphml, GRAPHML), (gexf, GEXF)):
        ids = _edge_ids(data, namespace)
        assert len(ids) > 400 and None not in ids
        assert len(set(ids)) == len(ids)


def test_exports_are_deterministic(files):
    view, graphml, gexf = files
    assert export("graphml", view=view) == graphml
    assert export("gexf", view=view) == gexf


def _declared_types(data: bytes, fmt: str) -> dict[tuple[str, str], str]:
    root = ET.fromstring(data)
    if fmt == "graphml":
        return {(key.get("for"), key.get("attr.name")): key.get("attr.type") for key in root.iter(f"{GRAPHML}key")}
    return {(block.get("class"), attribute.get("title")): attribute.get("type")
            for block in root.iter(f"{GEXF}attributes") for attribute in block.iter(f"{GEXF}attribute")}


def test_year_is_declared_as_a_number(files):
    view, graphml, gexf = files
    assert _declared_types(graphml, "graphml")[("node", "year" if view == "methods" else "hasPublicationYear")] \
        == "int"
    assert _declared_types(gexf, "gexf")[("node", "year" if view == "methods" else "hasPublicationYear")] \
        == "integer"


def test_gexf_has_no_networkx_internal_attributes(files):
    _, _, gexf = files
    assert "networkx_key" not in {title for (_, title) in _declared_types(gexf, "gexf")}
    assert b"networkx_key" not in gexf


def test_full_view_leaves_out_the_dataset_description():
    graph = nx.read_graphml(io.BytesIO(export("graphml", view="full")), force_multigraph=True)
    iris = {data["iri"] for _, data in graph.nodes(data=True)}
    assert not {iri for iri in iris if iri.startswith("https://w3id.org/llmrl-kg/dataset")}
    assert "http://purl.org/vocab/vann/" not in iris  # named only as a vocabulary of the dataset
    assert not {t for _, data in graph.nodes(data=True) for t in str(data.get("type", "")).split(" | ")
                if t.startswith("void:")}


def _networkx_sets(graph) -> tuple[set, set]:
    nodes = set(graph.nodes)
    edges = {(s, t, d["predicate"]) for s, t, d in graph.edges(data=True)}
    return nodes, edges


def test_igraph_reads_the_same_graphml_as_networkx(files, tmp_path):
    _, graphml, _ = files
    path = tmp_path / "graph.graphml"
    path.write_bytes(graphml)
    ig = igraph.Graph.Read_GraphML(str(path))
    nxg = nx.read_graphml(io.BytesIO(graphml), force_multigraph=True)
    names = ig.vs["id"]
    ig_edges = {(names[e.source], names[e.target], e["predicate"]) for e in ig.es}
    assert ({*names}, ig_edges) == _networkx_sets(nxg)
    assert (ig.vcount(), ig.ecount()) == (nxg.number_of_nodes(), nxg.number_of_edges())


def test_year_reads_back_as_a_number_in_both_readers(tmp_path):
    graphml = export("graphml", view="methods")
    path = tmp_path / "graph.graphml"
    path.write_bytes(graphml)
    ig = igraph.Graph.Read_GraphML(str(path))
    nxg = nx.read_graphml(io.BytesIO(graphml), force_multigraph=True)
    gexf = nx.read_gexf(io.BytesIO(export("gexf", view="methods")))
    agile_paper_year = 2024  # AGILE: arXiv 2405.14751, May 2024
    assert nxg.nodes["method:agile"]["year"] == gexf.nodes["method:agile"]["year"] == agile_paper_year
    assert ig.vs.find(id="method:agile")["year"] == agile_paper_year
    nx_years = {n: d["year"] for n, d in nxg.nodes(data=True) if "year" in d}
    ig_years = {v["id"]: v["year"] for v in ig.vs if not (isinstance(v["year"], float) and math.isnan(v["year"]))}
    assert len(nx_years) > 30 and all(type(y) is int for y in nx_years.values())
    assert ig_years == nx_years
    assert {n: d["year"] for n, d in gexf.nodes(data=True) if "year" in d} == nx_years


def test_gexf_and_graphml_hold_the_same_nodes_edges_and_attribute_types(files):
    _, graphml, gexf = files
    a = nx.read_graphml(io.BytesIO(graphml), force_multigraph=True)
    b = nx.read_gexf(io.BytesIO(gexf))
    assert _networkx_sets(a) == _networkx_sets(b)
    types_a = {(n, k): type(v) for n, d in a.nodes(data=True) for k, v in d.items() if k != "label"}
    types_b = {(n, k): type(v) for n, d in b.nodes(data=True) for k, v in d.items() if k != "label"}
    assert types_a == types_b
