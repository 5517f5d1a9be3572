"""Every saved query gives the same answer on every store and server.

Stores: `memory` (rdflib's engine), `oxigraph` in memory (the reference), an
on-disk Oxigraph store built by `llmrl-kg load --into`, Oxigraph's server and
Virtuoso, both loaded with `llmrl-kg load --endpoint`. The saved queries are
read from the queries folder (those marked `# network: required` are left out),
so a new query is covered as soon as it is saved.

Values are compared by meaning where engines may print them differently (numbers
numerically, so 1 and 1.0 agree; booleans by truth value, since Virtuoso writes
`true` as "1"), and exactly otherwise (IRIs, strings, language tags, other
datatypes); rows are compared in order (every saved query has ORDER BY).
"""

from __future__ import annotations

import urllib.parse
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox
import pytest

from llmrl_kg import locations
from llmrl_kg.query.catalogue import Catalogue, bind_parameters
from llmrl_kg.query.vocabulary import Vocabulary
from llmrl_kg.store import push as pushing
from llmrl_kg.store.backends import (
    EndpointBackend,
    OxigraphBackend,
    OxigraphStoreBackend,
    RdflibBackend,
)
from servers import running_oxigraph

XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "int", "long", "short", "byte",
                             "nonNegativeInteger", "positiveInteger", "negativeInteger", "nonPositiveInteger",
                             "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte")}
GRAPH = "https://w3id.org/llmrl-kg/graph"
SAVED = [q for q in Catalogue(locations.queries_dir()).all() if not q.network]
BACKENDS = ("memory", "oxigraph-disk", "oxigraph-server", "virtuoso")
# Parameter values other than the defaults, to check that bindings reach every engine alike.
EXTRA_PARAMETERS = [("methods-by-model", {"model": "gpt-4"}), ("methods-by-model", {"model": "no such model"})]


def normal(term):
    """A term in the form the comparison uses (see the module docstring)."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return ("iri", term.value)
    if isinstance(term, ox.BlankNode):
        return ("blank",)
    if term.language:
        return ("text", term.value, term.language.lower())
    datatype = term.datatype.value
    if datatype in NUMERIC:
        try:
            return ("number", Decimal(term.value).normalize())
        except InvalidOperation:
            return ("ill-typed", datatype, term.value)
    if datatype == XSD + "boolean":
        return ("boolean", term.value in ("true", "1"))
    return ("literal", datatype, term.value)


def answer(backend, query, bindings):
    solutions = backend.select(query.text, bindings)
    return [tuple(normal(row.get(name)) for name in solutions.variables) for row in solutions.rows]


@pytest.fixture(scope="module")
def reference():
    return OxigraphBackend.load()


@pytest.fixture(scope="module")
def vocabulary(reference):
    return Vocabulary.load(reference)


@pytest.fixture(scope="module")
def kg_triple_count():
    return len(pushing.kg_triples())


@pytest.fixture(scope="module")
def memory():
    return RdflibBackend.load()


@pytest.fixture(scope="module")
def oxigraph_disk(tmp_path_factory, cli_run):
    path = tmp_path_factory.mktemp("equivalence") / "kg-store"
    result = cli_run("load", "--into", f"oxigraph:{path}")
    assert result.returncode == 0, result.stderr
    return OxigraphStoreBackend.open(path)


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory, kg_triple_count, cli_run):
    with running_oxigraph(tmp_path_factory.mktemp("oxigraph-server")) as server:
        result = cli_run("load", "--endpoint", server.graph_store_url, "--replace")
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith(f"Loaded {kg_triple_count} triples into the default graph")
        yield EndpointBackend(server.query_url)


@pytest.fixture(scope="module")
def virtuoso_loaded(virtuoso, kg_triple_count, cli_run):  # noqa: F811 - the fixture imported above
    """Virtuoso with the KG loaded by `llmrl-kg load --endpoint`, queried on that graph only."""
    result = cli_run("load", "--endpoint", virtuoso.graph_store_url, "--graph", GRAPH, "--replace")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"Loaded {kg_triple_count} triples into graph <{GRAPH}> at "
                                    f"{virtuoso.graph_store_url} (replacing it; SPARQL 1.1 Graph Store protocol, "
                                    "1 request")
    return EndpointBackend(virtuoso.query_url + "?" + urllib.parse.urlencode({"default-graph-uri": GRAPH}))


@pytest.fixture
def backend(request):
    fixture = {"memory": "memory", "oxigraph-disk": "oxigraph_disk", "oxigraph-server": "oxigraph_server",
               "virtuoso": "virtuoso_loaded"}[request.param]
    return request.getfixturevalue(fixture)


def test_the_saved_queries_are_there():
    assert len(SAVED) >= 20


@pytest.mark.parametrize("backend", BACKENDS, indirect=True)
@pytest.mark.parametrize("query", SAVED, ids=[q.name for q in SAVED])
def test_saved_query_gives_the_same_rows(backend, query, reference, vocabulary):
    bindings = bind_parameters(query, {}, lambda: vocabulary)
    expected = answer(reference, query, bindings)
    assert answer(backend, query, bindings) == expected


@pytest.mark.parametrize("backend", BACKENDS, indirect=True)
@pytest.mark.parametrize("name, values", EXTRA_PARAMETERS, ids=[f"{n}-{v}" for n, v in EXTRA_PARAMETERS])
def test_parameters_are_bound_alike_everywhere(backend, name, values, reference, vocabulary):
    query = Catalogue(locations.queries_dir()).get(name)
    bindings = bind_parameters(query, values, lambda: vocabulary)
    assert answer(backend, query, bindings) == answer(reference, query, bindings)


def test_the_reference_answers_are_not_empty(reference, vocabulary):
    """Guard against comparing empty answers: most saved queries return rows on the shipped KG."""
    empty = [q.name for q in SAVED if not answer(reference, q, bind_parameters(q, {}, lambda: vocabulary))]
    assert len(empty) <= len(SAVED) // 5, empty


@pytest.mark.virtuoso
def test_virtuoso_holds_exactly_the_kg_after_load(virtuoso_loaded, kg_triple_count):
    solutions = virtuoso_loaded.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert int(solutions.rows[0]["n"].value) == kg_triple_count
