"""The package's top-level API: cheap to import, and each name does what the README says."""

from __future__ import annotations

import subprocess
import sys

import llmrl_kg


def test_import_loads_no_heavy_library():
    code = ("import sys, llmrl_kg; "
            "print(sorted(m for m in ('rdflib', 'pyoxigraph', 'pyshacl', 'networkx', 'click') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_validate_kg_open_store_and_rdflib_graph_agree():
    import llmrl_kg.kg.validate  # noqa: F401 - the submodule must not shadow the exported function

    report = llmrl_kg.validate_kg()
    assert report.valid and report.errors == []
    store = llmrl_kg.open_store(inferred=False)
    graph = llmrl_kg.rdflib_graph()
    assert len({q.triple for q in store}) == len(graph) == report.summary["triples"]


def test_inferences_are_kept_apart():
    from llmrl_kg.kg.loader import INFERRED_GRAPH

    asserted = llmrl_kg.open_store(inferred=False)
    full = llmrl_kg.open_store()
    inferred = list(full.quads_for_pattern(None, None, None, INFERRED_GRAPH))
    assert inferred and len(full) == len(asserted) + len(inferred)
    assert len(llmrl_kg.rdflib_graph(inferred=True)) == len({q.triple for q in full})
