"""The pieces every stage shares, once each: URL check, SPARQL-JSON reader, VALUES builder, lexer, cache helper."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from llmrl_kg.link.federated import FederatedError, _service_blocks
from llmrl_kg.rdf.cache import cached, read_triples, triples_bytes
from llmrl_kg.rdf.results import ResultsError, read_select, read_term
from llmrl_kg.rdf.sparqltext import values_block
from llmrl_kg.rdf.urls import is_http_url
from llmrl_kg.store.backends import BackendError, EndpointBackend

WIKIDATA = "https://query-scholarly.wikidata.org/sparql"


@pytest.mark.parametrize("url, accepted", [
    ("http://127.0.0.1:7878/query", True),
    ("HTTPS://example.org/sparql?default-graph-uri=urn:x", True),
    ("ftp://example.org/x", False),
    ("localhost:7878", False),
    ("http://:7878/query", False),  # a port but no host
    ("http://[::1/query", False),  # urlsplit raises ValueError on the unclosed bracket
])
def test_one_http_url_check(url, accepted):
    assert is_http_url(url) is accepted


def test_an_unparsable_endpoint_url_is_a_clear_error_not_a_traceback():
    with pytest.raises(BackendError, match=r"'http://\[::1/query' is not an http\(s\) URL"):
        EndpointBackend("http://[::1/query")


def test_values_block_writes_validated_terms_in_both_forms():
    iri, hostile = ox.NamedNode("http://a/b"), ox.Literal('x" } DROP ALL ; { "')
    assert values_block("v", [iri, hostile]) == 'VALUES ?v { <http://a/b> "x\\" } DROP ALL ; { \\"" }'
    full = values_block(["a", "b"], [(iri, None), (hostile, iri)])
    assert full == 'VALUES (?a ?b) { (<http://a/b> UNDEF) ("x\\" } DROP ALL ; { \\"" <http://a/b>) }'
    rows = ox.Store().query(f"SELECT ?a ?b WHERE {{ {full} }}")
    assert [(row["a"], row["b"]) for row in rows] == [(iri, None), (hostile, iri)]


def test_values_block_refuses_blank_nodes_plain_strings_and_bad_names():
    with pytest.raises(TypeError):
        values_block("v", [ox.BlankNode("b")])
    with pytest.raises(TypeError):
        values_block("v", ["http://a/b"])
    with pytest.raises(ValueError, match="not a SPARQL variable name"):
        values_block(["ok", "no }"], [])


def test_results_reader_checks_shape_and_terms():
    document = {"head": {"vars": ["x", "y"]},
                "results": {"bindings": [{"x": {"type": "uri", "value": "http://a/b"},
                                          "y": {"type": "typed-literal", "value": "1",
                                                "datatype": "http://www.w3.org/2001/XMLSchema#integer"}},
                                         {"x": {"type": "literal", "value": "hi", "xml:lang": "en"}}]}}
    assert read_select(document) == (["x", "y"], [
        {"x": ox.NamedNode("http://a/b"), "y": ox.Literal("1", datatype=ox.NamedNode(
            "http://www.w3.org/2001/XMLSchema#integer"))},
        {"x": ox.Literal("hi", language="en")}])
    with pytest.raises(ResultsError, match="not in head.vars"):
        read_select({"head": {"vars": []}, "results": {"bindings": [{"z": {"type": "uri", "value": "u:x"}}]}})
    with pytest.raises(ResultsError, match="unknown term type 'triple'"):
        read_term({"type": "triple", "value": "x"})
    with pytest.raises(ResultsError, match="is not a valid RDF term"):
        read_term({"type": "uri", "value": "not an iri"})


def test_blank_nodes_keep_their_label_or_get_fresh_ones():
    assert read_term({"type": "bnode", "value": "b0"}) == ox.BlankNode("b0")
    fresh: dict[str, ox.BlankNode] = {}
    first = read_term({"type": "bnode", "value": "not a label!"}, fresh)
    assert read_term({"type": "bnode", "value": "not a label!"}, fresh) == first
    assert read_term({"type": "bnode", "value": "other"}, fresh) != first


def test_service_blocks_are_found_by_the_sparql_tokenizer():
    query = ('SELECT ?service ?x WHERE {\n'
             '  ?x ex:service "SERVICE <http://no/> {" . # SERVICE <http://nor/> {\n'
             f'  SERVICE SILENT <{WIKIDATA}> {{ ?x ?p ?o FILTER(?o != "}}") {{ ?o ?q ?service }} }}\n'
             '}')
    assert _service_blocks(query) == [
        (WIKIDATA, ' ?x ?p ?o FILTER(?o != "}") { ?o ?q ?service } ')]


@pytest.mark.parametrize("query, message", [
    ("SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } }", "write the endpoint as a full IRI"),
    ("SELECT * WHERE { SERVICE <http://a/> ?s }", "cannot read the SERVICE block"),
    ("SELECT * WHERE { SERVICE <http://a/> { ?s ?p ?o ", "no closing brace"),
])
def test_unreadable_service_blocks_are_reported(query, message):
    with pytest.raises(FederatedError, match=message):
        _service_blocks(query)


def test_cached_reads_the_file_else_computes_and_writes_it(tmp_path):
    triple = ox.Triple(ox.NamedNode("http://a/s"), ox.NamedNode("http://a/p"), ox.Literal("o"))
    path = tmp_path / "cache" / "triples.nt"
    calls = []

    def compute():
        calls.append(1)
        return [triple]

    assert cached(path, compute, read_triples, triples_bytes) == [triple]
    assert read_triples(path) == [triple]  # written, and readable by the reader on its own
    assert cached(path, compute, read_triples, triples_bytes) == [triple]
    assert len(calls) == 1
    path.write_text("<http://a/s> <http://a/p> broken", encoding="utf-8")
    assert cached(path, compute, read_triples, triples_bytes) == [triple]  # a damaged file is recomputed
    assert len(calls) == 2 and read_triples(path) == [triple]
    assert cached(None, compute, read_triples, triples_bytes) == [triple] and len(calls) == 3


def test_cached_survives_a_cache_folder_it_cannot_write(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be", encoding="utf-8")
    assert cached(blocker / "x.nt", lambda: [], read_triples, triples_bytes) == []
