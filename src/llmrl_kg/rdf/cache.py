"""The disk cache of derived files: where it lives, and "read the cached file, else compute and save it".

Reasoning and loading take seconds, so their results (the inferred triples, the
ontology's closure, the loaded dataset) are kept as files named by a hash of
their inputs and of the code and libraries that derive them (`code_tag`); any
edit of an input, the package or a library version makes a new file. Each file
starts with a comment line giving the SHA-256 and length of the rest; a file
that does not match (truncated, edited, an injected line) is recomputed and
replaced. A cache folder that cannot be written only costs speed.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import stat
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox

from llmrl_kg.rdf.oxtypes import ntriples_bytes

T = TypeVar("T")


def cache_dir() -> Path:
    """Where derived files (the inferred triples) are cached: `$LLMRL_KG_CACHE` or the user cache."""
    configured = os.environ.get("LLMRL_KG_CACHE")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or (Path.home() / ".cache")
    return Path(base) / "llmrl-kg"


HEADER = re.compile(rb"# llmrl-kg cache sha256=([0-9a-f]{64}) bytes=([0-9]+)\n")


@functools.lru_cache(maxsize=1)
def code_tag() -> str:
    """A tag of this package's source files (names, sizes, times) and of the libraries' versions.

    File sizes and modification times rather than contents, and the libraries' versions from their
    installed metadata folders rather than by importing them: warm commands pay a few stat calls.
    """
    from llmrl_kg import __version__

    digest = hashlib.sha256(" ".join([__version__, ox.__version__, *map(_installed_version, ("rdflib", "owlrl"))])
                            .encode())
    package = Path(__file__).resolve().parent.parent
    for relative, status in sorted(_python_files(str(package), "")):
        digest.update(f"{relative}\0{status.st_size}\0{status.st_mtime_ns}\0".encode())
    return digest.hexdigest()[:12]


def _python_files(folder: str, relative: str) -> list[tuple[str, os.stat_result]]:
    """(path relative to the package, stat) of every `.py` file under `folder` (as `rglob("*.py")` finds them)."""
    found = []
    with os.scandir(folder) as entries:
        for entry in entries:
            name = f"{relative}{entry.name}"
            if entry.is_dir(follow_symlinks=False):
                found += _python_files(entry.path, name + "/")
            elif entry.name.endswith(".py") and entry.is_file():
                found.append((name, entry.stat()))
    return found


def _installed_version(library: str) -> str:
    """`library`'s version from its `NAME-VERSION.dist-info` folder, without importing it ("-" if absent)."""
    import importlib.util

    spec = importlib.util.find_spec(library)
    if spec is None or spec.origin is None:
        return "-"
    site = Path(spec.origin).resolve().parent.parent
    try:
        folders = sorted(name for name in os.listdir(site)
                         if name.startswith(f"{library}-") and name.endswith(".dist-info"))
    except OSError:
        folders = []
    return folders[-1][len(library) + 1:-len(".dist-info")] if folders else "-"


def verified(path: Path) -> bool:
    """True if the cache file at `path` has an intact header and its body matches it."""
    try:
        with path.open("rb") as handle:
            match = HEADER.fullmatch(handle.readline(200))
            if not match:
                return False
            digest, size = hashlib.sha256(), 0
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
                size += len(block)
    except OSError:
        return False
    return digest.hexdigest() == match.group(1).decode() and size == int(match.group(2))


def with_header(body: bytes | str) -> bytes:
    """`body` preceded by the header line that `verified` checks (a comment in N-Triples and N-Quads)."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    return b"# llmrl-kg cache sha256=%s bytes=%d\n" % (hashlib.sha256(data).hexdigest().encode(), len(data)) + data


def cached(path: Path | None, compute: Callable[[], T], read: Callable[[Path], T],
           write: Callable[[T], bytes | str]) -> T:
    """`read(path)` if the cache file exists and is intact; else `compute()`, saved atomically as `write(value)`.

    Callers put `code_tag()` into the file name, so other code or library versions
    never read it. `read` signals a damaged file with SyntaxError or OSError; a file whose
    checksum fails is not read at all. Either way the value is recomputed and the
    file replaced. With `path` None the value is only computed.
    """
    if path is not None and path.is_file() and verified(path):
        try:
            return read(path)
        except (SyntaxError, OSError):
            pass  # a damaged cache is recomputed below
    value = compute()
    if path is not None:
        from llmrl_kg.rdf.atomic import write_atomically  # tempfile: only when a file is written

        try:
            write_atomically(path, with_header(write(value)))
            prune(path)
        except OSError:
            pass  # a read-only cache folder only costs speed
    return value


KEEP_PER_KIND = 8
_KIND = re.compile(r"(?P<kind>.+?)-[0-9a-f]{8,}")


def prune(written: Path, keep: int = KEEP_PER_KIND) -> None:
    """Remove all but the `keep` newest cache files of the kind just written (`dataset-…`, `lexicon-…`).

    Every data edit or code version makes new keys; without this the folder grows without end.
    """
    match = _KIND.match(written.name)
    if match is None:
        return
    kind = match.group("kind")
    same = []
    for entry in os.scandir(written.parent):
        found = _KIND.match(entry.name)
        if found and found.group("kind") == kind and entry.is_file(follow_symlinks=False):
            same.append((entry.stat().st_mtime_ns, entry.name))
    for _mtime, name in sorted(same, reverse=True)[keep:]:
        if name != written.name:
            (written.parent / name).unlink(missing_ok=True)


def read_triples(path: Path) -> list[ox.Triple]:
    """The triples of an N-Triples cache file (SyntaxError if it is damaged)."""
    return [quad.triple for quad in ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES)]


def triples_bytes(triples: list[ox.Triple]) -> bytes:
    """`triples` as the N-Triples bytes `read_triples` reads back."""
    return ntriples_bytes(triples)


def body(path: Path) -> bytes:
    """The bytes of a cache file after its header line (call `verified` first)."""
    return path.read_bytes().split(b"\n", 1)[1]


def cached_json(path: Path | None, compute: Callable[[], T], dump: Callable[[T], object],
                load: Callable[[object], T]) -> T:
    """`cached` for a value kept as JSON: `dump(value)` is JSON-able, `load` rebuilds the value from it.

    A body that is not JSON, or JSON of another shape (`load` raising KeyError, TypeError,
    ValueError, IndexError), counts as a damaged file: the value is recomputed.
    """
    import json

    def read(file: Path) -> T:
        try:
            return load(json.loads(body(file)))
        except (ValueError, KeyError, TypeError, IndexError) as error:
            raise SyntaxError(f"{file}: not a cache file of this version ({error})") from None

    return cached(path, compute, read, lambda value: json.dumps(dump(value), separators=(",", ":")))


def tree_stat_key(roots: Iterable[Path], *context: str, settled_before_ns: int | None = None) -> str | None:
    """A hash of the `.ttl` files and folders under `roots` as the file system describes them, or None.

    Names, kinds, sizes, inode numbers, modification and change times: any edit, addition,
    removal, rename or replacement of a file changes it (the change time cannot be set back), so
    it can stand for the files' contents without reading them. Symbolic links are followed (each
    folder once). None when something cannot be examined, or when something changed at or after
    `settled_before_ns` (time.time_ns): a second edit within the file system's timestamp
    granularity could leave every stat field as it was, so recent files must be read.
    """
    digest = hashlib.sha256("\0".join([code_tag(), *context]).encode())
    seen: set[tuple[int, int]] = set()
    newest = [0]
    try:
        for root in roots:
            _add_tree(digest, os.fspath(root), seen, newest)
    except (OSError, ValueError, RecursionError):
        return None
    if settled_before_ns is not None and newest[0] >= settled_before_ns:
        return None
    return digest.hexdigest()[:24]


def _add_tree(digest, path: str, seen: set[tuple[int, int]], newest: list[int]) -> None:
    status = os.stat(path)
    digest.update(f"{path}\0{status.st_mode}\0{status.st_size}\0{status.st_ino}\0{status.st_dev}\0"
                  f"{status.st_mtime_ns}\0{status.st_ctime_ns}\n".encode("utf-8", "surrogateescape"))
    newest[0] = max(newest[0], status.st_mtime_ns, status.st_ctime_ns)
    if not stat.S_ISDIR(status.st_mode) or (status.st_dev, status.st_ino) in seen:
        return  # a file, or a folder already seen (a cycle of links)
    seen.add((status.st_dev, status.st_ino))
    with os.scandir(path) as entries:
        children = sorted((entry.name, entry.is_dir()) for entry in entries)
    for name, is_folder in children:
        if is_folder or name.lower().endswith(".ttl"):
            _add_tree(digest, os.path.join(path, name), seen, newest)
