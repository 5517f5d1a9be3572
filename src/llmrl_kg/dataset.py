"""Load the knowledge graph: asserted triples per file, inferred triples apart and cached.

Each source file becomes a named graph `urn:llmrl-kg:file:<path>`; the
ontology's own file is one of them. The OWL-RL inferences live in the named
graph `urn:llmrl-kg:inferred`. Reasoning takes seconds, so its result is cached
on disk, keyed by a hash of every input file: it is redone only when a file
changes.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pyoxigraph as ox

from . import __version__, resources
from .atomic import write_atomically
from .sources import SourceFile, discover, parse_file

INFERRED_GRAPH = ox.NamedNode("urn:llmrl-kg:inferred")
LINKS_PREFIX = "data/links/"


class LoadError(Exception):
    """The KG's files could not be loaded; the message names the file, line and fix."""


def cache_dir() -> Path:
    """Where derived files (the inferred triples) are cached: `$LLMRL_KG_CACHE` or the user cache."""
    configured = os.environ.get("LLMRL_KG_CACHE")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or (Path.home() / ".cache")
    return Path(base) / "llmrl-kg"


def source_paths(paths: list[Path] | None = None) -> list[Path]:
    """The ontology plus the data files: the shipped ones, or those under `paths`."""
    data = discover(paths) if paths else discover([resources.data_dir()])
    return [resources.ontology_file(), *data]


def load_sources(paths: list[Path] | None = None) -> list[SourceFile]:
    """Parse the ontology and data strictly; raise LoadError on the first broken file."""
    sources = []
    for path in source_paths(paths):
        source, problems = parse_file(path)
        if problems:
            raise LoadError(problems[0].format() + "\nRun `llmrl-kg validate` for every finding.")
        sources.append(source)
    return sources


def asserted_quads(sources: list[SourceFile]) -> list[ox.Quad]:
    """Every asserted triple, in the named graph of the file that states it."""
    return [ox.Quad(t.subject, t.predicate, t.object, s.graph_name) for s in sources for t in s.triples]


def fingerprint(sources: list[SourceFile]) -> str:
    """A hash of the files' names and contents (and of this package's version)."""
    digest = hashlib.sha256(__version__.encode())
    for source in sources:
        digest.update(source.display.encode() + b"\0" + source.text.encode() + b"\0")
    return digest.hexdigest()[:24]


def files_fingerprint(paths: list[Path] | None = None) -> str:
    """`fingerprint(load_sources(paths))` computed from the files' bytes alone, without parsing them."""
    from .sources import display_name

    return fingerprint([SourceFile(path=p, display=display_name(p),
                                   text=p.read_bytes().decode("utf-8", errors="replace"))
                        for p in source_paths(paths)])


def inferred_triples(sources: list[SourceFile]) -> list[ox.Triple]:
    """The OWL-RL inferences of ontology + data, from the cache or computed (and cached)."""
    cache_file = cache_dir() / f"inferred-{fingerprint(sources)}.nt"
    if cache_file.is_file():
        try:
            return [q.triple for q in ox.parse(path=str(cache_file), format=ox.RdfFormat.N_TRIPLES)]
        except (SyntaxError, OSError):
            pass  # a damaged cache is recomputed below
    triples = compute_inferred(sources)
    try:
        write_atomically(cache_file, ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES))
    except OSError:
        pass  # a read-only cache folder only costs speed
    return triples


def reasoning_input(sources: list[SourceFile]) -> list[SourceFile]:
    """The sources OWL-RL reasons over: all but the external link files.

    Links say `paper owl:sameAs <external entity>`; under OWL-RL every fact of the
    paper would be copied to the external IRI, which then answers queries as a
    second paper. The links stay loaded (asserted), they are just not reasoned over.
    """
    return [s for s in sources if not s.display.startswith(LINKS_PREFIX)]


def compute_inferred(sources: list[SourceFile]) -> list[ox.Triple]:
    """Run OWL-RL over the sources (links excepted) and return only the non-trivial new triples."""
    from .bridge import to_ox_term, to_rdflib_graph
    from .reasoning import owl_rl_closure

    graph = to_rdflib_graph(t for s in reasoning_input(sources) for t in s.triples)
    inferred, _errors = owl_rl_closure(graph)
    triples = [ox.Triple(to_ox_term(s), to_ox_term(p), to_ox_term(o)) for s, p, o in inferred]
    return sorted(triples, key=str)


def open_store(paths: list[Path] | None = None, *, inferred: bool = True) -> ox.Store:
    """An in-memory Oxigraph store with the KG: one named graph per file, plus the inferences."""
    sources = load_sources(paths)
    store = ox.Store()
    store.extend(asserted_quads(sources))
    if inferred:
        store.extend(ox.Quad(t.subject, t.predicate, t.object, INFERRED_GRAPH)
                     for t in inferred_triples(sources))
    return store


def rdflib_graph(paths: list[Path] | None = None, *, inferred: bool = False):
    """The KG as one rdflib Graph (asserted triples; with `inferred`, the inferences too)."""
    from .bridge import to_rdflib_graph

    sources = load_sources(paths)
    graph = to_rdflib_graph(t for s in sources for t in s.triples)
    if inferred:
        to_rdflib_graph(inferred_triples(sources), graph)
    return graph
