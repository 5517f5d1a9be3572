"""Persistent Oxigraph stores (`llmrl-kg load --into`) and pushing the KG to servers (`load --endpoint`)."""

from __future__ import annotations

import http.server
import os
import threading
import urllib.parse
import urllib.request

import pyoxigraph as ox
import pytest

from llmrl_kg.kg import loader
from llmrl_kg.kg.loader import INFERRED_GRAPH
from llmrl_kg.reason import materialise
from llmrl_kg.store import disk as stores
from llmrl_kg.store import push as pushing

GRAPH = "https://w3id.org/llmrl-kg/graph"


def has_blank(quad) -> bool:
    return isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode)


def isomorphic(left, right) -> bool:
    """Graph isomorphism of two collections of triples (blank nodes may be relabelled)."""
    from rdflib.compare import isomorphic as rdflib_isomorphic

    from llmrl_kg.rdf.terms import to_rdflib_graph

    return rdflib_isomorphic(to_rdflib_graph(left), to_rdflib_graph(right))


@pytest.fixture(scope="module")
def reference_store():
    """The KG with owlrl's inferences (the reference), computed here independently of the project's loaders."""
    from llmrl_kg.rdf.terms import to_ox_term, to_rdflib_graph
    from llmrl_kg.reason.owl_rl import owl_rl_closure

    store = loader.open_store(inferred=False)
    sources = loader.load_sources()
    graph = to_rdflib_graph(t for s in loader.reasoning_input(sources) for t in s.triples)
    inferred, _errors = owl_rl_closure(graph)
    store.extend(ox.Quad(to_ox_term(s), to_ox_term(p), to_ox_term(o), INFERRED_GRAPH) for s, p, o in inferred)
    return store


@pytest.fixture(scope="module")
def kg_triples():
    """What `load --endpoint` sends: the distinct triples, asserted and inferred."""
    return pushing.kg_triples()


@pytest.fixture(scope="module")
def built_store(tmp_path_factory, cli_run):
    path = tmp_path_factory.mktemp("stores") / "kg-store"
    result = cli_run("load", "--into", f"oxigraph:{path}")
    assert result.returncode == 0, result.stderr
    return path, result


# --- inference ---------------------------------------------------------------------------------


def test_rule_based_inference_equals_owlrl_on_the_shipped_kg(reference_store):
    store = ox.Store()
    summary = loader.load_files(store)
    mine = {q.triple for q in store.quads_for_pattern(None, None, None, INFERRED_GRAPH)}
    owlrl = {q.triple for q in reference_store.quads_for_pattern(None, None, None, INFERRED_GRAPH)}
    assert mine == owlrl
    assert summary.inferred == len(owlrl)


def test_rule_based_inference_types_instances_through_the_class_and_property_hierarchies():
    llmrl = "https://w3id.org/llmrl-kg/ontology#"
    ontology = [ox.Triple(ox.NamedNode(llmrl + a), ox.NamedNode(p), ox.NamedNode(llmrl + b)) for a, p, b in (
        ("ParametricAgent", "http://www.w3.org/2000/01/rdf-schema#subClassOf", "AgentMethod"),
        ("AgentMethod", "http://www.w3.org/2000/01/rdf-schema#subClassOf", "Method"),
        ("fineTunedFrom", "http://www.w3.org/2000/01/rdf-schema#subPropertyOf", "derivedFrom"),
        ("hasEntry", "http://www.w3.org/2002/07/owl#inverseOf", "entryOf"),
        ("entryOf", "http://www.w3.org/2000/01/rdf-schema#domain", "TableEntry"),
    )]
    data = [ox.Triple(ox.NamedNode("urn:m"), ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                      ox.NamedNode(llmrl + "ParametricAgent")),
            ox.Triple(ox.NamedNode("urn:a"), ox.NamedNode(llmrl + "fineTunedFrom"), ox.NamedNode("urn:b")),
            ox.Triple(ox.NamedNode("urn:e"), ox.NamedNode(llmrl + "entryOf"), ox.NamedNode("urn:m"))]
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode("urn:g:onto")) for t in ontology)
    store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode("urn:g:data")) for t in data)
    materialise.materialise(store, ontology, "urn:inferred")
    inferred = {(q.subject.value, q.predicate.value, q.object.value)
                for q in store.quads_for_pattern(None, None, None, ox.NamedNode("urn:inferred"))
                if q.subject.value.startswith("urn:")}
    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    assert inferred == {
        ("urn:m", rdf_type, llmrl + "AgentMethod"),
        ("urn:m", rdf_type, llmrl + "Method"),
        ("urn:a", llmrl + "derivedFrom", "urn:b"),
        ("urn:m", llmrl + "hasEntry", "urn:e"),
        ("urn:e", rdf_type, llmrl + "TableEntry"),
    }


# --- load --into oxigraph:PATH ---------------------------------------------------------------------


def test_load_into_builds_a_store_with_the_same_quads_as_the_memory_store(built_store, reference_store):
    path, result = built_store
    store = stores.open_read_only(path)
    ours, theirs = list(store), list(reference_store)
    assert {q for q in ours if not has_blank(q)} == {q for q in theirs if not has_blank(q)}
    # blank nodes (the ontology's RDF lists) get new labels on every load: compare up to relabelling
    assert sum(has_blank(q) for q in ours) == sum(has_blank(q) for q in theirs) > 0
    assert isomorphic([q.triple for q in ours if has_blank(q)], [q.triple for q in theirs if has_blank(q)])
    asserted = sum(1 for q in theirs if q.graph_name != INFERRED_GRAPH)
    inferred = len(theirs) - asserted
    graphs = len({q.graph_name for q in theirs}) - 1
    assert f"{asserted} asserted triples in {graphs} file graphs and {inferred} inferred triples" in result.stdout


def test_the_store_records_how_it_was_built(built_store):
    path, _ = built_store
    info = stores.store_info(path)
    assert info["fingerprint"] == loader.files_fingerprint()
    assert info["inferred_graph"] == "urn:llmrl-kg:inferred"
    assert info["asserted_quads"] + info["inferred_triples"] == len(stores.open_read_only(path))


def test_loading_again_replaces_the_store_and_leaves_no_temporary_folder(tmp_path, reference_store):
    path = tmp_path / "store"
    stores.build_store(path)
    first = len(stores.open_read_only(path))
    summary = stores.build_store(path)
    assert len(stores.open_read_only(path)) == first == summary.triples == len(reference_store)
    # PATH is a link to the current version's folder; nothing else is left beside it.
    assert sorted(p.name for p in tmp_path.iterdir()) == [".store.v-2", "store"]
    assert os.readlink(path) == ".store.v-2"


def test_load_into_refuses_a_folder_that_is_not_a_store(tmp_path, cli_run):
    folder = tmp_path / "documents"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me")
    result = cli_run("load", "--into", f"oxigraph:{folder}")
    assert result.returncode == 2
    assert result.stderr.strip() == (f"llmrl-kg: {folder}: exists and is not an llmrl-kg store; choose a new "
                                     "path (the store is a folder that `llmrl-kg load --into oxigraph:PATH` "
                                     "creates)")
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]


def test_a_broken_file_is_reported_with_its_line_and_no_store_is_left(tmp_path, cli_run):
    data = tmp_path / "data"
    data.mkdir()
    (data / "broken.ttl").write_text('@prefix ex: <https://example.org/> .\n\nex:a ex:b "unterminated .\n')
    target = tmp_path / "store"
    result = cli_run("load", "--into", f"oxigraph:{target}", str(data))
    assert result.returncode == 1
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"llmrl-kg: {(data / 'broken.ttl').resolve().as_posix()}:3: error turtle-syntax")
    assert not target.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]


def test_opening_a_missing_store_says_how_to_build_it(tmp_path):
    with pytest.raises(stores.StoreError) as error:
        stores.open_read_only(tmp_path / "nothing")
    assert str(error.value) == (f"{tmp_path / 'nothing'}: no store there; build it with "
                                f"`llmrl-kg load --into oxigraph:{tmp_path / 'nothing'}`")


@pytest.mark.parametrize("args, message", [
    ((), "give exactly one of --into oxigraph:PATH or --endpoint URL (see llmrl-kg load --help)"),
    (("--into", "kg-store"), "--into 'kg-store': write oxigraph:PATH, e.g. --into oxigraph:kg-store"),
    (("--into", "oxigraph:x", "--graph", "urn:g"), "--graph, --replace, --protocol and --batch-size apply "
                                                  "to --endpoint only"),
    (("--endpoint", "ftp://example.org/x"), "'ftp://example.org/x' is not an http(s) URL; give the server's "
                                           "endpoint, e.g. http://127.0.0.1:7878/update"),
    (("--endpoint", "http://127.0.0.1:9/store", "--graph", "not an iri"),
     "--graph 'not an iri' is not an absolute IRI (Invalid IRI code point ' '); give one such as "
     "https://w3id.org/llmrl-kg/graph"),
])
def test_usage_errors_exit_2_with_one_line(args, message, cli_run):
    result = cli_run("load", *args)
    assert result.returncode == 2
    assert result.stderr.strip() == f"llmrl-kg: {message}"


# --- load --endpoint URL ---------------------------------------------------------------------------


def graph_content(server, graph: str | None) -> list[ox.Triple]:
    """A graph of the server, read back through its Graph Store endpoint."""
    query = urllib.parse.urlencode({"graph": graph}) if graph else "default"
    request = urllib.request.Request(f"{server.graph_store_url}?{query}", headers={"Accept": "application/n-triples"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return [quad.triple for quad in ox.parse(response.read(), format=ox.RdfFormat.TURTLE)]


def test_graph_store_push_writes_the_kg_in_one_request(oxigraph_in_memory, kg_triples, cli_run):
    server = oxigraph_in_memory
    result = cli_run("load", "--endpoint", server.graph_store_url, "--graph", GRAPH, "--replace")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"Loaded {len(kg_triples)} triples into graph <{GRAPH}> at "
                                    f"{server.graph_store_url} (replacing it; SPARQL 1.1 Graph Store protocol, "
                                    "1 request, ")
    assert isomorphic(graph_content(server, GRAPH), kg_triples)


def test_update_push_in_batches_reports_each_request(oxigraph_in_memory, kg_triples, cli_run):
    server = oxigraph_in_memory
    result = cli_run("load", "--endpoint", server.query_url, "--graph", GRAPH, "--batch-size", "1000")
    assert result.returncode == 0, result.stderr
    batches = pushing.update_batches(kg_triples, 1000)
    assert len(batches) > 2
    assert result.stdout.startswith(f"Loaded {len(kg_triples)} triples into graph <{GRAPH}> at "
                                    f"{server.update_url} (adding to what it held; SPARQL 1.1 Update, "
                                    f"{len(batches)} requests, ")
    assert isomorphic(graph_content(server, GRAPH), kg_triples)


def test_replace_drops_what_the_graph_held_and_adding_keeps_it(oxigraph_in_memory, kg_triples):
    server = oxigraph_in_memory
    foreign = ox.Triple(ox.NamedNode("https://example.org/s"), ox.NamedNode("https://example.org/p"),
                        ox.Literal("kept unless replaced"))
    pushing.push(server.graph_store_url, graph=GRAPH, triples=[foreign])
    pushing.push(server.graph_store_url, graph=GRAPH, triples=kg_triples)
    assert foreign in graph_content(server, GRAPH)
    for protocol, url in (("graph-store", server.graph_store_url), ("update", server.update_url)):
        pushing.push(url, graph=GRAPH, triples=[foreign])
        pushing.push(url, graph=GRAPH, replace=True, protocol=protocol, triples=kg_triples)
        content = graph_content(server, GRAPH)
        assert foreign not in content
        assert isomorphic(content, kg_triples)


def test_without_graph_the_kg_goes_to_the_default_graph(oxigraph_in_memory, kg_triples, cli_run):
    server = oxigraph_in_memory
    result = cli_run("load", "--endpoint", server.update_url, "--replace")
    assert result.returncode == 0, result.stderr
    assert "into the default graph" in result.stdout
    assert isomorphic(graph_content(server, None), kg_triples)


def test_an_unreachable_server_means_nothing_was_written(cli_run):
    result = cli_run("load", "--endpoint", "http://127.0.0.1:9/store", "--graph", GRAPH)
    assert result.returncode == 1
    assert result.stderr.startswith("llmrl-kg: Nothing was written: could not reach http://127.0.0.1:9/store: ")
    assert result.stderr.rstrip().endswith("Is the server running, and is the URL right?")


class _RefuseSecondRequest(http.server.BaseHTTPRequestHandler):
    """A loopback SPARQL Update endpoint that accepts one request, then answers 400."""

    seen = 0

    def do_POST(self):  # noqa: N802 - the http.server API
        self.rfile.read(int(self.headers["Content-Length"]))
        type(self).seen += 1
        if type(self).seen == 1:
            self.send_response(204)
            self.end_headers()
        else:
            body = b"Error: too big\n"
            self.send_response(400)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_a_failed_batch_reports_what_was_written():
    server = http.server.HTTPServer(("127.0.0.1", 0), _RefuseSecondRequest)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/update"
    triples = [ox.Triple(ox.NamedNode(f"https://example.org/s{i}"), ox.NamedNode("https://example.org/p"),
                         ox.Literal(str(i))) for i in range(5)]
    try:
        with pytest.raises(stores.StoreError) as error:
            pushing.push(url, graph=GRAPH, replace=True, batch_size=2, triples=triples)
    finally:
        server.shutdown()
        server.server_close()
    assert error.value.exit_code == 1
    assert str(error.value).startswith(
        f"Request 2 of 3 failed: the server answered HTTP 400 Bad Request: Error: too big. Requests 1-1 were "
        f"written (2 triples into graph <{GRAPH}>); it now holds a partial copy of the KG: fix the problem "
        "and run the command again with --replace.")


def test_protocol_is_chosen_from_the_url():
    assert pushing.choose_protocol("http://h:7878/store") == ("graph-store", "http://h:7878/store")
    assert pushing.choose_protocol("http://h:8890/sparql-graph-crud") == ("graph-store",
                                                                          "http://h:8890/sparql-graph-crud")
    assert pushing.choose_protocol("http://h:3030/ds/data") == ("graph-store", "http://h:3030/ds/data")
    assert pushing.choose_protocol("http://h:7878/query") == ("update", "http://h:7878/update")
    assert pushing.choose_protocol("http://h:8890/sparql") == ("update", "http://h:8890/sparql")
    assert pushing.choose_protocol("http://h:7878/store", "update") == ("update", "http://h:7878/store")


def test_blank_node_triples_stay_in_one_request(kg_triples):
    batches = pushing.update_batches(kg_triples, 100)
    with_blanks = [i for i, batch in enumerate(batches)
                   if any(isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in batch)]
    assert with_blanks == [0]
    assert sorted(map(str, (t for batch in batches for t in batch))) == sorted(map(str, kg_triples))
    assert all(len(batch) <= 100 for batch in batches[1:])


@pytest.mark.virtuoso
def test_virtuoso_takes_the_kg_in_update_batches(virtuoso, kg_triples, cli_run):
    graph = GRAPH + "/batches"
    result = cli_run("load", "--endpoint", virtuoso.update_url, "--graph", graph, "--replace",
                     "--batch-size", "1000")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"Loaded {len(kg_triples)} triples into graph <{graph}> at "
                                    f"{virtuoso.update_url} (replacing it; SPARQL 1.1 Update, ")
    assert isomorphic(graph_content(virtuoso, graph), kg_triples)


@pytest.mark.virtuoso
def test_virtuoso_refuses_one_huge_update_and_the_message_says_what_to_do(virtuoso, cli_run):
    result = cli_run("load", "--endpoint", virtuoso.update_url, "--graph", GRAPH + "/huge")
    assert result.returncode == 1
    assert result.stderr.startswith("llmrl-kg: Nothing was written: the server answered HTTP 400 Bad Request: "
                                    "Virtuoso ")
    assert "use --batch-size 1000, or its Graph Store endpoint" in result.stderr


# --- the shared --store / --endpoint options ---------------------------------------------------------


def _probe_command():
    import click

    from llmrl_kg.cli.store_options import store_options

    @click.command()
    @store_options
    def probe(backend):
        rows = backend.select("SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/llmrl-kg/ontology#Method> }")
        click.echo(f"{type(backend.backend).__name__} {rows.rows[0]['n'].value}")

    return probe


def _invoke(*args, env=None):
    from click.testing import CliRunner

    return CliRunner().invoke(_probe_command(), list(args), env=env)


def test_store_options_open_the_chosen_backend(built_store, reference_store):
    path, _ = built_store
    methods = len(list(reference_store.query(
        "SELECT DISTINCT ?m WHERE { ?m a <https://w3id.org/llmrl-kg/ontology#Method> }",
        use_default_graph_as_union=True)))
    assert _invoke().output == f"OxigraphBackend {methods}\n"
    assert _invoke("--store", "oxigraph").output == f"OxigraphBackend {methods}\n"
    assert _invoke("--store", f"oxigraph:{path}").output == f"OxigraphStoreBackend {methods}\n"
    assert _invoke("--store", "memory").output == f"RdflibBackend {methods}\n"
    assert _invoke(env={"LLMRL_KG_STORE": f"oxigraph:{path}"}).output == f"OxigraphStoreBackend {methods}\n"


def test_store_options_answer_from_an_endpoint(oxigraph_in_memory, reference_store):
    pushing.push(oxigraph_in_memory.graph_store_url)
    methods = len(list(reference_store.query(
        "SELECT DISTINCT ?m WHERE { ?m a <https://w3id.org/llmrl-kg/ontology#Method> }",
        use_default_graph_as_union=True)))
    assert _invoke("--endpoint", oxigraph_in_memory.query_url).output == f"EndpointBackend {methods}\n"


@pytest.mark.parametrize("args, message", [
    (("--store", "sqlite"), "Invalid value for '--store': 'sqlite' is not a store; write memory, oxigraph or "
                            "oxigraph:PATH"),
    (("--store", "memory:x"), "Invalid value for '--store': 'memory:x' is not a store; write memory, oxigraph "
                              "or oxigraph:PATH"),
    (("--endpoint", "localhost:7878"), "Invalid value for '--endpoint': 'localhost:7878' is not an http(s) URL, "
                                       "e.g. http://127.0.0.1:7878/query"),
    (("--store", "memory", "--endpoint", "http://127.0.0.1:9/query"), "--store and --endpoint exclude each "
                                                                      "other; give one"),
])
def test_store_options_reject_bad_values(args, message):
    result = _invoke(*args)
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == f"Error: {message}"


def test_a_missing_store_fails_on_first_use_with_how_to_build_it(tmp_path):
    from llmrl_kg.store.backends import BackendError

    result = _invoke("--store", f"oxigraph:{tmp_path / 'none'}")
    assert isinstance(result.exception, BackendError)
    assert str(result.exception) == (f"{tmp_path / 'none'}: no store there; build it with "
                                     f"`llmrl-kg load --into oxigraph:{tmp_path / 'none'}`")
