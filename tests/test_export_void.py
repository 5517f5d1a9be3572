"""The VoID/DCAT description: data/void.ttl is up to date, its counts are right, and it validates."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from llmrl_kg import __version__
from llmrl_kg.export.void import DATASET, GENERATED_NOTE, void_file, void_turtle
from llmrl_kg.kg.files import SourceFile, display_name
from llmrl_kg.kg.loader import open_store

PREFIXES = """
PREFIX void: <http://rdfs.org/ns/void#>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX llmrl: <https://w3id.org/llmrl-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""


@pytest.fixture(scope="module")
def description():
    store = ox.Store()
    store.load(path=str(void_file()), format=ox.RdfFormat.TURTLE)
    return store


def _value(store, query: str) -> str:
    (row,) = list(store.query(PREFIXES + query, use_default_graph_as_union=True))
    return row[0].value


@pytest.mark.generated
def test_shipped_description_is_up_to_date(update_expected):
    if update_expected:  # `python -m pytest --update-expected` regenerates it, as every generated file
        from llmrl_kg.rdf.atomic import write_atomically

        write_atomically(void_file(), void_turtle().encode("utf-8"))
    assert void_file().read_text(encoding="utf-8") == void_turtle(), \
        "data/void.ttl is out of date: run `python -m pytest --update-expected` (or `llmrl-kg export void -o data/void.ttl`)"


def test_triple_count_covers_everything_but_the_description(description):
    store = open_store(inferred=False)
    void_graph = SourceFile(void_file(), display_name(void_file())).graph_name
    counted = {q.triple for q in store.quads_for_pattern(None, None, None, None) if q.graph_name != void_graph}
    stated = _value(description, f"SELECT ?n WHERE {{ <{DATASET}> void:triples ?n }}")
    assert int(stated) == len(counted)


def test_method_partition_counts_every_method(description):
    methods = _value(open_store(inferred=False), """
        SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m a ?c . ?c rdfs:subClassOf* llmrl:Method }""")
    stated = _value(description, """
        SELECT ?n WHERE { ?d void:classPartition ?p . ?p void:class llmrl:Method ; void:entities ?n }""")
    assert int(stated) == int(methods)


def test_licence_version_source_and_note(description):
    rows = {tuple(t.value for t in row) for row in description.query(PREFIXES + f"""
        SELECT ?licence ?version ?note WHERE {{
          <{DATASET}> a void:Dataset , dcat:Dataset ; dcterms:license ?licence ; dcat:version ?version ;
                      dcterms:description ?note ; dcterms:source <https://w3id.org/llmrl-kg/paper/schoepp-2025> }}""")}
    ((licence, version, note),) = rows
    assert (licence, version) == ("https://creativecommons.org/licenses/by/4.0/", __version__)
    assert note.endswith(GENERATED_NOTE)


def test_description_validates():
    from llmrl_kg.kg.validate import validate

    report = validate([void_file()])
    assert report.findings == []
