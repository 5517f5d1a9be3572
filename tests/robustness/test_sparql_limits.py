"""Issue 13, items 1, 7 and 8: ad-hoc SPARQL cannot reach the network, crash the engine, run forever
or fill the memory.

The SERVICE target is a loopback socket started here that counts connections;
the raw engine is shown to call it for the same text, so the refusal is what
keeps it silent. The small stores are built in the test.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time

import pyoxigraph as ox
import pytest

from llmrl_kg import locations
from llmrl_kg.api import KnowledgeGraph
from llmrl_kg.rdf.sparqltext import MAX_NESTING, QueryTooComplex, UnsafeQuery, check_complexity
from llmrl_kg.store.backends import OxigraphBackend
from llmrl_kg.store.guard import QueryTimeout

EX = "http://example.org/"


class Listener:
    """A loopback TCP listener that counts (and drops) every connection."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self.connections += 1
            connection.close()


@pytest.fixture()
def listener():
    server = Listener()
    yield server
    server.socket.close()


def small_store(triples: int) -> ox.Store:
    store = ox.Store()
    store.extend(ox.Quad(ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(EX + "p"), ox.Literal(str(i)))
                 for i in range(triples))
    return store


def smuggled_queries(port: int) -> dict[str, str]:
    service = f"SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }}"
    return {
        "comment ended by CR": f"SELECT * WHERE {{ ?a ?b ?c # x\r {service} }}",
        "name ended by ~": f"SELECT * WHERE {{ ?a ?b <{EX}o>, {EX}o~{service} }}".replace(
            f"{EX}o~", "ex:o~").replace("SELECT", f"PREFIX ex: <{EX}> SELECT"),
        "plain": f"SELECT * WHERE {{ ?a ?b ?c {service} }}",
    }


def reified_store() -> ox.Store:
    """ex:s ex:p ex:o, reified by ex:r: the pattern `?a ?b ex:o~` of the second smuggle matches it."""
    store = small_store(1)
    triple = ox.Triple(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), ox.NamedNode(EX + "o"))
    store.add(ox.Quad(triple.subject, triple.predicate, triple.object))
    store.add(ox.Quad(ox.NamedNode(EX + "r"), ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#reifies"),
                      triple))
    return store


@pytest.mark.parametrize("case", ["comment ended by CR", "name ended by ~"])
def test_the_engine_itself_would_call_out(listener, case):
    with pytest.raises(OSError):
        list(reified_store().query(smuggled_queries(listener.port)[case]))
    assert listener.connections >= 1  # the danger the check must close


@pytest.mark.parametrize("case", ["comment ended by CR", "name ended by ~", "plain"])
def test_service_is_refused_whatever_the_lexing(listener, case):
    kg = KnowledgeGraph(OxigraphBackend(reified_store()))
    with pytest.raises(UnsafeQuery, match="SERVICE"):
        kg.sparql(smuggled_queries(listener.port)[case])
    time.sleep(0.05)
    assert listener.connections == 0


def test_sparql_from_stdin_refuses_the_smuggled_service(listener, tmp_path):
    text = smuggled_queries(listener.port)["comment ended by CR"]
    result = subprocess.run([sys.executable, "-m", "llmrl_kg", "sparql", "-f", "-"], input=text,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "SERVICE at line 1" in result.stderr
    assert listener.connections == 0


@pytest.mark.parametrize("query, message", [
    ("SELECT * WHERE " + "{" * 5000 + "}" * 5000, f"nesting deeper than {MAX_NESTING} levels"),
    ("SELECT * WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * 10000) + " }", "longer than 100000 characters"),
    ("SELECT * WHERE { " + "UNION".join(["{?s ?p ?o}"] * 3000) + " }", "more than 256 UNIONs"),
])
def test_deep_or_wide_queries_are_refused_with_exit_2_not_a_signal(query, message, tmp_path):
    query_file = tmp_path / "q.rq"
    query_file.write_text(query, encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "llmrl_kg", "sparql", "-f", str(query_file)],
                            capture_output=True, text=True, timeout=120)
    assert (result.returncode, result.stdout) == (2, "")
    assert message in result.stderr and "Traceback" not in result.stderr


def test_nested_blank_node_brackets_are_bounded_too():
    with pytest.raises(QueryTooComplex, match="nesting deeper"):
        check_complexity("SELECT * WHERE { ?s ?p " + "[ ?p " * 200 + "?o" + " ]" * 200 + " }")


def test_every_saved_query_is_within_the_bounds():
    saved = sorted((locations.kg_root() / "queries").rglob("*.rq"))
    assert saved
    for path in saved:
        check_complexity(path.read_text(encoding="utf-8"))


def test_a_runaway_query_stops_at_its_deadline():
    kg = KnowledgeGraph(OxigraphBackend(small_store(3000)))
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match="did not finish within 1 s"):
        kg.sparql("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", timeout=1)
    assert time.monotonic() - started < 5


def test_rows_are_capped_and_the_cap_is_reported():
    kg = KnowledgeGraph(OxigraphBackend(small_store(30)))
    capped = kg.sparql("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }", limit=10)
    assert (len(capped), capped.more) == (10, True)
    whole = kg.sparql("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }", limit=900)
    assert (len(whole), whole.more) == (900, False)
    pairs = {(row["a"], row["d"]) for row in whole}
    assert len(pairs) == 900  # every pair of the 30 subjects, each once


def test_the_cli_prints_the_cap_on_stderr(tmp_path):
    result = subprocess.run([sys.executable, "-m", "llmrl_kg", "sparql", "--limit", "3", "--format", "tsv",
                             "SELECT ?s WHERE { ?s a owl:Class }"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 1 + 3
    assert "note: 3 rows shown; more exist" in result.stderr
