"""The SPARQL client and `llmrl-kg link` against a faulty local endpoint.

The endpoint is a small http.server on 127.0.0.1, in a thread of the test
process. Its behaviour is chosen by the URL path: it hangs, drips, answers 429
with Retry-After, 503, HTML with 200, truncated JSON, 500, a Virtuoso partial
result (206 + X-SQL-State), JSON of the wrong shape, or a good answer.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pyoxigraph as ox
import pytest

from llmrl_kg.link.cache import ResponseCache
from llmrl_kg.link.client import (
    EndpointError,
    SparqlClient,
    retry_after_seconds,
    user_agent,
)
from support.loopback import LoopbackServer

WIKIDATA = "http://www.wikidata.org/entity/"
GOOD = {"head": {"vars": ["entity", "value", "title"]},
        "results": {"bindings": [{"entity": {"type": "uri", "value": WIKIDATA + "Q9000001"},
                                  "value": {"type": "literal", "value": "2303.11366"}}]}}
SENTINEL = "# an existing link file that a failed run must leave exactly as it is\n"
QUERY = "SELECT ?entity ?value ?title WHERE { VALUES ?value { \"2303.11366\" } ?entity <urn:p> ?value }"


class FaultyEndpoint(LoopbackServer):
    """A loopback HTTP server whose paths misbehave in the ways public endpoints do."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self.requests: list[dict] = []
        self.in_flight: dict[str, int] = {}
        self.max_in_flight: dict[str, int] = {}
        self._lock = threading.Lock()
        super().__init__()

    def close(self) -> None:
        """Release the requests that hang or drip, then stop the server."""
        self.stop.set()
        super().close()

    def count(self, path: str) -> int:
        """How many requests `path` received."""
        return sum(1 for r in self.requests if r["path"] == path)

    def answer(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length) if length else b""
        path = request.path.split("?")[0]
        # Like a real endpoint, the default answer binds Reflexion's arXiv ID only when the query asks for it.
        asked = b"2303.11366" in body or "2303.11366" in urllib.parse.unquote(request.path)
        with self._lock:
            self.requests.append({"path": path, "user_agent": request.headers.get("User-Agent", "")})
            self.in_flight[path] = self.in_flight.get(path, 0) + 1
            self.max_in_flight[path] = max(self.max_in_flight.get(path, 0), self.in_flight[path])
        try:
            self._respond(request, path, asked)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (its deadline), as it should
        finally:
            with self._lock:
                self.in_flight[path] -= 1

    def _respond(self, request, path: str, asked: bool = True) -> None:
        good = json.dumps(GOOD).encode()
        if path == "/hang":
            self.stop.wait(60)
            return
        if path == "/drip":
            request.send_response(200)
            request.send_header("Content-Type", "application/sparql-results+json")
            request.send_header("Content-Length", str(len(good)))
            request.end_headers()
            for byte in good:
                if self.stop.wait(0.2):
                    return
                request.wfile.write(bytes([byte]))
                request.wfile.flush()
            return
        if path == "/slow":
            time.sleep(0.3)
            return self._send(request, 200, "application/sparql-results+json", good)
        if path == "/429-then-ok" and self.count(path) % 2 == 1:  # every new client meets a 429 first
            return self._send(request, 429, "text/plain", b"Too Many Requests", {"Retry-After": "1"})
        if path == "/429-long":
            return self._send(request, 429, "text/plain", b"Too Many Requests", {"Retry-After": "3600"})
        if path == "/503":
            return self._send(request, 503, "text/plain", b"Service Unavailable", {"Retry-After": "1"})
        if path == "/html":
            return self._send(request, 200, "text/html; charset=utf-8",
                              b"<!DOCTYPE html><html><body><h1>Down for maintenance</h1></body></html>")
        if path == "/truncated":
            return self._send(request, 200, "application/sparql-results+json", good[: len(good) // 2])
        if path == "/500":
            return self._send(request, 500, "text/plain", b"java.lang.RuntimeException: query failed")
        if path == "/206":
            return self._send(request, 206, "application/sparql-results+json", good,
                              {"X-SQL-State": "S1TAT",
                               "X-SQL-Message": "Returning incomplete results, query interrupted by result limit"})
        if path == "/wrong-shape":
            return self._send(request, 200, "application/sparql-results+json", b'{"error": "quota exceeded"}')
        if path == "/foreign-entity":
            body = json.loads(good)
            body["results"]["bindings"][0]["entity"]["value"] = "https://example.org/not-an-item"
            return self._send(request, 200, "application/sparql-results+json", json.dumps(body).encode())
        answer = good if asked else json.dumps({"head": GOOD["head"], "results": {"bindings": []}}).encode()
        return self._send(request, 200, "application/sparql-results+json", answer)

    @staticmethod
    def _send(request, status: int, content_type: str, body: bytes, headers: dict | None = None) -> None:
        request.send_response(status)
        request.send_header("Content-Type", content_type)
        request.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            request.send_header(name, value)
        request.end_headers()
        request.wfile.write(body)


@pytest.fixture(scope="module")
def faulty():
    with FaultyEndpoint() as endpoint:
        yield endpoint


@pytest.fixture
def client(tmp_path):
    """A client with a private cache, no pause between requests, and a recorder instead of sleeping."""
    slept: list[float] = []
    made = SparqlClient(cache=ResponseCache(tmp_path / "http"), timeout=2, retries=2, min_interval=0,
                        sleep=slept.append)
    made.slept = slept
    return made


# --- the client ----------------------------------------------------------------------------------


def test_a_good_answer_is_parsed_cached_and_reused_offline(faulty, client, tmp_path):
    before = faulty.count("/good")
    answer = client.select(faulty.url + "/good", QUERY)
    assert answer.variables == ["entity", "value", "title"]
    assert answer.rows == [{"entity": ox.NamedNode(WIKIDATA + "Q9000001"), "value": ox.Literal("2303.11366")}]
    assert faulty.count("/good") == before + 1
    offline = SparqlClient(cache=ResponseCache(tmp_path / "http"), offline=True)
    again = offline.select(faulty.url + "/good", QUERY)
    assert again.rows == answer.rows and again.from_cache and again.fetched_at == answer.fetched_at
    assert faulty.count("/good") == before + 1  # answered from the cache: nothing sent


def test_offline_without_cached_answer_is_an_error_not_an_empty_result(faulty, tmp_path):
    offline = SparqlClient(cache=ResponseCache(tmp_path / "http"), offline=True)
    with pytest.raises(EndpointError) as caught:
        offline.select(faulty.url + "/good", QUERY + " # another query")
    assert caught.value.kind == "offline-miss"
    assert caught.value.message == "offline, and no cached answer for this lookup"


def test_refresh_asks_again(faulty, client, tmp_path):
    client.select(faulty.url + "/good", QUERY)
    before = faulty.count("/good")
    refreshing = SparqlClient(cache=ResponseCache(tmp_path / "http"), refresh=True, min_interval=0)
    refreshing.select(faulty.url + "/good", QUERY)
    assert faulty.count("/good") == before + 1


def test_the_user_agent_names_the_project_and_a_contact(faulty, client, monkeypatch):
    client.select(faulty.url + "/ua", QUERY)
    sent = [r["user_agent"] for r in faulty.requests if r["path"] == "/ua"][-1]
    assert sent == client.agent == user_agent()
    assert sent.startswith("llmrl-kg/0.1.0 (https://github.com/llmrl-kg/llmrl-kg; ")
    assert "SPARQLWrapper/" in sent
    monkeypatch.setenv("LLMRL_KG_CONTACT", "mailto:someone@example.org")
    assert "; mailto:someone@example.org) " in user_agent()


@pytest.mark.parametrize("path, kind, message", [
    ("/hang", "deadline", "no complete answer within the 2 s deadline"),
    ("/drip", "deadline", "no complete answer within the 2 s deadline"),
    ("/html", "html", "answered with an HTML page instead of SPARQL results: <!DOCTYPE html><html><body><h1>Down"),
    ("/truncated", "malformed-json", "answered malformed or truncated JSON"),
    ("/500", "server-error", "internal server error (HTTP 500): java.lang.RuntimeException: query failed"),
    ("/206", "partial", "returned an incomplete result (HTTP 206, X-SQL-State: S1TAT)"),
    ("/wrong-shape", "bad-shape", "answered JSON of the wrong shape: no head.vars list"),
    ("/503", "unavailable", "service unavailable (HTTP 503; retry after 1 s): Service Unavailable"),
])
def test_faults_are_errors_and_nothing_is_cached(faulty, tmp_path, path, kind, message):
    client = SparqlClient(cache=ResponseCache(tmp_path / "http"), timeout=2, retries=0, min_interval=0)
    with pytest.raises(EndpointError) as caught:
        client.select(faulty.url + path, QUERY)
    assert caught.value.kind == kind
    assert message in caught.value.message
    assert not list((tmp_path / "http").rglob("*.json"))


@pytest.mark.parametrize("path, retried", [("/html", True), ("/truncated", True), ("/503", True),
                                           ("/500", False), ("/206", False), ("/wrong-shape", False)])
def test_only_transient_failures_are_retried(faulty, client, path, retried):
    before = faulty.count(path)
    with pytest.raises(EndpointError) as caught:
        client.select(faulty.url + path, QUERY)
    assert faulty.count(path) - before == (3 if retried else 1)
    assert ("gave up after 3 attempts" in caught.value.message) == retried


def test_retry_after_is_honoured_on_429_and_503(faulty, client):
    answer = client.select(faulty.url + "/429-then-ok", QUERY)
    assert answer.rows and client.slept == [1.0]  # waited what Retry-After asked, then succeeded
    client.slept.clear()
    with pytest.raises(EndpointError):
        client.select(faulty.url + "/503", QUERY)
    assert client.slept == [1.0, 1.0]


def test_a_retry_after_beyond_the_cap_ends_the_attempts(faulty, client):
    with pytest.raises(EndpointError) as caught:
        client.select(faulty.url + "/429-long", QUERY)
    assert caught.value.kind == "rate-limited"
    assert "it asks to wait 3600 s, more than 300 s: try again later" in caught.value.message
    assert client.slept == []


def test_backoff_without_retry_after_is_exponential_with_jitter(faulty, client):
    with pytest.raises(EndpointError):
        client.select(faulty.url + "/html", QUERY)
    assert len(client.slept) == 2
    assert 0 <= client.slept[0] <= 1 and 0 <= client.slept[1] <= 2


def test_retry_after_accepts_seconds_and_http_dates():
    from datetime import datetime, timezone

    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds("Thu, 01 Jan 2026 00:00:30 GMT", now) == 30.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


def test_one_request_at_a_time_per_host(faulty, tmp_path):
    clients = [SparqlClient(cache=None, timeout=5, retries=0, min_interval=0) for _ in range(4)]
    threads = [threading.Thread(target=c.select, args=(faulty.url + "/slow", QUERY)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert faulty.count("/slow") == 4
    assert faulty.max_in_flight["/slow"] == 1  # the others waited for their turn


def test_an_unreachable_endpoint_is_a_connection_error(client):
    with pytest.raises(EndpointError) as caught:
        SparqlClient(cache=None, retries=0, min_interval=0).select("http://127.0.0.1:9/sparql", QUERY)
    assert caught.value.kind == "connection" and caught.value.message.startswith("connection failed: ")


# --- `llmrl-kg link` against the faulty endpoint -------------------------------------------------


def run_link(*args: str, env: dict | None = None, cache: Path) -> subprocess.CompletedProcess:
    """Run the CLI in a subprocess; the timeout only guards against a hang of the test itself."""
    environment = {k: v for k, v in os.environ.items() if k != "LLMRL_KG_ENDPOINTS"}
    environment.update({"LLMRL_KG_CACHE": str(cache), "SOURCE_DATE_EPOCH": "1767225600", **(env or {})})
    return subprocess.run([sys.executable, "-m", "llmrl_kg", "link", *args], capture_output=True, text=True,
                          timeout=120, env=environment)


@pytest.mark.parametrize("path, message", [
    ("/hang", "error: no complete answer within the 2 s deadline (the endpoint hangs or sends too slowly)"),
    ("/drip", "error: no complete answer within the 2 s deadline (the endpoint hangs or sends too slowly)"),
    ("/429-long", "error: too many requests (HTTP 429; retry after 3600 s): Too Many Requests; it asks to wait "
                  "3600 s, more than 300 s: try again later"),
    ("/503", "error: service unavailable (HTTP 503; retry after 1 s): Service Unavailable "
             "(gave up after 2 attempts)"),
    ("/html", "error: answered with an HTML page instead of SPARQL results: <!DOCTYPE html>"),
    ("/truncated", "error: answered malformed or truncated JSON"),
    ("/500", "error: internal server error (HTTP 500): java.lang.RuntimeException: query failed"),
    ("/206", "error: returned an incomplete result (HTTP 206, X-SQL-State: S1TAT): the query hit the server's "
             "limits, so the answer is not used"),
    ("/wrong-shape", "error: answered JSON of the wrong shape: no head.vars list"),
    ("/foreign-entity", "error: returned ?entity 'https://example.org/not-an-item', which is not a Wikidata "
                        "item IRI; is this a Wikidata endpoint?"),
])
def test_link_fails_cleanly_and_leaves_the_existing_file_untouched(faulty, tmp_path, path, message):
    output = tmp_path / "wikidata.ttl"
    output.write_text(SENTINEL, encoding="utf-8")
    result = run_link("wikidata", "--endpoint", faulty.url + path, "--output", str(output),
                      "--timeout", "2", "--retries", "1" if path in ("/503", "/429-long") else "0",
                      cache=tmp_path / "cache")
    assert result.returncode == 1, result.stderr
    assert message in result.stdout
    assert f"FAILED: {output} left untouched" in result.stdout
    assert "Traceback" not in result.stderr
    assert output.read_text(encoding="utf-8") == SENTINEL
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary file left behind


def test_link_waits_for_retry_after_and_then_succeeds(faulty, tmp_path):
    output = tmp_path / "wikidata.ttl"
    result = run_link("wikidata", "--endpoint", faulty.url + "/429-then-ok", "--output", str(output),
                      "--retries", "1", cache=tmp_path / "cache")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"llmrl-kg link: {faulty.url}/429-then-ok: too many requests (HTTP 429; retry after 1 s): " \
           "Too Many Requests; retrying in 1.0 s" in result.stderr
    assert "linked paper:reflexion → <http://www.wikidata.org/entity/Q9000001> (arXiv:2303.11366)" in result.stdout
    triples = set(ox.parse(path=str(output), format=ox.RdfFormat.TURTLE))
    assert ox.Triple(ox.NamedNode("https://w3id.org/llmrl-kg/paper/reflexion"),
                     ox.NamedNode("http://www.w3.org/2002/07/owl#sameAs"),
                     ox.NamedNode(WIKIDATA + "Q9000001")) in {q.triple for q in triples}


@pytest.mark.parametrize("args, message", [
    (["all", "--endpoint", "http://127.0.0.1:1/x"], "--endpoint and --output need a single TARGET"),
    (["wikidata", "--offline", "--refresh"], "--offline and --refresh exclude each other"),
    (["wikidata", "--endpoint", "file:///etc/passwd"], "--endpoint: 'file:///etc/passwd' is not an http(s) URL"),
    (["wikidata", "--rejected", "/nonexistent/rejected.tsv"], "--rejected: no such file"),
])
def test_usage_errors_exit_2(tmp_path, args, message):
    result = run_link(*args, cache=tmp_path / "cache")
    assert result.returncode == 2
    assert message in result.stderr


def test_unknown_target_is_a_usage_error(tmp_path):
    result = run_link("scholar", cache=tmp_path / "cache")
    assert result.returncode == 2 and "'scholar' is not one of" in result.stderr
