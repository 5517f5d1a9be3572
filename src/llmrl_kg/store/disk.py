"""The KG in a persistent Oxigraph store on disk (pushing it to a SPARQL server is `store.push`).

* `build_store(path)` bulk-loads the KG into a persistent Oxigraph (RocksDB)
  store: one named graph per source file, as in memory, plus the inferred
  triples in `urn:llmrl-kg:inferred`. It is built in a sibling folder and
  swapped in only when complete (one atomic exchange of the two folders where
  Linux offers it), so a reader opening PATH sees the old or the new store,
  never half of one. One build at a time per folder (a lock on the parent
  folder, so no lock file is left behind); whatever a killed build left beside
  PATH (`.NAME.building-PID`, `.NAME.quads-PID.nq`, `.NAME.old-PID`) is removed
  by the next build.
* `open_read_only(path)` opens such a store for queries.

The KG is read by `loader.load_files`, whose inference uses `materialise` (the
ontology closed by owlrl once, its rules applied to the data with SPARQL
Update): the same triples as owlrl on the whole graph, but linear in the data.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

from llmrl_kg import __version__
from llmrl_kg.errors import KGError
from llmrl_kg.kg.loader import INFERRED_GRAPH, LoadSummary, load_files

MARKER = "llmrl-kg-store.json"


class StoreError(KGError):
    """A store could not be built, opened or reached; the message says why and how to fix it.

    `exit_code` is 2 for usage and file-system problems, 1 when a server refused the data.
    """

    def __init__(self, message: str, exit_code: int = 2):
        super().__init__(message)
        self.exit_code = exit_code


def is_store(path: Path) -> bool:
    """True when `path` holds a store built by `build_store`."""
    return (Path(path) / MARKER).is_file() and (Path(path) / "CURRENT").is_file()


def store_info(path: Path) -> dict:
    """The description `build_store` wrote next to the store's data (empty if unreadable)."""
    try:
        return json.loads((Path(path) / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def build_store(path: Path, paths: list[Path] | None = None) -> LoadSummary:
    """Build (or rebuild) the persistent Oxigraph store at `path` with the KG and its inferences.

    An existing store built by this command is replaced; any other existing,
    non-empty folder is left alone and reported.
    """
    path = Path(path)
    if path.exists() and not is_store(path) and not (path.is_dir() and not any(path.iterdir())):
        raise StoreError(f"{path}: exists and is not an llmrl-kg store; choose a new path "
                         "(the store is a folder that `llmrl-kg load --into oxigraph:PATH` creates)")
    parent = path.absolute().parent
    if not parent.is_dir():
        raise StoreError(f"{parent}: no such folder; create it first or choose another path")
    with _build_lock(path):
        return _build_locked(path, parent, paths)


@contextlib.contextmanager
def _build_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on PATH's parent folder; StoreError at once if another build holds it."""
    parent = path.absolute().parent
    descriptor = os.open(parent, os.O_RDONLY)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise StoreError(f"{path}: another `llmrl-kg load --into` is building a store in {parent} right "
                             "now; wait for it to finish (queries keep using the current store meanwhile)") from None
        yield
    finally:
        os.close(descriptor)


def _build_locked(path: Path, parent: Path, paths: list[Path] | None) -> LoadSummary:
    _remove_leftovers(path)
    building = parent / f".{path.name}.building-{os.getpid()}"
    quads_file = parent / f".{path.name}.quads-{os.getpid()}.nq"
    try:
        # Loaded and reasoned in memory, then bulk-loaded: SPARQL updates on RocksDB are
        # transactional and 20 times slower than the same updates in memory.
        memory = ox.Store()
        summary = load_files(memory, paths)
        memory.dump(str(quads_file), format=ox.RdfFormat.N_QUADS)
        del memory
        store = ox.Store(str(building))
        store.bulk_load(path=str(quads_file), format=ox.RdfFormat.N_QUADS)
        store.flush()
        del store
        gc.collect()  # closes the RocksDB database before the folder is moved
        info = {"generator": "llmrl-kg load --into oxigraph:PATH", "llmrl_kg_version": __version__,
                "fingerprint": summary.fingerprint, "files": summary.files,
                "asserted_quads": summary.asserted, "inferred_triples": summary.inferred,
                "inferred_graph": INFERRED_GRAPH.value, "oxigraph_version": ox.__version__}
        (building / MARKER).write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
        _swap_in(building, path)
    except OSError as error:
        raise StoreError(f"{path}: cannot build the store: {error.strerror or error}") from None
    finally:
        shutil.rmtree(building, ignore_errors=True)
        quads_file.unlink(missing_ok=True)
    return summary


_LEFTOVER = re.compile(r"\.(?P<name>.+)\.(?:building-\d+|quads-\d+\.nq|old-\d+)")


def _remove_leftovers(path: Path) -> None:
    """Remove what killed builds of `path` left beside it (called under the lock: no build is running)."""
    parent = path.absolute().parent
    for entry in parent.glob(f".{path.name}.*"):
        match = _LEFTOVER.fullmatch(entry.name)
        if match and match.group("name") == path.name:
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)


_RENAME_EXCHANGE = 2


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths atomically with Linux's renameat2(RENAME_EXCHANGE); False where it is missing."""
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_cwd = -100
    result = renameat2(at_cwd, os.fsencode(first), at_cwd, os.fsencode(second), _RENAME_EXCHANGE)
    return result == 0


def _swap_in(built: Path, path: Path) -> None:
    """Put the finished store at `path`, replacing the old one, which is then deleted."""
    if not path.exists():
        built.rename(path)
        return
    if _exchange(built, path):  # `built` now holds the old store; the caller deletes it
        return
    old = path.absolute().parent / f".{path.name}.old-{os.getpid()}"
    path.rename(old)
    built.rename(path)
    shutil.rmtree(old, ignore_errors=True)


def open_read_only(path: Path) -> ox.Store:
    """Open the store at `path` for reading (several processes may read it at once)."""
    path = Path(path)
    if not path.is_dir():
        raise StoreError(f"{path}: no store there; build it with `llmrl-kg load --into oxigraph:{path}`")
    try:
        return ox.Store.read_only(str(path))
    except OSError as error:
        raise StoreError(f"{path}: not an Oxigraph store ({error}); build one with "
                         f"`llmrl-kg load --into oxigraph:{path}`") from None
