"""Sending the KG to a SPARQL server: one Graph Store protocol request, or SPARQL Update requests.

`push(url, ...)` sends the KG (asserted and inferred triples) through the SPARQL
1.1 Graph Store protocol (one request) or SPARQL 1.1 Update (one request, or
batches with a report of what was written when a request fails).
"""

from __future__ import annotations

import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from llmrl_kg.kg.loader import load_files
from llmrl_kg.rdf.oxtypes import ntriples_bytes
from llmrl_kg.rdf.urls import MAX_ANSWER_BYTES, DeadlinePassed, RedirectRefused, TooLarge, bounded_request, is_http_url
from llmrl_kg.store.disk import StoreError

# Where the path of a Graph Store protocol endpoint ends, per server (Oxigraph, Fuseki, Virtuoso, RDF4J).
GRAPH_STORE_ENDINGS = ("/store", "/data", "/sparql-graph-crud", "/sparql-graph-crud-auth", "/rdf-graphs/service")


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
        """What was sent, and the URL that queries it (a named graph is not in a server's default graph)."""
        target = f"graph <{self.graph}>" if self.graph else "the default graph"
        how = "replacing it" if self.replaced else "adding to what it held"
        line = (f"Loaded {self.triples} triples into {target} at {self.url} ({how}; "
                f"{self.protocol}, {self.requests} request{'s' if self.requests != 1 else ''}, "
                f"{self.seconds:.1f} s).")
        return line + f"\nQuery it at {query_endpoint(self.url, self.graph)}"


# The query endpoint beside a write endpoint, per server: Oxigraph /store and /update, Fuseki /data
# and /update → /query; Virtuoso /sparql-graph-crud(-auth) → /sparql; RDF4J's graph store → its repository.
_QUERY_SIBLINGS = (("/sparql-graph-crud-auth", "/sparql"), ("/sparql-graph-crud", "/sparql"),
                   ("/rdf-graphs/service", ""), ("/store", "/query"), ("/data", "/query"),
                   ("/update", "/query"))


def query_endpoint(url: str, graph: str | None = None) -> str:
    """The URL that queries what `push` wrote to `url`: the sibling query endpoint, with
    `default-graph-uri=GRAPH` when a named graph was written."""
    parts = urllib.parse.urlsplit(url)
    path = parts.path.rstrip("/")
    for ending, sibling in _QUERY_SIBLINGS:
        if path.endswith(ending):
            path = path[: -len(ending)] + sibling
            break
    query = urllib.parse.urlencode({"default-graph-uri": graph}) if graph else ""
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, query, ""))


def check_endpoint_url(url: str) -> str:
    """Return `url` if it is an absolute http(s) URL, else raise StoreError."""
    if not is_http_url(url):
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
              ntriples_bytes(triples), "text/turtle", timeout, report, 0)
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
    """One request, within `timeout` seconds in total (connect to last byte), its answer capped in size."""
    full = f"{url}{'&' if '?' in url else '?'}{query}" if query else url
    request = urllib.request.Request(full, data=body, method=method,
                                     headers={"Content-Type": content_type, "Accept": "*/*"})
    try:
        bounded_request(request, timeout=timeout, max_bytes=MAX_ANSWER_BYTES)
    except urllib.error.HTTPError as error:
        text = getattr(error, "detail", b"").decode("utf-8", errors="replace")
        detail = text.strip().splitlines()
        raise StoreError(_failure(report, total, f"the server answered HTTP {error.code} {error.reason}: "
                                  f"{detail[0][:300] if detail else ''}") + _hint(error.code, text), 1) from None
    except DeadlinePassed:
        raise StoreError(_failure(report, total, f"{url} sent no complete answer within {timeout:g} s")
                         + " Raise --timeout, or use --batch-size for smaller requests.", 1) from None
    except (TooLarge, RedirectRefused) as error:
        raise StoreError(_failure(report, total, f"{url}: {getattr(error, 'reason', error)}"), 1) from None
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


def _hint(status: int, text: str = "") -> str:
    if status in (401, 403) or "SR186" in text or "No permission" in text:
        return (" The server needs write permission for anonymous SPARQL Update (Virtuoso: "
                "GRANT SPARQL_UPDATE TO \"SPARQL\"), or load through its own tools.")
    if status in (400, 413, 500):
        return (" If the request is too large for this server (Virtuoso limits one update to about "
                "1000 triples), use --batch-size 1000, or its Graph Store endpoint "
                "(e.g. http://HOST:8890/sparql-graph-crud).")
    return ""
