"""The KG in a persistent Oxigraph store on disk (pushing it to a SPARQL server is `store.push`).

* `build_store(path)` bulk-loads the KG into a persistent Oxigraph (RocksDB)
  store: one named graph per source file, as in memory, plus the inferred
  triples in `urn:llmrl-kg:inferred`.
* `open_read_only(path)` opens such a store for queries.

Layout: PATH is a symbolic link to a version folder beside it, `.NAME.v-N`.
A build makes the next version in `.NAME.building-PID`, renames it to
`.NAME.v-N+1` when complete and then moves the link (one atomic rename), so a
reader opening PATH sees the old or the new store, never half of one. A reader
resolves the link once and opens the version itself: RocksDB opens files by
name, and lazily, so the names it opened must keep meaning the same files.
`open_read_only` holds a shared lock (flock) on that version while the store it
returns is alive; a build deletes only the old versions it can lock
exclusively and leaves the others to a later build. One build at a time per
folder (a lock on the parent folder, so no lock file is left behind); whatever
a killed build left beside PATH (`.NAME.building-PID`, `.NAME.quads-PID.nq`,
`.NAME.old-PID`, `.NAME.link-PID`, unused versions) is removed by the next
build. A store of the older layout (PATH a real folder) is read as it is and
replaced by the link on the next build.

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
import time
import weakref
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
    non-empty folder (or a symbolic link this command did not make) is left alone and reported.
    """
    path = Path(path)
    ours = _link_version(path) is not None
    if path.is_symlink() and not ours:
        raise StoreError(f"{path}: is a symbolic link that llmrl-kg did not make; give the folder it points "
                         "to, or remove the link")
    if not ours and path.exists() and not is_store(path) and not (path.is_dir() and not any(path.iterdir())):
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
    version = parent / f".{path.name}.v-{max(_versions(path), default=0) + 1}"
    installed = False
    try:
        summary = _build_into(building, quads_file, paths)
        building.rename(version)
        _point_to(path, version)
        installed = True
    except OSError as error:
        raise StoreError(f"{path}: cannot build the store: {error.strerror or error}") from None
    finally:
        shutil.rmtree(building, ignore_errors=True)
        quads_file.unlink(missing_ok=True)
        if not installed:
            shutil.rmtree(version, ignore_errors=True)
    _remove_unused_versions(path)
    return summary


def _build_into(folder: Path, quads_file: Path, paths: list[Path] | None) -> LoadSummary:
    """Load and reason over the KG, then write it as a complete store (with its marker) in `folder`."""
    # Loaded and reasoned in memory, then bulk-loaded: SPARQL updates on RocksDB are
    # transactional and 20 times slower than the same updates in memory.
    memory = ox.Store()
    summary = load_files(memory, paths)
    memory.dump(str(quads_file), format=ox.RdfFormat.N_QUADS)
    del memory
    store = ox.Store(str(folder))
    store.bulk_load(path=str(quads_file), format=ox.RdfFormat.N_QUADS)
    store.flush()
    del store
    gc.collect()  # closes the RocksDB database before the folder is renamed
    info = {"generator": "llmrl-kg load --into oxigraph:PATH", "llmrl_kg_version": __version__,
            "fingerprint": summary.fingerprint, "files": summary.files,
            "asserted_quads": summary.asserted, "inferred_triples": summary.inferred,
            "inferred_graph": INFERRED_GRAPH.value, "oxigraph_version": ox.__version__}
    (folder / MARKER).write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return summary


_LEFTOVER = re.compile(r"\.(?P<name>.+)\.(?:building-\d+|quads-\d+\.nq|old-\d+|link-\d+)")
_VERSION = re.compile(r"\.(?P<name>.+)\.v-(?P<number>\d+)")


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
    _remove_unused_versions(path)


def _versions(path: Path) -> dict[int, Path]:
    """The version folders beside `path`, by number."""
    found = {}
    for entry in path.absolute().parent.glob(f".{path.name}.v-*"):
        match = _VERSION.fullmatch(entry.name)
        if match and match.group("name") == path.name and not entry.is_symlink():
            found[int(match.group("number"))] = entry
    return found


def _link_version(path: Path) -> str | None:
    """The name of the version folder that `path` links to, if `path` is a link made by `build_store`."""
    try:
        target = os.readlink(path)
    except OSError:
        return None
    match = _VERSION.fullmatch(target)
    return target if match and match.group("name") == Path(path).name else None


def _remove_unused_versions(path: Path) -> None:
    """Delete the versions other than the current one that no reader holds; the others wait for a later build."""
    current = _link_version(path)
    for folder in _versions(path).values():
        if folder.name == current:
            continue
        lock = _lock(folder, fcntl.LOCK_EX)
        if lock is not None:
            try:
                shutil.rmtree(folder, ignore_errors=True)
            finally:
                os.close(lock)


def _lock(folder: Path, kind: int) -> int | None:
    """A descriptor of `folder` locked with `kind` (flock), or None when it is gone or locked against us.

    The folder must still be there under its name once locked: a build deletes
    a version only while it holds the exclusive lock.
    """
    try:
        descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(descriptor, kind | fcntl.LOCK_NB)
        opened, named = os.fstat(descriptor), os.stat(folder)
        if (opened.st_dev, opened.st_ino) == (named.st_dev, named.st_ino):
            return descriptor
    except OSError:
        pass
    os.close(descriptor)
    return None


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


def _point_to(path: Path, version: Path) -> None:
    """Make `path` a link to `version` in one atomic step; a real folder there (older layout) is deleted."""
    link = version.parent / f".{path.name}.link-{os.getpid()}"
    link.unlink(missing_ok=True)
    os.symlink(version.name, link)
    if path.is_symlink() or not path.exists():
        os.replace(link, path)
        return
    lock = _lock(path, fcntl.LOCK_EX)
    if lock is None:
        link.unlink()
        raise StoreError(f"{path}: a query is reading this store right now, and a store of the older layout "
                         "cannot be replaced while it is read; run the load again when the query has finished")
    try:
        old = version.parent / f".{path.name}.old-{os.getpid()}"
        if _exchange(link, path):
            link.rename(old)  # `link` names the old folder now
        else:
            path.rename(old)
            os.replace(link, path)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        os.close(lock)


READ_WAIT_SECONDS = 10.0


class ReadOnlyStore:
    """A `pyoxigraph.Store` opened read-only (every Store method works on it) that keeps its folder.

    While this object lives it holds a shared lock on the store's version folder,
    so a build does not delete the files RocksDB reads; keep it while you use
    results that come from it.
    """

    def __init__(self, store: ox.Store, lock: int, folder: Path) -> None:
        self.folder = folder
        self._held = [store]
        self._finalizer = weakref.finalize(self, _release, self._held, lock)

    @property
    def store(self) -> ox.Store:
        """The pyoxigraph Store itself."""
        return self._held[0]

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._held[0], name)

    def __len__(self) -> int:
        return len(self._held[0])

    def __iter__(self):
        return iter(self._held[0])

    def __contains__(self, quad: object) -> bool:
        return quad in self._held[0]


def _release(held: list, lock: int) -> None:
    held.clear()  # closes the database first, then lets builds delete its folder
    os.close(lock)


def open_read_only(path: Path) -> ReadOnlyStore:
    """Open the store at `path` for reading (several processes may read it at once)."""
    path = Path(path)
    deadline = time.monotonic() + READ_WAIT_SECONDS
    while True:
        if not path.is_dir():
            raise StoreError(f"{path}: no store there; build it with `llmrl-kg load --into oxigraph:{path}`")
        version = _link_version(path)
        folder = path.absolute().parent / version if version else Path(os.path.realpath(path))
        try:
            lock = _lock(folder, fcntl.LOCK_SH)
        except OSError as error:
            raise StoreError(f"{path}: cannot read the store: {error.strerror or error}") from None
        if lock is not None:
            break
        if time.monotonic() > deadline:  # only while a build deletes the old folder of the older layout
            raise StoreError(f"{path}: the store is being replaced and stayed locked for "
                             f"{READ_WAIT_SECONDS:.0f} s; try again")
        time.sleep(0.02)
    try:
        return ReadOnlyStore(ox.Store.read_only(str(folder)), lock, folder)
    except OSError as error:
        os.close(lock)
        raise StoreError(f"{path}: not an Oxigraph store ({error}); build one with "
                         f"`llmrl-kg load --into oxigraph:{path}`") from None
