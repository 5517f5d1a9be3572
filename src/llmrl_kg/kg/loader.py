"""Load the knowledge graph: asserted triples per file, inferred triples apart and cached.

Each source file becomes a named graph `urn:llmrl-kg:file:<path>`; the
ontology's own file is one of them. The OWL-RL inferences live in the named
graph `urn:llmrl-kg:inferred`. Reasoning takes seconds, so its result is cached
on disk (`rdf.cache`), keyed by a hash of every input file: it is redone only
when a file changes.

Two ways in, over the same files (`kg_files`) and the same fingerprint:
`load_sources`/`open_store` parse each file into a `SourceFile` (what
validation and the exports need), and `load_files` has Oxigraph parse the files
straight into a store and materialises the inferences there (large KGs, the
on-disk store, pushing to a server).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from llmrl_kg import __version__, locations
from llmrl_kg.errors import DataError
from llmrl_kg.kg.files import (
    FILE_GRAPH_PREFIX,
    MAX_FILE_BYTES,
    FileTooLargeError,
    SourceFile,
    parse_file,
    read_regular_file,
)
from llmrl_kg.rdf.cache import cache_dir, cached, code_tag, read_triples, triples_bytes
from llmrl_kg.rdf.namespaces import RDF, VOID
from llmrl_kg.rdf.oxtypes import term_value

INFERRED_GRAPH = ox.NamedNode("urn:llmrl-kg:inferred")
LINKS_PREFIX = "data/links/"
RDF_TYPE = RDF + "type"


class LoadError(DataError):
    """The KG's files could not be loaded; the message names the file, line and fix."""


def source_paths(paths: list[Path] | None = None) -> list[Path]:
    """The ontology plus the data files: the shipped ones, or those under `paths` (see `kg_files`)."""
    return [path for path, _display in kg_files(paths)]


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
    digest = _new_digest()
    for source in sources:
        _add_file(digest, source.display, source.text.encode())
    return digest.hexdigest()[:24]


def _new_digest():
    return hashlib.sha256(__version__.encode())


def _add_file(digest, display: str, utf8: bytes) -> None:
    digest.update(display.encode() + b"\0" + utf8 + b"\0")


def files_fingerprint(paths: list[Path] | None = None) -> str:
    """`fingerprint(load_sources(paths))` computed from the files' bytes alone, without parsing them."""
    digest = _new_digest()
    for path, display in kg_files(paths):
        _add_file(digest, display, _as_utf8(read_regular_file(path)))
    return digest.hexdigest()[:24]


def inferred_triples(sources: list[SourceFile]) -> list[ox.Triple]:
    """The OWL-RL inferences of ontology + data, from the cache or computed (and cached)."""
    return cached(cache_dir() / f"inferred-{fingerprint(sources)}-{code_tag()}.nt", lambda: compute_inferred(sources),
                  read_triples, triples_bytes)


def reasoning_input(sources: list[SourceFile]) -> list[SourceFile]:
    """The sources OWL-RL reasons over: all but the external link files.

    Links say `paper owl:sameAs <external entity>`; under OWL-RL every fact of the
    paper would be copied to the external IRI, which then answers queries as a
    second paper. The links stay loaded (asserted), they are just not reasoned over.
    """
    return [s for s in sources if not is_link_file(s)]


def is_link_file(source: SourceFile) -> bool:
    """A file of external links: under data/links/, or one that describes itself as a void:Linkset."""
    return source.display.startswith(LINKS_PREFIX) or any(
        t.predicate.value == RDF_TYPE and term_value(t.object) == VOID + "Linkset" for t in source.triples)


def compute_inferred(sources: list[SourceFile]) -> list[ox.Triple]:
    """The OWL-RL inferences of the sources (links excepted), by `materialise`: the one inference path.

    The same triples as owlrl's closure of the whole graph (tests/test_stores.py checks it), in
    time linear in the data: the ontology is closed once (cached), the rules run as SPARQL Update.
    """
    from llmrl_kg.reason.materialise import materialise

    ontology = next((s for s in sources if s.path.resolve() == locations.ontology_file().resolve()), None)
    ontology_triples = ontology.triples if ontology is not None else []
    store = ox.Store()
    asserted = ox.NamedNode("urn:llmrl-kg:asserted")
    store.extend(ox.Quad(t.subject, t.predicate, t.object, asserted)
                 for s in reasoning_input(sources) for t in s.triples)
    materialise(store, ontology_triples, INFERRED_GRAPH.value,
                cache_key=ontology.text if ontology is not None else None)
    return sorted((q.triple for q in store.quads_for_pattern(None, None, None, INFERRED_GRAPH)), key=str)


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
    from llmrl_kg.rdf.terms import to_rdflib_graph

    sources = load_sources(paths)
    graph = to_rdflib_graph(t for s in sources for t in s.triples)
    if inferred:
        to_rdflib_graph(inferred_triples(sources), graph)
    return graph


# ---------------------------------------------------------------------------------------------
# The fast loader: each file parsed by Oxigraph straight into a store (large KGs, the on-disk store)


@dataclass
class LoadSummary:
    """What `load_files` put into a store."""

    files: int = 0
    asserted: int = 0
    inferred: int = 0
    fingerprint: str = ""
    seconds: float = 0.0
    sources: list[str] = field(default_factory=list)

    @property
    def triples(self) -> int:
        """Asserted plus inferred quads."""
        return self.asserted + self.inferred


def load_files(store: ox.Store, paths: list[Path] | None = None, *, inferred: bool = True) -> LoadSummary:
    """Load the ontology and data files (the shipped ones, or those under `paths`) into `store`.

    Each file goes into its own named graph, parsed natively by Oxigraph (strict
    Turtle); then the inferences are materialised into `urn:llmrl-kg:inferred`.
    Raises LoadError naming the file and line of the first broken file.
    """
    from llmrl_kg.reason import materialise

    started = time.perf_counter()
    summary = LoadSummary()
    digest = _new_digest()
    ontology_triples: list[ox.Triple] = []
    ontology_text = ""
    for path, display in kg_files(paths):
        try:
            raw = read_regular_file(path)  # regular files only, read with a bound
        except FileTooLargeError:
            _source, problems = parse_file(path)
            raise LoadError((problems[0].format() if problems else f"{display}: error file-too-large")
                            + "\nRun `llmrl-kg validate` for every finding.") from None
        graph = ox.NamedNode(FILE_GRAPH_PREFIX + display.replace(" ", "%20"))
        try:
            if len(raw) > MAX_FILE_BYTES or raw.startswith(b"\xef\xbb\xbf") \
                    or (b"<<" in raw and parse_file(path)[1]):  # an RDF 1.2 triple term, refused by parse_file
                raise SyntaxError("rejected before parsing")
            store.load(raw, format=ox.RdfFormat.TURTLE, base_iri=path.as_uri(), to_graph=graph)
        except SyntaxError:
            _source, problems = parse_file(path)  # re-parse the one broken file for a precise finding
            message = problems[0].format() if problems else f"{display}: error turtle-syntax"
            raise LoadError(message + "\nRun `llmrl-kg validate` for every finding.") from None
        if summary.files == 0:  # the ontology comes first
            ontology_triples = [q.triple for q in store.quads_for_pattern(None, None, None, graph)]
            ontology_text = raw.decode("utf-8", errors="replace")
        _add_file(digest, display, _as_utf8(raw))
        summary.files += 1
        summary.sources.append(display)
    summary.fingerprint = digest.hexdigest()[:24]
    summary.asserted = len(store)
    if inferred:
        summary.inferred = materialise.materialise(store, ontology_triples, INFERRED_GRAPH.value,
                                                   cache_key=ontology_text)
    summary.seconds = time.perf_counter() - started
    return summary


def kg_files(paths: list[Path] | None = None) -> list[tuple[Path, str]]:
    """(resolved path, display name) of the ontology and the data files: the shipped ones, or those under `paths`.

    Folders give their `.ttl` files, sorted; a file is listed once. The names are
    those of `files.display_name`, but each folder is resolved once rather than
    every file (`Path.resolve` costs about 40 µs a file, a second for the 23k
    files of a 1M-triple KG).
    """
    roots = [locations.ontology_file(), *(paths or [locations.data_dir()])]
    bases = [locations.kg_root().resolve(), Path.cwd().resolve()]
    found: list[tuple[Path, str]] = []
    seen: set[Path] = set()
    for root in roots:
        resolved = Path(root).resolve()
        files = sorted(p for p in resolved.rglob("*.ttl") if p.is_file()) if resolved.is_dir() else [resolved]
        for path in files:
            if path not in seen:
                seen.add(path)
                found.append((path, _display(path, bases)))
    return found


def _display(path: Path, bases: list[Path]) -> str:
    for base in bases:
        try:
            return path.relative_to(base).as_posix()
        except ValueError:
            continue
    return path.as_posix()


def _as_utf8(raw: bytes) -> bytes:
    """The bytes `raw.decode("utf-8", "replace").encode()` gives (what `fingerprint` hashes)."""
    try:
        raw.decode("utf-8")
        return raw
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="replace").encode("utf-8")
