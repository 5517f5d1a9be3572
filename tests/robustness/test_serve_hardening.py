"""Issue 13, item 6, and issue 12's `serve --cors`: the server has a query timeout, answers cross-origin
requests when asked, and is restarted when its engine dies.

`llmrl-kg serve` runs as a subprocess on a free loopback port, over a store built here.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from llmrl_kg.store.disk import build_store
from servers import free_port, oxigraph_binary

pytestmark = pytest.mark.skipif(oxigraph_binary() is None, reason="the oxigraph server binary is not installed")


def _ask(url: str, query: str, timeout: float = 10, headers: dict | None = None):
    request = urllib.request.Request(url + "?" + urllib.parse.urlencode({"query": query}),
                                     headers={"Accept": "application/sparql-results+json", **(headers or {})})
    return urllib.request.urlopen(request, timeout=timeout)


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _wait_ready(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read() if process.stdout else ""
        try:
            with _ask(url, "ASK {}", timeout=2):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.1)
    raise AssertionError("the server did not come up")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = tmp_path_factory.mktemp("serve")
    data = folder / "data"
    data.mkdir()
    rows = "".join(f'ex:s{i} ex:p "{i}" .\n' for i in range(2000))
    (data / "many.ttl").write_text("@prefix ex: <http://example.org/> .\n" + rows, encoding="utf-8")
    build_store(folder / "store", [data])
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "llmrl_kg", "serve", "--store", str(folder / "store"),
                                "--port", str(port), "--cors", "--timeout-s", "1"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/query"
    try:
        _wait_ready(url, process)
        yield url, process
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def test_a_runaway_query_is_stopped_by_the_server_timeout(served):
    url, _process = served
    started = time.monotonic()
    try:  # Oxigraph has sent the head of the results already; it cuts the body short
        body = _ask(url, "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", timeout=30).read()
    except http.client.IncompleteRead as error:
        body = error.partial
    except urllib.error.HTTPError as error:
        body = error.read()
    assert time.monotonic() - started < 8
    assert b"cancelled" in body
    with pytest.raises(ValueError):
        json.loads(body)
    with _ask(url, "SELECT (COUNT(*) AS ?n) WHERE { ?s <http://example.org/p> ?o }") as answer:
        assert json.load(answer)["results"]["bindings"][0]["n"]["value"] == "2000"  # and it still serves


def test_cors_allows_a_cross_origin_get(served):
    url, _process = served
    with _ask(url, "ASK {}", headers={"Origin": "http://example.com"}) as answer:
        assert answer.headers["Access-Control-Allow-Origin"] in ("*", "http://example.com")


def test_a_dead_engine_is_restarted(served):
    url, process = served
    (engine,) = _children(process.pid)
    os.kill(engine, signal.SIGKILL)
    time.sleep(0.5)
    _wait_ready(url, process, 30)
    (restarted,) = _children(process.pid)
    assert restarted != engine
    with _ask(url, "SELECT (COUNT(*) AS ?n) WHERE { ?s <http://example.org/p> ?o }") as answer:
        assert json.load(answer)["results"]["bindings"][0]["n"]["value"] == "2000"


def test_service_is_refused_before_the_engine_sees_it(served):
    url, _process = served
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.5)
    service = f"SERVICE <http://127.0.0.1:{listener.getsockname()[1]}/sparql> {{ ?s ?p ?o }}"
    try:
        for query in (f"SELECT * WHERE {{ {service} }}", f"SELECT * WHERE {{ ?a ?b ?c # x\r {service} }}"):
            with pytest.raises(urllib.error.HTTPError) as caught:
                _ask(url, query)
            assert caught.value.code == 400 and b"SERVICE at line 1" in caught.value.read()
        with pytest.raises(TimeoutError):
            listener.accept()  # nobody called
    finally:
        listener.close()


@pytest.mark.parametrize("query, reason", [
    ("SELECT * WHERE " + "{" * 3000 + "}" * 3000, b"nesting deeper than 32"),
    ("SELECT * WHERE { " + "UNION".join(["{?s ?p ?o}"] * 3000) + " }", b"more than 256 UNIONs"),
])
def test_deep_or_wide_queries_are_refused_and_the_server_lives_on(served, query, reason):
    url, process = served
    engines = _children(process.pid)
    request = urllib.request.Request(url, data=query.encode(), headers={"Content-Type": "application/sparql-query"})
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=10)
    assert caught.value.code == 400
    assert reason in caught.value.read()
    with _ask(url, "ASK { ?s ?p ?o }") as answer:
        assert json.load(answer)["boolean"] is True
    assert _children(process.pid) == engines  # the same engine, not a restarted one
