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

from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Protocol, Union

import pyoxigraph as ox

Term = Union[ox.NamedNode, ox.Literal, ox.BlankNode]
PlainValue = Union[str, int, float, bool, None]

XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGER_TYPES = {XSD + t for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger",
                                    "positiveInteger", "negativeInteger", "nonPositiveInteger",
                                    "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte")}
_FLOAT_TYPES = {XSD + t for t in ("decimal", "double", "float")}


@dataclass
class Solutions:
    """The answer of a SELECT query: variable names in projection order, and one dict per row."""

    variables: list[str]
    rows: list[dict[str, Term | None]] = field(default_factory=list)


class Backend(Protocol):
    """What the query layer needs from a store: read-only SPARQL 1.1 with bound parameters."""

    def select(self, query: str, bindings: Mapping[str, Term] | None = None) -> Solutions:
        """Run a SELECT query; `bindings` maps variable names (without `?`) to RDF terms."""

    def ask(self, query: str, bindings: Mapping[str, Term] | None = None) -> bool:
        """Run an ASK query."""

    def construct(self, query: str, bindings: Mapping[str, Term] | None = None) -> list[ox.Triple]:
        """Run a CONSTRUCT or DESCRIBE query."""


class BackendError(Exception):
    """The store could not be opened or the query could not be run; the message says why."""


def plain_value(term: Term | None) -> PlainValue:
    """An RDF term as a plain Python value: IRIs and strings as str, numbers, booleans, years as int."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        try:
            if datatype in _INTEGER_TYPES or datatype == XSD + "gYear":
                return int(term.value)
            if datatype in _FLOAT_TYPES:
                return float(term.value)
        except ValueError:
            return term.value  # an ill-typed literal keeps its lexical form
        if datatype == XSD + "boolean":
            return term.value in ("true", "1")
        return term.value
    return str(term)  # RDF-star triples: their N-Triples form


class OxigraphBackend:
    """An in-memory pyoxigraph store with the KG (asserted + inferred), queried as the union of its graphs."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store

    @classmethod
    def load(cls, paths: list[Path] | None = None) -> "OxigraphBackend":
        """The shipped KG (or the files under `paths`), from the N-Quads cache when it is fresh."""
        return cls(open_cached_store(paths))

    def _run(self, query: str, bindings: Mapping[str, Term] | None):
        substitutions = {ox.Variable(name): term for name, term in (bindings or {}).items()}
        try:
            return self.store.query(query, use_default_graph_as_union=True, substitutions=substitutions)
        except (OSError, RuntimeError) as error:
            raise BackendError(f"the query could not be run: {error}") from error

    def select(self, query: str, bindings: Mapping[str, Term] | None = None) -> Solutions:
        result = self._run(query, bindings)
        if not isinstance(result, ox.QuerySolutions):
            raise BackendError("expected a SELECT query")
        names = [v.value for v in result.variables]
        rows = [{name: solution[name] for name in names} for solution in result]
        return Solutions(names, rows)

    def ask(self, query: str, bindings: Mapping[str, Term] | None = None) -> bool:
        result = self._run(query, bindings)
        if not isinstance(result, ox.QueryBoolean):
            raise BackendError("expected an ASK query")
        return bool(result)

    def construct(self, query: str, bindings: Mapping[str, Term] | None = None) -> list[ox.Triple]:
        result = self._run(query, bindings)
        if not isinstance(result, ox.QueryTriples):
            raise BackendError("expected a CONSTRUCT or DESCRIBE query")
        return list(result)


def open_cached_store(paths: list[Path] | None = None) -> ox.Store:
    """The KG with its inferences in an in-memory store, loaded from the dataset cache when possible.

    The cache file `dataset-<fingerprint>.nq` holds exactly the quads of
    `dataset.open_store(paths, inferred=True)`; the fingerprint hashes every
    source file, so any edit makes a new cache entry.
    """
    from . import dataset
    from .atomic import write_atomically

    try:
        key = dataset.files_fingerprint(paths)
    except OSError:
        key = None  # an unreadable file: open_store below reports it properly
    cache_file = dataset.cache_dir() / f"dataset-{key}.nq" if key else None
    if cache_file is not None and cache_file.is_file():
        store = ox.Store()
        try:
            store.load(path=str(cache_file), format=ox.RdfFormat.N_QUADS)
            return store
        except (SyntaxError, OSError):
            pass  # a damaged cache is rebuilt below
    store = dataset.open_store(paths, inferred=True)
    if cache_file is not None:
        try:
            write_atomically(cache_file, store.dump(format=ox.RdfFormat.N_QUADS))
        except OSError:
            pass  # a read-only cache folder only costs speed
    return store


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
        from .bridge import to_rdflib_graph

        return cls(to_rdflib_graph(open_cached_store(paths)))

    def _run(self, query: str, bindings: Mapping[str, Term] | None):
        from rdflib import Variable

        from .bridge import to_rdflib_term

        init = {Variable(name): to_rdflib_term(term) for name, term in (bindings or {}).items()}
        try:
            return self.graph.query(query, initBindings=init)
        except Exception as error:  # noqa: BLE001 - rdflib raises pyparsing and plain Exceptions
            raise BackendError(f"the query could not be run by rdflib: {type(error).__name__}: {error}") from None

    def select(self, query: str, bindings: Mapping[str, Term] | None = None) -> Solutions:
        from .bridge import to_ox_term

        result = self._run(query, bindings)
        if result.type != "SELECT":
            raise BackendError("expected a SELECT query")
        names = [str(v) for v in result.vars]
        rows = [{name: (to_ox_term(row[i]) if row[i] is not None else None) for i, name in enumerate(names)}
                for row in result]
        return Solutions(names, rows)

    def ask(self, query: str, bindings: Mapping[str, Term] | None = None) -> bool:
        result = self._run(query, bindings)
        if result.type != "ASK":
            raise BackendError("expected an ASK query")
        return bool(result.askAnswer)

    def construct(self, query: str, bindings: Mapping[str, Term] | None = None) -> list[ox.Triple]:
        from .bridge import to_ox_term

        result = self._run(query, bindings)
        if result.type not in ("CONSTRUCT", "DESCRIBE"):
            raise BackendError("expected a CONSTRUCT or DESCRIBE query")
        return [ox.Triple(to_ox_term(s), to_ox_term(p), to_ox_term(o)) for s, p, o in result]


class OxigraphStoreBackend(OxigraphBackend):
    """A persistent Oxigraph store on disk (built by `llmrl-kg load --into oxigraph:PATH`), read-only.

    Opening costs milliseconds whatever the size, and several processes may read
    the same store at once; queries are a few times slower than in memory.
    """

    @classmethod
    def open(cls, path: Path) -> "OxigraphStoreBackend":
        """Open the store at `path`; BackendError saying how to build it if there is none."""
        from .stores import StoreError, open_read_only

        try:
            return cls(open_read_only(path))
        except StoreError as error:
            raise BackendError(str(error)) from None


class EndpointBackend:
    """A SPARQL 1.1 endpoint (Oxigraph server, Fuseki, GraphDB, Virtuoso, QLever) over HTTP.

    Results are requested as JSON (rdflib's XML results writer drops `false` and
    `0`). Parameters are sent as a `VALUES` row of validated RDF terms placed
    after the outermost `WHERE {`, never pasted as text. SPARQL protocol
    parameters in the URL are kept, e.g. `?default-graph-uri=IRI` to query one graph.
    """

    def __init__(self, url: str, *, timeout: float = 60.0) -> None:
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise BackendError(f"--endpoint {url!r} is not an http(s) URL; give the server's SPARQL query "
                               "endpoint, e.g. http://127.0.0.1:7878/query")
        self.url = url
        self.timeout = timeout

    def _request(self, query: str, bindings: Mapping[str, Term] | None, accept: str):
        import urllib.error

        from SPARQLWrapper import POST, SPARQLWrapper
        from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

        from .sparqltext import bind_as_values

        try:
            text = bind_as_values(query, dict(bindings or {}))
        except (TypeError, ValueError) as error:
            raise BackendError(f"the parameters cannot be sent to the endpoint: {error}") from None
        client = SPARQLWrapper(self.url)
        client.setMethod(POST)
        client.setTimeout(int(self.timeout))
        client.setQuery(text)
        client.setOnlyConneg(True)
        client.addCustomHttpHeader("Accept", accept)
        try:
            return client.query().response.read()
        except SPARQLWrapperException as error:
            raise BackendError(f"the endpoint {self.url} refused the query: {_first_line(error)}") from None
        except urllib.error.HTTPError as error:
            raise BackendError(f"the endpoint {self.url} answered HTTP {error.code} {error.reason}") from None
        except (urllib.error.URLError, OSError) as error:
            raise BackendError(f"cannot reach the endpoint {self.url}: {getattr(error, 'reason', error)} "
                               "(is the server running, and is the URL right?)") from None

    def _json(self, query: str, bindings: Mapping[str, Term] | None) -> dict:
        import json

        body = self._request(query, bindings, "application/sparql-results+json")
        try:
            return json.loads(body)
        except ValueError:
            raise BackendError(f"the endpoint {self.url} did not answer with SPARQL JSON results") from None

    def select(self, query: str, bindings: Mapping[str, Term] | None = None) -> Solutions:
        document = self._json(query, bindings)
        if "results" not in document:
            raise BackendError("expected a SELECT query")
        names = list(document.get("head", {}).get("vars", []))
        rows = [{name: json_term(binding[name]) if name in binding else None for name in names}
                for binding in document["results"].get("bindings", [])]
        return Solutions(names, rows)

    def ask(self, query: str, bindings: Mapping[str, Term] | None = None) -> bool:
        document = self._json(query, bindings)
        if "boolean" not in document:
            raise BackendError("expected an ASK query")
        return bool(document["boolean"])

    def construct(self, query: str, bindings: Mapping[str, Term] | None = None) -> list[ox.Triple]:
        body = self._request(query, bindings, "application/n-triples, text/turtle;q=0.9")
        try:
            return list(ox.parse(body, format=ox.RdfFormat.TURTLE))
        except SyntaxError as error:
            raise BackendError(f"the endpoint {self.url} answered with unreadable RDF: {error}") from None


def json_term(value: dict) -> Term:
    """A term of the SPARQL 1.1 JSON results format (and Virtuoso's `typed-literal`) as a pyoxigraph term."""
    kind = value.get("type")
    text = value.get("value", "")
    if kind == "uri":
        return ox.NamedNode(text)
    if kind == "bnode":
        return ox.BlankNode(text)
    if kind in ("literal", "typed-literal"):
        if value.get("xml:lang"):
            return ox.Literal(text, language=value["xml:lang"])
        if value.get("datatype"):
            return ox.Literal(text, datatype=ox.NamedNode(value["datatype"]))
        return ox.Literal(text)
    raise BackendError(f"the endpoint returned a term of unknown type {kind!r}")


def _first_line(error: Exception) -> str:
    lines = [line for line in str(error).splitlines() if line.strip()]
    return " ".join(lines[:3])[:400] if lines else type(error).__name__
