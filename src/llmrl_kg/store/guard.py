"""Running one query under a deadline, in a child process the engine cannot take down with it.

pyoxigraph has no query timeout (oxigraph#1926), and a query can crash its
parser or fill the memory. `run_guarded` forks: the child (which shares the
loaded store, copy-on-write) runs the query with a memory ceiling and sends the
pickled answer back; the parent waits up to the deadline, then kills the child.
A deadline passed is a QueryTimeout; a child that dies is a BackendError naming
the signal. Where `os.fork` is missing, the query runs in this process.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import resource
import select
import signal
import time
from collections.abc import Callable
from typing import TypeVar

from llmrl_kg.errors import ServiceError, UsageError

T = TypeVar("T")

DEFAULT_TIMEOUT = 30.0
DEFAULT_ROW_LIMIT = 100_000
MEMORY_HEADROOM = 4 * 2**30  # what a query may allocate beyond the loaded store


class QueryTimeout(UsageError):
    """The query did not finish within its deadline."""


class QueryCrashed(ServiceError):
    """The query engine died (a signal, or out of memory) while running the query."""


def run_guarded(function: Callable[[], T], timeout: float | None) -> T:
    """`function()` in a forked child, killed after `timeout` seconds (None: no deadline, same process)."""
    if timeout is None or not hasattr(os, "fork"):
        return function()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read_end)
        _child(function, write_end)
    os.close(write_end)
    try:
        data = _collect(read_end, pid, timeout)
    finally:
        os.close(read_end)
    kind, value = pickle.loads(data)
    if kind == "error":
        raise value
    return value


def _child(function: Callable[[], object], write_end: int) -> None:
    code = 0
    try:
        _limit_memory()
        try:
            payload = pickle.dumps(("ok", function()))
        except Exception as error:  # noqa: BLE001 - re-raised in the parent
            try:
                payload = pickle.dumps(("error", error))
            except Exception:  # noqa: BLE001 - an exception that does not pickle
                payload = pickle.dumps(("error", QueryCrashed(f"{type(error).__name__}: {error}")))
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(payload)
    except BaseException:  # noqa: BLE001 - the child must never run the parent's code
        code = 1
    finally:
        os._exit(code)


def _limit_memory() -> None:
    """Cap the child's heap at what it holds now plus MEMORY_HEADROOM (file mappings are not counted)."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        with open("/proc/self/status", encoding="ascii") as status:
            data_kb = next(int(line.split()[1]) for line in status if line.startswith("VmData:"))
        limit = data_kb * 1024 + MEMORY_HEADROOM
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))


def _collect(read_end: int, pid: int, timeout: float) -> bytes:
    """The child's whole answer, or QueryTimeout / QueryCrashed; the child is reaped in every case."""
    deadline = time.monotonic() + timeout
    chunks: list[bytes] = []
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise QueryTimeout(f"the query did not finish within {timeout:g} s and was stopped; "
                                   "make it more selective (LIMIT, fewer variables unbound) or raise --timeout")
            ready, _, _ = select.select([read_end], [], [], left)
            if ready:
                chunk = os.read(read_end, 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
    except BaseException:
        _kill(pid)
        raise
    _, status = os.waitpid(pid, 0)
    if not chunks or os.WIFSIGNALED(status) or os.WEXITSTATUS(status) != 0:
        raise QueryCrashed(_death(status))
    return b"".join(chunks)


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, ChildProcessError):
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


def _death(status: int) -> str:
    if os.WIFSIGNALED(status):
        name = signal.Signals(os.WTERMSIG(status)).name
        return (f"the query engine died ({name}) while running the query; it is probably too large "
                "or needs too much memory: simplify it or add a LIMIT")
    return "the query engine stopped without an answer (out of memory?); simplify the query or add a LIMIT"
