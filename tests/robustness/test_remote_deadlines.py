"""Issue 13, items 5 and 17, and issue 14: remote endpoints are read and written within one total
deadline and size cap, redirects never change host, scheme or method, and push failures explain
themselves.

Every server here is a loopback http.server in a thread of the test, chosen by path.
"""

from __future__ import annotations

import time
from http.server import BaseHTTPRequestHandler

import pyoxigraph as ox
import pytest

from llmrl_kg.link.client import EndpointError, SparqlClient
from llmrl_kg.store.backends import BackendError, EndpointBackend
from llmrl_kg.store.disk import StoreError
from llmrl_kg.store.guard import QueryTimeout
from llmrl_kg.store.push import push
from support.loopback import LoopbackServer

QUERY = "SELECT ?s WHERE { ?s ?p ?o }"
ANSWER = b'{"head": {"vars": ["s"]}, "results": {"bindings": [{"s": {"type": "uri", "value": "http://a/x"}}]}}'
TRIPLES = [ox.Triple(ox.NamedNode("http://a/s"), ox.NamedNode("http://a/p"), ox.Literal("o"))]


class Misbehaving(LoopbackServer):
    """Paths: /drip (a byte every 0.2 s), /huge (5 MB), /away (302 to 127.0.0.2), /ftp (302 to ftp://),
    /virtuoso (500 SR186), /store (accepts anything), /good."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.hits: list[tuple[str, str]] = []
        super().__init__(host, methods=("GET", "POST", "PUT"))

    def answer(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        request.rfile.read(length)
        path = request.path.split("?")[0]
        self.hits.append((request.command, path))
        if path == "/drip":
            request.send_response(200)
            request.send_header("Content-Type", "application/sparql-results+json")
            request.end_headers()
            try:
                for _ in range(150):
                    request.wfile.write(b" ")
                    request.wfile.flush()
                    time.sleep(0.2)
            except OSError:
                pass
            request.close_connection = True
            return
        if path == "/huge":
            body = b'{"head": {"vars": ["s"]}, "results": {"bindings": [' + b" " * (5 * 2**20) + b"]}}"
            return self.send(request, 200, body)
        if path in ("/away", "/ftp"):
            target = f"http://127.0.0.2:{self.port}/good" if path == "/away" else "ftp://127.0.0.1/x"
            return self.send(request, 302, b"", {"Location": target})
        if path == "/virtuoso":
            return self.send(request, 500, b"Virtuoso 42000 Error SR186:SECURITY: No permission to execute "
                                           b"procedure DB.DBA.SPARUL_RUN with user ID 107", {}, "text/plain")
        return self.send(request, 200 if path == "/good" else 204, ANSWER if path == "/good" else b"")

    @staticmethod
    def send(request, status: int, body: bytes, headers: dict | None = None,
             content_type: str = "application/sparql-results+json") -> None:
        request.send_response(status)
        request.send_header("Content-Type", content_type)
        request.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            request.send_header(name, value)
        request.end_headers()
        request.wfile.write(body)


@pytest.fixture()
def server():
    with Misbehaving() as endpoint:
        yield endpoint


def test_endpoint_backend_keeps_a_total_deadline_on_a_dripping_answer(server):
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match="no complete answer within 1 s"):
        EndpointBackend(server.url + "/drip", timeout=1).select(QUERY)
    assert time.monotonic() - started < 4


def test_the_deadline_given_per_query_wins(server):
    started = time.monotonic()
    with pytest.raises(QueryTimeout):
        EndpointBackend(server.url + "/drip", timeout=60).select(QUERY, timeout=1)
    assert time.monotonic() - started < 4


def test_endpoint_backend_caps_the_size_of_an_answer(server):
    with pytest.raises(BackendError, match="larger than 1 MB"):
        EndpointBackend(server.url + "/huge", max_bytes=2**20).select(QUERY)


def test_endpoint_backend_reads_a_good_answer_and_caps_its_rows(server):
    solutions = EndpointBackend(server.url + "/good").select(QUERY, limit=1)
    assert solutions.rows == [{"s": ox.NamedNode("http://a/x")}] and solutions.more is False


def test_push_keeps_a_total_deadline(server):
    started = time.monotonic()
    with pytest.raises(StoreError, match="no complete answer within 1 s") as caught:
        push(server.url + "/drip", triples=TRIPLES, protocol="update", timeout=1)
    assert str(caught.value).startswith("Nothing was written")
    assert time.monotonic() - started < 4


@pytest.mark.parametrize("path", ["/away", "/ftp"])
def test_the_link_client_follows_no_redirect_to_another_host_or_scheme(server, path):
    with Misbehaving("127.0.0.2") as other:
        client = SparqlClient(cache=None, retries=0, min_interval=0, timeout=5)
        with pytest.raises(EndpointError) as caught:
            client.select(server.url + path, QUERY)
        assert caught.value.kind == "redirect"
        assert "redirect" in str(caught.value) and "refused" in str(caught.value)
        assert other.hits == []


def test_a_post_is_never_redirected_even_to_the_same_host(server):
    with pytest.raises(BackendError, match="redirect of a POST request"):
        EndpointBackend(server.url + "/away").select(QUERY)


def test_virtuoso_permission_refusal_names_the_grant(server):
    with pytest.raises(StoreError) as caught:
        push(server.url + "/virtuoso", triples=TRIPLES, protocol="update", graph="http://g/1")
    text = str(caught.value)
    assert 'GRANT SPARQL_UPDATE TO "SPARQL"' in text
    assert "--batch-size 1000" not in text


def test_a_push_to_a_named_graph_says_how_to_query_it(server):
    report = push(server.url + "/store", triples=TRIPLES, graph="http://g/1", replace=True)
    assert server.hits == [("PUT", "/store")]
    assert report.describe().splitlines()[-1] == \
        f"Query it at {server.url}/query?default-graph-uri=http%3A%2F%2Fg%2F1"
