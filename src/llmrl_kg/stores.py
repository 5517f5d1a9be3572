"""Stores of the KG beyond the in-memory default: an Oxigraph store on disk, and SPARQL servers.

* `build_store(path)` bulk-loads the KG into a persistent Oxigraph (RocksDB)
  store: one named graph per source file, as in memory, plus the inferred
  triples in `urn:llmrl-kg:inferred`. It is built in a sibling folder and
  swapped in only when complete, so a reader never sees half a store.
* `open_read_only(path)` opens such a store for queries.
* `push(url, ...)` sends the KG (asserted and inferred triples) to a SPARQL
  server, through the SPARQL 1.1 Graph Store protocol (one request) or SPARQL 1.1
  Update (one request, or batches with a report of what was written).

Inference here uses `materialise` (the ontology closed by owlrl once, its rules
applied to the data with SPARQL Update), which gives the same triples as
owlrl on the whole graph but stays linear in the size of the data.
"""

from __future__ import annotations

import gc
import json
import os
import shutil
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from . import __version__, materialise, resources
from .dataset import INFERRED_GRAPH
from .sources import FILE_GRAPH_PREFIX, MAX_FILE_BYTES, parse_file

MARKER = "llmrl-kg-store.json"
# Where the path of a Graph Store protocol endpoint ends, per server (Oxigraph, Fuseki, Virtuoso, RDF4J).
GRAPH_STORE_ENDINGS = ("/store", "/data", "/sparql-graph-crud", "/sparql-graph-crud-auth", "/rdf-graphs/service")


class StoreError(Exception):
    """A store could not be built, opened or reached; the message says why and how to fix it.

    `exit_code` is 2 for usage and file-system problems, 1 when a server refused the data.
    """

    def __init__(self, message: str, exit_code: int = 2):
        super().__init__(message)
        self.exit_code = exit_code


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
    Raises `dataset.LoadError` naming the file and line of the first broken file.
    """
    from .dataset import LoadError
    import hashlib

    started = time.perf_counter()
    summary = LoadSummary()
    digest = hashlib.sha256(__version__.encode())
    ontology_triples: list[ox.Triple] = []
    ontology_text = ""
    for path, display in kg_files(paths):
        try:
            raw = path.read_bytes()
        except OSError as error:
            raise LoadError(f"{display}: error unreadable-file — cannot read the file: "
                            f"{error.strerror or error} (check the path and its permissions)") from None
        graph = ox.NamedNode(FILE_GRAPH_PREFIX + display.replace(" ", "%20"))
        try:
            if len(raw) > MAX_FILE_BYTES or raw.startswith(b"\xef\xbb\xbf"):
                raise SyntaxError("rejected before parsing")
            store.load(raw, format=ox.RdfFormat.TURTLE, base_iri=path.as_uri(), to_graph=graph)
        except SyntaxError:
            _source, problems = parse_file(path)  # re-parse the one broken file for a precise finding
            message = problems[0].format() if problems else f"{display}: error turtle-syntax"
            raise LoadError(message + "\nRun `llmrl-kg validate` for every finding.") from None
        if summary.files == 0:  # the ontology comes first
            ontology_triples = [q.triple for q in store.quads_for_pattern(None, None, None, graph)]
            ontology_text = raw.decode("utf-8", errors="replace")
        digest.update(display.encode() + b"\0" + _as_utf8(raw) + b"\0")
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
    """(resolved path, display name) of the ontology and data files, as `dataset.source_paths` lists them.

    Same files, order and names as `source_paths` + `sources.display_name`, but each
    folder is resolved once rather than every file (`Path.resolve` costs about
    40 µs a file, a second for the 23k files of a 1M-triple KG).
    """
    roots = [resources.ontology_file(), *(paths or [resources.data_dir()])]
    bases = [resources.kg_root().resolve(), Path.cwd().resolve()]
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
    """The bytes `raw.decode("utf-8", "replace").encode()` gives (what the dataset fingerprint hashes)."""
    try:
        raw.decode("utf-8")
        return raw
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="replace").encode("utf-8")


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
    building = parent / f".{path.name}.building-{os.getpid()}"
    quads_file = parent / f".{path.name}.quads-{os.getpid()}.nq"
    shutil.rmtree(building, ignore_errors=True)
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


def _swap_in(built: Path, path: Path) -> None:
    """Move the finished store to `path`, replacing the old one (a reader keeps its open files)."""
    if not path.exists():
        built.rename(path)
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


# ---------------------------------------------------------------------------------------------
# Pushing the KG to a SPARQL server


@dataclass
class PushReport:
    """What `push` sent: where, how, and how much."""

    url: str
    protocol: str
    graph: str | None
    replaced: bool
    triples: int = 0
    requests: int = 0
    seconds: float = 0.0

    def describe(self) -> str:
        """One line for the user."""
        target = f"graph <{self.graph}>" if self.graph else "the default graph"
        how = "replacing it" if self.replaced else "adding to what it held"
        return (f"Loaded {self.triples} triples into {target} at {self.url} ({how}; "
                f"{self.protocol}, {self.requests} request{'s' if self.requests != 1 else ''}, "
                f"{self.seconds:.1f} s).")


def check_endpoint_url(url: str) -> str:
    """Return `url` if it is an absolute http(s) URL, else raise StoreError."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise StoreError(f"{url!r} is not an http(s) URL; give the server's endpoint, "
                         "e.g. http://127.0.0.1:7878/update")
    return url


def check_graph_iri(iri: str) -> str:
    """Return `iri` if it is an absolute IRI, else raise StoreError."""
    try:
        ox.NamedNode(iri)
    except ValueError as error:
        raise StoreError(f"--graph {iri!r} is not an absolute IRI ({error}); "
                         "give one such as https://w3id.org/llmrl-kg/graph") from None
    if ":" not in iri:
        raise StoreError(f"--graph {iri!r} is not an absolute IRI; give one such as https://w3id.org/llmrl-kg/graph")
    return iri


def choose_protocol(url: str, protocol: str = "auto") -> tuple[str, str]:
    """(protocol, URL to send to): `graph-store` for Graph Store endpoints, else `update`.

    With `auto`, a URL whose path ends in /store, /data, /sparql-graph-crud or
    /rdf-graphs/service is a Graph Store endpoint; a query URL ending in /query
    (Oxigraph, Fuseki) is sent to its sibling /update.
    """
    path = urllib.parse.urlsplit(url).path.rstrip("/")
    if protocol == "auto":
        protocol = "graph-store" if path.endswith(GRAPH_STORE_ENDINGS) else "update"
    if protocol == "update" and path.endswith("/query"):
        parts = urllib.parse.urlsplit(url)
        url = urllib.parse.urlunsplit(parts._replace(path=path[: -len("/query")] + "/update"))
    return protocol, url


def kg_triples(paths: list[Path] | None = None) -> list[ox.Triple]:
    """The KG's distinct triples, asserted and inferred, in a stable order."""
    store = ox.Store()
    load_files(store, paths)
    return sorted({quad.triple for quad in store}, key=str)


def push(url: str, *, graph: str | None = None, replace: bool = False, protocol: str = "auto",
         batch_size: int = 0, paths: list[Path] | None = None, timeout: float = 300.0,
         triples: list[ox.Triple] | None = None) -> PushReport:
    """Send the KG to the SPARQL server at `url`; raise StoreError saying what was written on failure."""
    check_endpoint_url(url)
    if graph is not None:
        check_graph_iri(graph)
    protocol, target = choose_protocol(url, protocol)
    if triples is None:
        triples = kg_triples(paths)
    report = PushReport(target, "SPARQL 1.1 Graph Store protocol" if protocol == "graph-store"
                        else "SPARQL 1.1 Update", graph, replace)
    started = time.perf_counter()
    if protocol == "graph-store":
        _send(target, "PUT" if replace else "POST", _graph_store_query(graph),
              ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), "text/turtle", timeout, report, 0)
        report.requests, report.triples = 1, len(triples)
    else:
        batches = update_batches(triples, batch_size)
        for number, batch in enumerate(batches, 1):
            body = update_text(batch, graph, replace=replace and number == 1)
            _send(target, "POST", "", body.encode("utf-8"), "application/sparql-update", timeout, report,
                  len(batches))
            report.requests, report.triples = number, report.triples + len(batch)
    report.seconds = time.perf_counter() - started
    return report


def _graph_store_query(graph: str | None) -> str:
    return urllib.parse.urlencode({"graph": graph}) if graph else "default"


def update_batches(triples: list[ox.Triple], batch_size: int = 0) -> list[list[ox.Triple]]:
    """Split triples into requests of at most `batch_size` (0: one request).

    Triples with blank nodes all go into the first request, since a blank node's
    label means the same node only within one request.
    """
    if batch_size <= 0 or len(triples) <= batch_size:
        return [list(triples)] if triples else []
    with_blanks = [t for t in triples if isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)]
    plain = [t for t in triples if not (isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode))]
    batches = [with_blanks] if with_blanks else []
    batches += [plain[i:i + batch_size] for i in range(0, len(plain), batch_size)]
    return batches


def update_text(triples: list[ox.Triple], graph: str | None, *, replace: bool) -> str:
    """A SPARQL Update adding `triples` to `graph` (or the default graph), optionally dropping it first.

    `INSERT { } WHERE { }` rather than `INSERT DATA`: both add the same triples, but
    Virtuoso rejects blank nodes in `INSERT DATA`. Terms are written in N-Triples
    syntax, which is valid SPARQL.
    """
    lines = "\n".join(f"{t.subject} {t.predicate} {t.object} ." for t in triples)
    drop = (f"DROP SILENT GRAPH <{graph}> ;\n" if graph else "DROP SILENT DEFAULT ;\n") if replace else ""
    body = f"GRAPH <{graph}> {{\n{lines}\n}}" if graph else lines
    return f"{drop}INSERT {{\n{body}\n}} WHERE {{ }}\n"


def _send(url: str, method: str, query: str, body: bytes, content_type: str, timeout: float,
          report: PushReport, total: int) -> None:
    full = f"{url}{'&' if '?' in url else '?'}{query}" if query else url
    request = urllib.request.Request(full, data=body, method=method,
                                     headers={"Content-Type": content_type, "Accept": "*/*"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
    except urllib.error.HTTPError as error:
        detail = error.read().decode("utf-8", errors="replace").strip().splitlines()
        raise StoreError(_failure(report, total, f"the server answered HTTP {error.code} {error.reason}: "
                                  f"{detail[0][:300] if detail else ''}") + _hint(error.code), 1) from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise StoreError(_failure(report, total, f"could not reach {url}: {reason}")
                         + " Is the server running, and is the URL right?", 1) from None


def _failure(report: PushReport, total: int, what: str) -> str:
    done = report.requests
    if done == 0:
        return f"Nothing was written: {what}."
    target = f"graph <{report.graph}>" if report.graph else "the default graph"
    return (f"Request {done + 1} of {total} failed: {what}. Requests 1-{done} were written "
            f"({report.triples} triples into {target}); it now holds a partial copy of the KG: "
            "fix the problem and run the command again with --replace.")


def _hint(status: int) -> str:
    if status in (401, 403):
        return (" The server needs write permission for anonymous SPARQL Update (Virtuoso: "
                "GRANT SPARQL_UPDATE TO \"SPARQL\"), or load through its own tools.")
    if status in (400, 413, 500):
        return (" If the request is too large for this server (Virtuoso limits one update to about "
                "1000 triples), use --batch-size 1000, or its Graph Store endpoint "
                "(e.g. http://HOST:8890/sparql-graph-crud).")
    return ""
