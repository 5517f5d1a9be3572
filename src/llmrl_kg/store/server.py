"""`llmrl-kg serve`: Oxigraph's SPARQL server with the KG loaded, on loopback unless told otherwise.

The server is the `oxigraph` binary that `pip install oxigraph` puts next to the
Python executable. It serves an on-disk store read-only: the given one
(`--store PATH`, built by `llmrl-kg load --into oxigraph:PATH`), or one built in
a temporary folder and deleted when the server stops. The default graph is the
union of the per-file graphs and the inferred graph, so saved queries run
unchanged. Ctrl-C (or SIGTERM) stops the server by its PID and cleans up.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

from llmrl_kg.errors import UsageError
from llmrl_kg.store import disk as stores

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


class ServerError(UsageError):
    """The server could not start; the message says why and how to fix it."""


class _Stop(Exception):
    """Raised in the main thread by SIGTERM, so that cleanup runs as for Ctrl-C."""


def oxigraph_binary() -> str:
    """The path of the `oxigraph` server binary (from the `oxigraph` PyPI package)."""
    beside_python = Path(sys.executable).with_name("oxigraph")
    if beside_python.is_file() and os.access(beside_python, os.X_OK):
        return str(beside_python)
    found = shutil.which("oxigraph")
    if found:
        return found
    raise ServerError("the Oxigraph server is not installed; install it with `pip install oxigraph` "
                      "(in the same environment as llmrl-kg)")


def bind_address(host: str, port: int) -> str:
    """`host:port` as Oxigraph's --bind wants it (IPv6 addresses in brackets)."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def query_url(host: str, port: int) -> str:
    """The SPARQL query endpoint's URL for clients on this machine."""
    probe_host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
    return f"http://{bind_address(probe_host, port)}/query"


def check_port_free(host: str, port: int) -> None:
    """Raise ServerError when nothing can listen on host:port (in use, or not an address of this machine)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does
        try:
            probe.bind((host, port))
        except OSError as error:
            raise ServerError(f"cannot listen on {bind_address(host, port)}: {error.strerror or error}; "
                              "choose another --port (or --host)") from None


def _die_with_parent() -> None:
    """In the child: ask Linux to send SIGTERM when llmrl-kg exits, even if it is killed."""
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def wait_until_ready(url: str, process: subprocess.Popen, timeout: float = 30.0) -> None:
    """Return once `ASK {}` answers 200; raise ServerError if the server exits or never answers."""
    probe = url + "?" + urllib.parse.urlencode({"query": "ASK {}"})
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerError(f"the Oxigraph server exited at start-up (code {process.returncode})")
        try:
            with urllib.request.urlopen(probe, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.05)
    raise ServerError(f"the Oxigraph server did not answer at {url} within {timeout:.0f} s")


def stop(process: subprocess.Popen, grace: float = 10.0) -> None:
    """Stop the server by its PID: SIGTERM, then SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=grace)


TEMP_PREFIX = "llmrl-kg-serve-"
MAX_RESTARTS = 3


def remove_stale_temporaries() -> None:
    """Delete the temporary stores of `serve` processes that were killed (their PID is gone)."""
    for folder in Path(tempfile.gettempdir()).glob(TEMP_PREFIX + "*"):
        pid = folder.name[len(TEMP_PREFIX):].split("-")[0]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def server_command(binary: str, location: Path, host: str, port: int, *, timeout_s: int | None,
                   cors: bool) -> list[str]:
    """The `oxigraph serve-read-only` command line: union default graph, query timeout, CORS if asked."""
    command = [binary, "serve-read-only", "--location", str(location), "--bind", bind_address(host, port),
               "--union-default-graph"]
    if timeout_s:
        command += ["--timeout-s", str(timeout_s)]
    if cors:
        command.append("--cors")
    return command


def _free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(host: str = "127.0.0.1", port: int = 7878, store_path: Path | None = None,
          echo: Callable[[str], None] = print, *, timeout_s: int | None = 30, cors: bool = False,
          allow_service: bool = False) -> None:
    """Serve the KG (or the store at `store_path`) over SPARQL until Ctrl-C or SIGTERM.

    Oxigraph listens on a private loopback port behind `proxy.GuardProxy`, which
    refuses over-large or over-deep queries and SERVICE (unless `allow_service`).
    Each query may run `timeout_s` seconds (None: no limit); `cors` allows cross-origin
    requests. When the server process dies it is restarted, at most MAX_RESTARTS times.
    """
    from llmrl_kg.store.proxy import GuardProxy

    binary = oxigraph_binary()
    check_port_free(host, port)
    remove_stale_temporaries()
    temporary = None
    previous_term = signal.signal(signal.SIGTERM, _raise_stop)
    # Ctrl-C must stop the server even when SIGINT was ignored by whoever started us.
    previous_int = signal.signal(signal.SIGINT, signal.default_int_handler)
    process = None
    guard = None
    log = tempfile.TemporaryFile()  # the server's own messages, shown if it fails to start
    try:
        if store_path is None:
            temporary = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-"))
        location, triples, _pinned = _store_to_serve(store_path, temporary, echo)
        upstream = _free_loopback_port()
        command = server_command(binary, location, "127.0.0.1", upstream, timeout_s=timeout_s, cors=cors)
        url = query_url(host, port)
        code = None
        for attempt in range(MAX_RESTARTS + 1):
            process = _start(command, log, query_url("127.0.0.1", upstream))
            if attempt == 0:
                guard = GuardProxy(host, port, upstream, allow_service=allow_service)
                guard.start()
                _announce(echo, host, port, url, store_path, triples)
            code = process.wait()
            echo(f"The Oxigraph server died (code {code}); "
                 + ("restarting it." if attempt < MAX_RESTARTS else "giving up."))
        raise ServerError(f"the Oxigraph server stopped unexpectedly {MAX_RESTARTS + 1} times "
                          f"(last code {code}); see its messages above")
    except (KeyboardInterrupt, _Stop):
        echo("Stopping the server ...")
    finally:
        if guard is not None:
            guard.close()
        if process is not None:
            stop(process)
        signal.signal(signal.SIGTERM, previous_term)
        signal.signal(signal.SIGINT, previous_int)
        log.close()
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)
    echo("Server stopped.")


def _store_to_serve(store_path: Path | None, temporary: Path | None,
                    echo: Callable[[str], None]) -> tuple[Path, int, object]:
    """The folder to serve, its number of triples and the handle keeping it locked (None for a temporary one).

    The store is the given one, or the KG loaded into `temporary`."""
    if store_path is None:
        assert temporary is not None
        echo("Loading the knowledge graph ...")
        summary = stores.build_store(temporary / "store")
        return temporary / "store", summary.triples, None
    location = Path(store_path)
    pinned = stores.open_read_only(location)  # a clear message if it is not a store
    # The server is given the version folder itself, held locked while this process lives, so a
    # `load --into` meanwhile neither deletes it nor makes the server read the new version's files.
    info = stores.store_info(location)
    return pinned.folder, info.get("asserted_quads", 0) + info.get("inferred_triples", 0), pinned


def _start(command: list[str], log, url: str) -> subprocess.Popen:
    """Start the server process and wait until it answers (ServerError with its last message if not)."""
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                               start_new_session=True,
                               preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None)
    try:
        wait_until_ready(url, process)
    except ServerError as error:
        stop(process)
        log.seek(0)
        detail = log.read().decode("utf-8", errors="replace").strip()
        raise ServerError(f"{error}{': ' + detail.splitlines()[-1] if detail else ''}") from None
    return process


def _raise_stop(_signum, _frame) -> None:
    raise _Stop()


def _announce(echo, host: str, port: int, url: str, store_path: Path | None, triples: int) -> None:
    source = f"the store {store_path}" if store_path else "the knowledge graph"
    echo(f"Serving {source} ({triples} triples) read-only with Oxigraph.")
    echo(f"SPARQL query endpoint: {url}")
    if host in LOOPBACK_HOSTS:
        echo(f"Listening on {host} (loopback) only: other machines cannot connect; "
             "use --host 0.0.0.0 to share it on your network.")
    else:
        echo(f"Listening on {host}: other machines on your network can query it.")
    echo("Press Ctrl-C to stop.")
