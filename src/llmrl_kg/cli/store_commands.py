"""`llmrl-kg load` (build a persistent store, or push to a SPARQL server) and `llmrl-kg serve`."""

from __future__ import annotations

from pathlib import Path

import click

from llmrl_kg.cli.common import fail as _fail

STORE_PREFIX = "oxigraph:"


@click.command(epilog="""\b
Examples:
  llmrl-kg load --into oxigraph:kg-store
  llmrl-kg load --endpoint http://127.0.0.1:7878/store --graph https://w3id.org/llmrl-kg/graph --replace
  llmrl-kg load --endpoint http://127.0.0.1:8890/sparql-graph-crud --graph https://w3id.org/llmrl-kg/graph
  llmrl-kg load --endpoint http://127.0.0.1:8890/sparql --graph https://w3id.org/llmrl-kg/graph --batch-size 1000
""")
@click.option("--into", metavar="oxigraph:PATH",
              help="Build (or rebuild) a persistent Oxigraph store in the folder PATH.")
@click.option("--endpoint", metavar="URL",
              help="Push the KG to this SPARQL server: a Graph Store protocol URL (…/store, …/data, "
                   "…/sparql-graph-crud) or a SPARQL Update URL (a …/query URL is sent to …/update).")
@click.option("--graph", metavar="IRI", help="With --endpoint: the named graph to write (default: the default graph).")
@click.option("--replace", is_flag=True, help="With --endpoint: replace the graph's content instead of adding to it.")
@click.option("--protocol", type=click.Choice(["auto", "graph-store", "update"]), default="auto",
              show_default=True, help="With --endpoint: how to send the triples (auto: from the URL).")
@click.option("--batch-size", type=click.IntRange(min=0), default=0, show_default=True,
              help="With SPARQL Update: triples per request (0: all in one request, one transaction).")
@click.option("--timeout", type=click.FloatRange(min=1), default=300, show_default=True,
              help="With --endpoint: seconds to wait for each request.")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def load(into, endpoint, graph, replace, protocol, batch_size, timeout, paths):
    """Load the KG (or the Turtle files and folders PATHS) into a store or a SPARQL server.

    The ontology always comes along, and the inferred triples are added: in an
    Oxigraph store in the named graph urn:llmrl-kg:inferred (each file keeps its
    own named graph), on a server into the one target graph.
    """
    from llmrl_kg.store.disk import build_store
    from llmrl_kg.store.push import push

    if bool(into) == bool(endpoint):
        _fail("give exactly one of --into oxigraph:PATH or --endpoint URL (see llmrl-kg load --help)", 2)
    if into and (graph or replace or protocol != "auto" or batch_size):
        _fail("--graph, --replace, --protocol and --batch-size apply to --endpoint only", 2)
    for path in paths:
        if not path.exists():
            _fail(f"{path}: no such file or folder", 2)
    if into:
        target = _store_folder(into)
        summary = build_store(target, list(paths) or None)
        click.echo(f"Built the Oxigraph store {target}: {summary.asserted} asserted triples in "
                   f"{summary.files} file graphs and {summary.inferred} inferred triples in "
                   f"<urn:llmrl-kg:inferred> ({summary.seconds:.1f} s).")
        click.echo(f"Query it with --store oxigraph:{target}, or serve it with "
                   f"`llmrl-kg serve --store {target}`.")
    else:
        report = push(endpoint, graph=graph, replace=replace, protocol=protocol, batch_size=batch_size,
                      paths=list(paths) or None, timeout=timeout)
        click.echo(report.describe())


def _store_folder(into: str) -> Path:
    """The PATH of `--into oxigraph:PATH`, read as `--store` reads it; exit 2 for any other value."""
    from llmrl_kg.store.factory import parse_store

    try:
        kind, path = parse_store(into)
    except ValueError:
        kind, path = "", None
    if kind != "oxigraph" or path is None:
        _fail(f"--into {into!r}: write oxigraph:PATH, e.g. --into oxigraph:kg-store", 2)
    return path


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; the default is loopback only (0.0.0.0: every interface).")
@click.option("--port", type=click.IntRange(1, 65535), default=7878, show_default=True, help="TCP port.")
@click.option("--store", "store", metavar="PATH",
              help="Serve this store (built by `llmrl-kg load --into oxigraph:PATH`) instead of "
                   "loading the KG into a temporary one.")
@click.option("--timeout-s", "timeout_s", type=click.IntRange(min=0), default=30, show_default=True,
              help="Seconds a query may run on the server (0: no limit).")
@click.option("--cors", is_flag=True, help="Allow cross-origin GET and POST requests (for web pages).")
@click.option("--allow-service", is_flag=True,
              help="Let queries call other endpoints with SERVICE (refused by default).")
def serve(host, port, store, timeout_s, cors, allow_service):
    """Serve the KG over SPARQL with Oxigraph's server (read-only) until Ctrl-C.

    Prints the query URL (http://HOST:PORT/query). The default graph is the
    union of all graphs, inferred triples included, so saved queries run as is.
    """
    from llmrl_kg.store.server import serve as run_server

    store_path = Path(store[len(STORE_PREFIX):] if store and store.startswith(STORE_PREFIX) else store) \
        if store else None
    run_server(host, port, store_path, echo=lambda line: click.echo(line), timeout_s=timeout_s or None,
               cors=cors, allow_service=allow_service)

