"""Where queries run: a narrow backend seam, and the default in-memory Oxigraph backend.

A backend answers SPARQL 1.1 query strings with parameters given as RDF terms
(pyoxigraph terms) and returns pyoxigraph terms; `plain_value` turns those
into plain Python values, in this one place. Other backends (rdflib, an
on-disk store, a remote endpoint) implement the same three methods and
return the same kinds of terms, so the query code never changes.

The default backend loads the KG with its OWL-RL inferences and queries the
union of all named graphs. The loaded dataset (asserted quads + inferences) is
cached as one N-Quads file keyed by a hash of the source files, so a command
does not re-parse ~110 Turtle files on every call.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, Protocol, TypeVar, Union

import pyoxigraph as ox

from llmrl_kg.errors import ServiceError

Term = Union[ox.NamedNode, ox.Literal, ox.BlankNode]
PlainValue = Union[str, int, float, bool, None]
T = TypeVar("T")
R = TypeVar("R")


def run_guarded(function: Callable[[], T], timeout: float | None) -> T:
    """`guard.run_guarded`, imported only for a query with a deadline (fork, pickle, signals cost start-up)."""
    if timeout is None:
        return function()  # no deadline: guard.run_guarded runs it in this process too
    from llmrl_kg.store.guard import run_guarded as guarded

    return guarded(function, timeout)


# What the query must be for a backend method of each form (a DESCRIBE answer is of form CONSTRUCT).
_EXPECTED = {"SELECT": "a SELECT query", "ASK": "an ASK query", "CONSTRUCT": "a CONSTRUCT or DESCRIBE query"}


def guarded_answer(run: Callable[[], tuple[str, R]], form: str, convert: Callable[[R], T], timeout: float | None) -> T:
    """`convert(answer)` for `run()` -> (form, answer), under `timeout`; BackendError if the form is not `form`."""
    def call() -> T:
        found, answer = run()
        if found != form:
            raise BackendError(f"expected {_EXPECTED[form]}")
        return convert(answer)

    return run_guarded(call, timeout)


XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGER_TYPES = {XSD + t for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger",
                                    "positiveInteger", "negativeInteger", "nonPositiveInteger",
                                    "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte")}
_FLOAT_TYPES = {XSD + t for t in ("decimal", "double", "float")}
# Datatype IRI -> the Python value of a literal of it (one look-up per cell); any other stays its text.
_CONVERTERS: dict[str, Callable[[str], PlainValue]] = {
    **{datatype: int for datatype in (*_INTEGER_TYPES, XSD + "gYear")},
    **{datatype: float for datatype in _FLOAT_TYPES},
    XSD + "boolean": lambda value: value in ("true", "1"),
}


@dataclass
class Solutions:
    """The answer of a SELECT query: variable names in projection order, and one dict per row."""

    variables: list[str]
    rows: list[dict[str, Term | None]] = field(default_factory=list)
    more: bool = False  # True when a row limit cut the answer short


class Triples(list):
    """The triples of a CONSTRUCT or DESCRIBE answer; `more` is True when a limit cut it short."""

    more: bool = False


def first(items: Iterable[T], limit: int | None) -> tuple[list[T], bool]:
    """At most `limit` items (all with None), and whether more were left: never reads more than limit + 1."""
    if limit is None:
        return list(items), False
    taken = list(islice(items, limit + 1))
    return taken[:limit], len(taken) > limit


def capped_triples(items: Iterable[ox.Triple], limit: int | None) -> Triples:
    """`Triples` of at most `limit` of `items`."""
    taken, more = first(items, limit)
    triples = Triples(taken)
    triples.more = more
    return triples


class Backend(Protocol):
    """What the query layer needs from a store: read-only SPARQL 1.1 with bound parameters."""

    def select(self, query: str, bindings: Mapping[str, Term] | None = None, *,
               limit: int | None = None, timeout: float | None = None) -> Solutions:
        """Run a SELECT query; `bindings` maps variable names (without `?`) to RDF terms.

        With `limit`, at most that many rows (`more` tells if others exist); with
        `timeout`, a deadline in seconds (QueryTimeout when it passes).
        """

    def ask(self, query: str, bindings: Mapping[str, Term] | None = None, *,
            timeout: float | None = None) -> bool:
        """Run an ASK query."""

    def construct(self, query: str, bindings: Mapping[str, Term] | None = None, *,
                  limit: int | None = None, timeout: float | None = None) -> list[ox.Triple]:
        """Run a CONSTRUCT or DESCRIBE query (a `Triples` list when `limit` is given)."""


class BackendError(ServiceError):
    """The store could not be opened or the query could not be run; the message says why."""


def plain_value(term: Term | None) -> PlainValue:
    """An RDF term as a plain Python value: IRIs and strings as str, numbers, booleans, years as int."""
    kind = type(term)
    if kind is ox.NamedNode:
        return term.value  # type: ignore[union-attr]
    if kind is ox.Literal:
        value = term.value  # type: ignore[union-attr]
        convert = _CONVERTERS.get(term.datatype.value)  # type: ignore[union-attr]
        if convert is None:
            return value
        try:
            return convert(value)
        except ValueError:
            return value  # an ill-typed literal keeps its lexical form
    if term is None:
        return None
    if kind is ox.BlankNode:
        return "_:" + term.value  # type: ignore[union-attr]
    return str(term)  # RDF-star triples: their N-Triples form


class OxigraphBackend:
    """An in-memory pyoxigraph store with the KG (asserted + inferred), queried as the union of its graphs."""

    def __init__(self, store: ox.Store, cache_key: str | None = None) -> None:
        self.store = store
        # The dataset cache entry the store was loaded from: tables derived from it are cached under it.
        self.cache_key = cache_key

    @classmethod
    def load(cls, paths: list[Path] | None = None) -> "OxigraphBackend":
        """The shipped KG (or the files under `paths`), from the N-Quads cache when it is fresh."""
        return cls(*open_cached_dataset(paths))

    _FORMS = {ox.QuerySolutions: "SELECT", ox.QueryBoolean: "ASK", ox.QueryTriples: "CONSTRUCT"}

    def _run(self, query: str, bindings: Mapping[str, Term] | None) -> tuple[str, Any]:
        substitutions: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
            ox.Variable(name): term for name, term in (bindings or {}).items()}
        try:
            result = self.store.query(query, use_default_graph_as_union=True, substitutions=substitutions)
        except (OSError, RuntimeError) as error:
            raise BackendError(f"the query could not be run: {error}") from error
        return self._FORMS.get(type(result), ""), result

    def select(self, query: str, bindings: Mapping[str, Term] | None = None, *,
               limit: int | None = None, timeout: float | None = None) -> Solutions:
        def solutions(result) -> Solutions:
            names = [v.value for v in result.variables]
            # A solution iterates over its values in projection order: faster than a look-up by name.
            rows, more = first((dict(zip(names, solution)) for solution in result), limit)
            return Solutions(names, rows, more)

        return guarded_answer(lambda: self._run(query, bindings), "SELECT", solutions, timeout)

    def ask(self, query: str, bindings: Mapping[str, Term] | None = None, *,
            timeout: float | None = None) -> bool:
        return guarded_answer(lambda: self._run(query, bindings), "ASK", bool, timeout)

    def construct(self, query: str, bindings: Mapping[str, Term] | None = None, *,
                  limit: int | None = None, timeout: float | None = None) -> list[ox.Triple]:
        def triples(result) -> list[ox.Triple]:
            return capped_triples(result, limit) if limit is not None else list(result)

        return guarded_answer(lambda: self._run(query, bindings), "CONSTRUCT", triples, timeout)


def open_cached_store(paths: list[Path] | None = None) -> ox.Store:
    """The KG with its inferences in an in-memory store, loaded from the dataset cache when possible.

    The cache file `dataset-<fingerprint>-<code tag>.nq` holds exactly the quads of
    `loader.open_store(paths, inferred=True)`; the fingerprint hashes every
    source file and the tag the code and library versions, so any edit makes a
    new cache entry; a file that fails its checksum is rebuilt (`rdf.cache`).
    """
    return open_cached_dataset(paths)[0]


def open_cached_dataset(paths: list[Path] | None = None) -> tuple[ox.Store, str | None]:
    """`open_cached_store(paths)` and the key of its cache entry (None when the files have none).

    Tables derived from the loaded KG (the vocabulary, the question lexicon) are cached under the same key.
    """
    from llmrl_kg.rdf.cache import cache_dir, cached, code_tag

    try:
        fingerprint = dataset_fingerprint(paths)
    except OSError:
        fingerprint = None  # an unreadable file: open_store below reports it properly

    def build() -> ox.Store:
        from llmrl_kg.kg import loader  # parsing and reasoning: only on a cache miss

        # Once after an install or an edit of the data: say what the pause is for.
        print(f"llmrl-kg: building the KG cache in {cache_dir()} (once after an install or a data edit)",
              file=sys.stderr)
        return loader.open_store(paths, inferred=True)

    key = f"{fingerprint}-{code_tag()}" if fingerprint else None
    return cached(cache_dir() / f"dataset-{key}.nq" if key else None, build, _read_quads, _quads_bytes), key


# Files changed less than this long ago are read and hashed: their stat data may not show a second edit yet.
SETTLING_SECONDS = 2.0


def dataset_fingerprint(paths: list[Path] | None = None) -> str:
    """`loader.files_fingerprint(paths)`, remembered under a key of the files' sizes, inodes and times.

    Warm commands then examine the files (`rdf.cache.tree_stat_key`) rather than read and hash
    every one; the hash is computed again whenever any file, folder or the current folder changes.
    """
    import os
    import time

    from llmrl_kg import locations
    from llmrl_kg.rdf.cache import cache_dir, cached, tree_stat_key

    def read_and_hash() -> str:
        from llmrl_kg.kg import loader

        return loader.files_fingerprint(paths)

    roots = [locations.ontology_file(), *(paths or [locations.data_dir()])]
    # The fingerprint hashes display names, which are relative to the KG's root or the current folder.
    stats = tree_stat_key(roots, str(locations.kg_root().resolve()), os.getcwd(),
                          settled_before_ns=time.time_ns() - int(SETTLING_SECONDS * 1e9))
    if stats is None:
        return read_and_hash()
    return cached(cache_dir() / f"fingerprint-{stats}.txt", read_and_hash, _read_fingerprint, str)


def _read_fingerprint(path: Path) -> str:
    from llmrl_kg.rdf.cache import body

    text = body(path).decode("ascii", errors="replace")
    if len(text) != 24 or any(c not in "0123456789abcdef" for c in text):
        raise SyntaxError(f"{path}: not a fingerprint")
    return text


def _read_quads(path: Path) -> ox.Store:
    # Lenient: the file passed its checksum, so it is the N-Quads this code wrote from a valid store;
    # skipping the IRI and literal validation halves the load time.
    store = ox.Store()
    store.load(path=str(path), format=ox.RdfFormat.N_QUADS, lenient=True)
    return store


def _quads_bytes(store: ox.Store) -> bytes:
    return store.dump(format=ox.RdfFormat.N_QUADS) or b""


def default_backend() -> Backend:
    """The backend the CLI and `KnowledgeGraph()` use unless told otherwise: the shipped KG in memory."""
    return OxigraphBackend.load()


# --------------------------------------------------------------------------------------------------
# More backends behind the same seam: rdflib in memory, an on-disk Oxigraph store, a SPARQL endpoint.
# (rdflib and SPARQLWrapper are imported inside the methods: the query path must start fast.)


class RdflibBackend:
    """The KG with its inferences in an rdflib Graph, queried by rdflib's own SPARQL engine.

    The slowest backend (pure Python), kept for cross-checking the engines and for
    code that wants rdflib objects. The default graph is the union of every file's
    triples and the inferred ones.
    """

    def __init__(self, graph) -> None:
        self.graph = graph

    @classmethod
    def load(cls, paths: list[Path] | None = None) -> "RdflibBackend":
        """The shipped KG (or the files under `paths`): loaded by Oxigraph, copied into rdflib."""
        from llmrl_kg.rdf.terms import to_rdflib_graph

        return cls(to_rdflib_graph(open_cached_store(paths)))

    def _run(self, query: str, bindings: Mapping[str, Term] | None) -> tuple[str, Any]:
        from rdflib import Variable

        from llmrl_kg.rdf.terms import to_rdflib_term

        init = {Variable(name): to_rdflib_term(term) for name, term in (bindings or {}).items()}
        try:
            result = self.graph.query(query, initBindings=init)
        except Exception as error:  # noqa: BLE001 - rdflib raises pyparsing and plain Exceptions
            raise BackendError(f"the query could not be run by rdflib: {type(error).__name__}: {error}") from None
        return ("CONSTRUCT" if result.type == "DESCRIBE" else result.type), result

    def select(self, query: str, bindings: Mapping[str, Term] | None = None, *,
               limit: int | None = None, timeout: float | None = None) -> Solutions:
        from llmrl_kg.rdf.terms import to_ox_term

        def solutions(result) -> Solutions:
            names = [str(v) for v in result.vars]
            rows, more = first(({name: (to_ox_term(row[i]) if row[i] is not None else None)
                                 for i, name in enumerate(names)} for row in result), limit)
            return Solutions(names, rows, more)

        return guarded_answer(lambda: self._run(query, bindings), "SELECT", solutions, timeout)

    def ask(self, query: str, bindings: Mapping[str, Term] | None = None, *,
            timeout: float | None = None) -> bool:
        return guarded_answer(lambda: self._run(query, bindings), "ASK", lambda result: bool(result.askAnswer), timeout)

    def construct(self, query: str, bindings: Mapping[str, Term] | None = None, *,
                  limit: int | None = None, timeout: float | None = None) -> list[ox.Triple]:
        from llmrl_kg.rdf.terms import to_ox_triple

        def triples(result) -> list[ox.Triple]:
            converted = (to_ox_triple(s, p, o) for s, p, o in result)
            return capped_triples(converted, limit) if limit is not None else list(converted)

        return guarded_answer(lambda: self._run(query, bindings), "CONSTRUCT", triples, timeout)


class OxigraphStoreBackend(OxigraphBackend):
    """A persistent Oxigraph store on disk (built by `llmrl-kg load --into oxigraph:PATH`), read-only.

    Opening costs milliseconds whatever the size, and several processes may read
    the same store at once; queries are a few times slower than in memory.
    """

    opened: object = None  # the disk.ReadOnlyStore handle that keeps the version read locked

    @classmethod
    def open(cls, path: Path) -> "OxigraphStoreBackend":
        """Open the store at `path`; BackendError saying how to build it if there is none."""
        from llmrl_kg.store.disk import StoreError, open_read_only

        try:
            opened = open_read_only(path)
        except StoreError as error:
            raise BackendError(str(error)) from None
        backend = cls(opened.store)
        backend.opened = opened  # keeps the version it reads locked for as long as the backend lives
        return backend


class EndpointBackend:
    """A SPARQL 1.1 endpoint (Oxigraph server, Fuseki, GraphDB, Virtuoso, QLever) over HTTP.

    Results are requested as JSON (rdflib's XML results writer drops `false` and
    `0`). Parameters are sent as a `VALUES` row of validated RDF terms placed
    after the outermost `WHERE {`, never pasted as text. SPARQL protocol
    parameters in the URL are kept, e.g. `?default-graph-uri=IRI` to query one graph.
    """

    def __init__(self, url: str, *, timeout: float = 60.0, max_bytes: int | None = None) -> None:
        from llmrl_kg.rdf.urls import MAX_ANSWER_BYTES, is_http_url

        if not is_http_url(url):
            raise BackendError(f"--endpoint {url!r} is not an http(s) URL; give the server's SPARQL query "
                               "endpoint, e.g. http://127.0.0.1:7878/query")
        self.url = url
        self.timeout = timeout  # the total deadline of one request, connect to last byte
        self.max_bytes = MAX_ANSWER_BYTES if max_bytes is None else max_bytes

    def _request(self, query: str, bindings: Mapping[str, Term] | None, accept: str,
                 timeout: float | None = None) -> bytes:
        import urllib.error

        from SPARQLWrapper import POST, SPARQLWrapper

        from llmrl_kg.rdf.sparqltext import bind_as_values
        from llmrl_kg.rdf.urls import DeadlinePassed, RedirectRefused, TooLarge, bounded_request

        try:
            text = bind_as_values(query, dict(bindings or {}))
        except (TypeError, ValueError) as error:
            raise BackendError(f"the parameters cannot be sent to the endpoint: {error}") from None
        client = SPARQLWrapper(self.url)
        client.setMethod(POST)
        client.setQuery(text)
        client.setOnlyConneg(True)
        client.addCustomHttpHeader("Accept", accept)
        deadline = self.timeout if timeout is None else timeout
        try:
            _status, _headers, body = bounded_request(client._createRequest(), timeout=deadline,
                                                      max_bytes=self.max_bytes)
            return body
        except DeadlinePassed:
            from llmrl_kg.store.guard import QueryTimeout

            raise QueryTimeout(f"the endpoint {self.url} sent no complete answer within {deadline:g} s; "
                               "make the query more selective or raise --timeout") from None
        except TooLarge as error:
            raise BackendError(f"the endpoint {self.url} answered too much: {error}; add a LIMIT") from None
        except RedirectRefused as error:
            raise BackendError(f"the endpoint {self.url}: {error.reason}") from None
        except urllib.error.HTTPError as error:
            detail = _first_line(Exception(getattr(error, "detail", b"").decode("utf-8", "replace")))
            raise BackendError(f"the endpoint {self.url} answered HTTP {error.code} {error.reason}"
                               + (f": {detail}" if detail and detail != "Exception" else "")) from None
        except (urllib.error.URLError, OSError) as error:
            raise BackendError(f"cannot reach the endpoint {self.url}: {getattr(error, 'reason', error)} "
                               "(is the server running, and is the URL right?)") from None

    def _json(self, query: str, bindings: Mapping[str, Term] | None, timeout: float | None = None) -> dict:
        import json

        body = self._request(query, bindings, "application/sparql-results+json", timeout)
        try:
            document = json.loads(body)
        except ValueError:
            raise BackendError(f"the endpoint {self.url} did not answer with SPARQL JSON results") from None
        if not isinstance(document, dict):
            raise BackendError(f"the endpoint {self.url} did not answer with SPARQL JSON results")
        return document

    def select(self, query: str, bindings: Mapping[str, Term] | None = None, *,
               limit: int | None = None, timeout: float | None = None) -> Solutions:
        from llmrl_kg.rdf.results import ResultsError, read_select

        document = self._json(query, bindings, timeout)
        if "results" not in document:
            raise BackendError("expected a SELECT query")
        try:
            names, rows = read_select(document)
        except ResultsError as error:
            raise BackendError(f"the endpoint {self.url} answered SPARQL JSON of the wrong shape: {error}") from None
        kept, more = first(({name: row.get(name) for name in names} for row in rows), limit)
        return Solutions(names, kept, more)

    def ask(self, query: str, bindings: Mapping[str, Term] | None = None, *,
            timeout: float | None = None) -> bool:
        document = self._json(query, bindings, timeout)
        if "boolean" not in document:
            raise BackendError("expected an ASK query")
        return bool(document["boolean"])

    def construct(self, query: str, bindings: Mapping[str, Term] | None = None, *,
                  limit: int | None = None, timeout: float | None = None) -> list[ox.Triple]:
        body = self._request(query, bindings, "application/n-triples, text/turtle;q=0.9", timeout)
        try:
            triples = list(ox.parse(body, format=ox.RdfFormat.TURTLE))
        except SyntaxError as error:
            raise BackendError(f"the endpoint {self.url} answered with unreadable RDF: {error}") from None
        return capped_triples(triples, limit) if limit is not None else triples


def _first_line(error: Exception) -> str:
    lines = [line for line in str(error).splitlines() if line.strip()]
    return " ".join(lines[:3])[:400] if lines else type(error).__name__
