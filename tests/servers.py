"""Real SPARQL servers for the tests: Oxigraph's server and Virtuoso, on loopback, stopped by PID.

Oxigraph's server is the `oxigraph` binary of the `oxigraph` PyPI package (next to
the Python executable, or on PATH). Virtuoso is Debian's `virtuoso-opensource`
(`virtuoso-t`, `isql-vt`); its tests are skipped when `virtuoso-t` is absent. Each
server gets a private configuration and database folder under pytest's tmp
folder and free loopback ports; every fixture stops its server by PID in its
teardown, so no test leaves a server running.

Import the fixtures into a test module: `from servers import virtuoso  # noqa: F401`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

LOOPBACK = "127.0.0.1"


@dataclass
class Server:
    """A running SPARQL server: where to query, update and load it, and its process."""

    name: str
    query_url: str
    update_url: str
    graph_store_url: str
    process: subprocess.Popen
    folder: Path
    sql_port: int | None = None

    @property
    def pid(self) -> int:
        """The server's process id (what teardown stops)."""
        return self.process.pid


def free_port() -> int:
    """A TCP port on loopback that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def oxigraph_binary() -> str | None:
    """The `oxigraph` server binary installed by `pip install oxigraph`, if any."""
    beside_python = Path(sys.executable).with_name("oxigraph")
    if beside_python.is_file() and os.access(beside_python, os.X_OK):
        return str(beside_python)
    return shutil.which("oxigraph")


def wait_until_ready(server: Server, timeout: float = 60.0) -> None:
    """Poll `ASK {}` until the server answers 200; fail with its log if it dies or times out."""
    url = server.query_url + "?" + urllib.parse.urlencode({"query": "ASK {}"})
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited with {server.process.returncode}: {_log(server)}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{server.name} did not answer within {timeout} s: {_log(server)}")


def _log(server: Server) -> str:
    log = server.folder / "server.log"
    return log.read_text(errors="replace")[-2000:] if log.is_file() else "(no log)"


def stop(process: subprocess.Popen, grace: float = 30.0) -> None:
    """Stop a server we started, by its PID: SIGTERM, then SIGKILL after `grace` seconds."""
    if process.poll() is not None:
        return
    os.kill(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@contextlib.contextmanager
def running_oxigraph(folder: Path, location: Path | None = None, *, read_only: bool = False):
    """Start Oxigraph's server on a free loopback port (in memory, or on the store at `location`).

    The default graph is the union of all graphs, as `llmrl-kg serve` sets it,
    since the KG keeps one named graph per file.
    """
    binary = oxigraph_binary()
    if binary is None:
        pytest.skip("the `oxigraph` server binary is not installed (pip install oxigraph)")
    folder = Path(folder).absolute()
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    command = [binary, "serve-read-only" if read_only else "serve"]
    if location is not None:
        command += ["--location", str(location)]
    command += ["--bind", f"{LOOPBACK}:{port}", "--union-default-graph"]
    base = f"http://{LOOPBACK}:{port}"
    with open(folder / "server.log", "wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    server = Server("oxigraph", base + "/query", base + "/update", base + "/store", process, folder)
    try:
        wait_until_ready(server)
        yield server
    finally:
        stop(process)


VIRTUOSO_INI = """\
; Private configuration written by the tests: loopback ports, database in a temporary folder.
[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = {host}:{sql_port}
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 10
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = ., {folder}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
ThreadsPerQuery = 2

[HTTPServer]
ServerPort = {host}:{http_port}
ServerRoot = {folder}/vsp
MaxClientConnections = 10
ServerThreads = 10
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
MaxQueryCostEstimationTime = 400
"""


def isql(server: Server, sql_port: int, statement: str, timeout: float = 120.0) -> str:
    """Run one SQL statement through `isql-vt` as dba; raise with its output if it fails."""
    binary = shutil.which("isql-vt") or shutil.which("isql")
    if binary is None:
        raise RuntimeError("isql-vt is not installed (Debian package virtuoso-opensource)")
    result = subprocess.run([binary, f"{LOOPBACK}:{sql_port}", "dba", "dba", f"exec={statement}"],
                            capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    output = result.stdout + result.stderr
    if result.returncode != 0 or "*** Error" in output:
        raise RuntimeError(f"isql-vt failed on {statement!r}: {output}")
    return output


@contextlib.contextmanager
def running_virtuoso(folder: Path):
    """Start Virtuoso (`virtuoso-t +foreground`) with a private ini and database under `folder`.

    Anonymous SPARQL Update is granted (the database is private and on loopback),
    so the KG can be loaded over HTTP with SPARQL Update or the Graph Store protocol.
    """
    binary = shutil.which("virtuoso-t")
    if binary is None:
        pytest.skip("Virtuoso is not installed (Debian package virtuoso-opensource)")
    folder = Path(folder).absolute()
    if (folder / "virtuoso.db").exists():
        raise RuntimeError(f"{folder} already holds a Virtuoso database; give an empty folder")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vsp").mkdir(exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(folder=folder, host=LOOPBACK, sql_port=sql_port, http_port=http_port))
    base = f"http://{LOOPBACK}:{http_port}"
    with open(folder / "server.log", "wb") as log:
        process = subprocess.Popen([binary, "+foreground", "+configfile", str(ini)], cwd=folder,
                                   stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    server = Server("virtuoso", base + "/sparql", base + "/sparql", base + "/sparql-graph-crud", process,
                    folder, sql_port)
    try:
        wait_until_ready(server, timeout=120)
        _retry(lambda: isql(server, sql_port, 'GRANT SPARQL_UPDATE TO "SPARQL";'))
        yield server
    finally:
        stop(process)


def _retry(action, attempts: int = 40, pause: float = 0.25):
    for attempt in range(attempts):
        try:
            return action()
        except RuntimeError:
            if attempt == attempts - 1:
                raise
            time.sleep(pause)
    return None


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory):
    """An empty Virtuoso server for the whole session (skipped when Virtuoso is not installed)."""
    with running_virtuoso(tmp_path_factory.mktemp("virtuoso")) as server:
        yield server


@pytest.fixture
def oxigraph_in_memory(tmp_path):
    """An empty, writable, in-memory Oxigraph server for one test."""
    with running_oxigraph(tmp_path / "oxigraph") as server:
        yield server
