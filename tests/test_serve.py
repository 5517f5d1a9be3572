"""`llmrl-kg serve`: a real SPARQL server with the KG, queried with SPARQLWrapper, stopped cleanly."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from llmrl_kg.kg import loader
from llmrl_kg.query.catalogue import Catalogue
from llmrl_kg.rdf.results import read_term as json_term
from llmrl_kg.store import disk as stores
from llmrl_kg.store.backends import OxigraphBackend, plain_value
from servers import free_port, oxigraph_binary

pytestmark = pytest.mark.skipif(oxigraph_binary() is None, reason="the oxigraph server binary is not installed")


def start_serve(tmp_path: Path, *args: str) -> subprocess.Popen:
    """`llmrl-kg serve ARGS` with a private TMPDIR, so the test can see it clean up."""
    env = os.environ.copy()
    env["TMPDIR"] = str(tmp_path / "tmp")
    (tmp_path / "tmp").mkdir(exist_ok=True)
    return subprocess.Popen([sys.executable, "-m", "llmrl_kg", "serve", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)


def read_until_ready(process: subprocess.Popen, timeout: float = 120) -> list[str]:
    """The lines `serve` prints, up to "Press Ctrl-C to stop." (fails if it exits first)."""
    lines = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            raise AssertionError(f"serve exited early ({process.wait()}): {process.stderr.read()}")
        lines.append(line.rstrip("\n"))
        if line.startswith("Press Ctrl-C"):
            return lines
    raise AssertionError(f"serve printed no ready line within {timeout} s: {lines}")


def children(pid: int) -> list[int]:
    """The PIDs of a process's children (Linux /proc)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        text = (task / "children").read_text().split()
        found += [int(child) for child in text]
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.is_file() and stat.read_text().split()[2] == "Z")


def stop(process: subprocess.Popen) -> None:
    """Teardown: stop `serve` by its PID if a test left it running (it stops its own child)."""
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def sparqlwrapper_rows(url: str, query: str) -> list[tuple]:
    from SPARQLWrapper import JSON, POST, SPARQLWrapper

    client = SPARQLWrapper(url)
    client.setMethod(POST)
    client.setReturnFormat(JSON)
    client.setQuery(query)
    document = client.queryAndConvert()
    names = document["head"]["vars"]
    return [tuple(plain_value(json_term(b[n])) if n in b else None for n in names)
            for b in document["results"]["bindings"]]


@pytest.fixture(scope="module")
def memory_backend():
    return OxigraphBackend(loader.open_store(inferred=True))


def saved_query_text(name: str) -> str:
    return Catalogue().get(name).text


def local_rows(backend, query: str) -> list[tuple]:
    solutions = backend.select(query)
    return [tuple(plain_value(row[n]) for n in solutions.variables) for row in solutions.rows]


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc to see the server process")
def test_serve_answers_sparqlwrapper_and_stops_on_ctrl_c(tmp_path, memory_backend):
    port = free_port()
    process = start_serve(tmp_path, "--port", str(port))
    try:
        lines = read_until_ready(process)
        url = f"http://127.0.0.1:{port}/query"
        expected = len(memory_backend.store)
        assert lines == [
            "Loading the knowledge graph ...",
            f"Serving the knowledge graph ({expected} triples) read-only with Oxigraph.",
            f"SPARQL query endpoint: {url}",
            "Listening on 127.0.0.1 (loopback) only: other machines cannot connect; use --host 0.0.0.0 to "
            "share it on your network.",
            "Press Ctrl-C to stop.",
        ]
        [server_pid] = children(process.pid)
        assert sparqlwrapper_rows(url, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }") == [(expected,)]
        for name in ("taxonomy-overview", "methods-per-year", "open-weights-only"):
            text = saved_query_text(name)
            assert sparqlwrapper_rows(url, text) == local_rows(memory_backend, text), name
        from urllib.error import HTTPError

        from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

        with pytest.raises((SPARQLWrapperException, HTTPError)):  # read-only: updates are refused
            from SPARQLWrapper import POST, SPARQLWrapper

            client = SPARQLWrapper(url.replace("/query", "/update"))
            client.setMethod(POST)
            client.setQuery("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
            client.query()
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
        assert process.stdout.read() == "Stopping the server ...\nServer stopped.\n"
        assert not alive(server_pid)
        assert list((tmp_path / "tmp").iterdir()) == []  # the temporary store is gone
    finally:
        stop(process)


def test_serve_a_built_store_and_stop_on_sigterm(tmp_path, memory_backend):
    path = tmp_path / "kg-store"
    summary = stores.build_store(path)
    port = free_port()
    process = start_serve(tmp_path, "--port", str(port), "--store", f"oxigraph:{path}")
    try:
        lines = read_until_ready(process)
        assert lines[0] == f"Serving the store {path} ({summary.triples} triples) read-only with Oxigraph."
        url = f"http://127.0.0.1:{port}/query"
        text = saved_query_text("models-by-developer")
        assert sparqlwrapper_rows(url, text) == local_rows(memory_backend, text)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        assert len(stores.open_read_only(path)) == summary.triples  # the store is left as it was
    finally:
        stop(process)


def test_a_port_in_use_is_refused_with_a_clear_message(tmp_path):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        process = start_serve(tmp_path, "--port", str(port))
        try:
            assert process.wait(timeout=60) == 2
            assert process.stderr.read().strip() == (f"llmrl-kg: cannot listen on 127.0.0.1:{port}: Address "
                                                     "already in use; choose another --port (or --host)")
        finally:
            stop(process)


def test_serving_a_missing_store_says_how_to_build_it(tmp_path):
    process = start_serve(tmp_path, "--port", str(free_port()), "--store", str(tmp_path / "none"))
    try:
        assert process.wait(timeout=60) == 2
        assert process.stderr.read().strip() == (f"llmrl-kg: {tmp_path / 'none'}: no store there; build it "
                                                 f"with `llmrl-kg load --into oxigraph:{tmp_path / 'none'}`")
    finally:
        stop(process)
