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
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox

from llmrl_kg.rdf.atomic import write_atomically
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
    for source in sorted(package.rglob("*.py")):
        status = source.stat()
        digest.update(f"{source.relative_to(package).as_posix()}\0{status.st_size}\0{status.st_mtime_ns}\0".encode())
    return digest.hexdigest()[:12]


def _installed_version(library: str) -> str:
    """`library`'s version from its `NAME-VERSION.dist-info` folder, without importing it ("-" if absent)."""
    import importlib.util

    spec = importlib.util.find_spec(library)
    if spec is None or spec.origin is None:
        return "-"
    site = Path(spec.origin).resolve().parent.parent
    folders = sorted(site.glob(f"{library}-*.dist-info"))
    return folders[-1].name[len(library) + 1:-len(".dist-info")] if folders else "-"


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
        try:
            write_atomically(path, with_header(write(value)))
        except OSError:
            pass  # a read-only cache folder only costs speed
    return value


def read_triples(path: Path) -> list[ox.Triple]:
    """The triples of an N-Triples cache file (SyntaxError if it is damaged)."""
    return [quad.triple for quad in ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES)]


def triples_bytes(triples: list[ox.Triple]) -> bytes:
    """`triples` as the N-Triples bytes `read_triples` reads back."""
    return ntriples_bytes(triples)
