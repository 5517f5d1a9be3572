"""The options that choose where a command's queries run, shared by every command that reads the KG.

    --store memory           rdflib in memory (pure Python; slowest, for cross-checks)
    --store oxigraph         Oxigraph in memory, loaded from the cache (the default)
    --store oxigraph:PATH    a persistent Oxigraph store built by `llmrl-kg load --into oxigraph:PATH`
    --endpoint URL           any SPARQL 1.1 query endpoint (Oxigraph server, Fuseki, Virtuoso, ...)

`LLMRL_KG_STORE` and `LLMRL_KG_ENDPOINT` set them for every command. Usage:

    @click.command()
    @store_options
    def query(name, backend): ...   # `backend` is opened on first use

The backend is opened lazily, so a command that fails on its arguments first
never pays for loading the graph, and opening errors surface as
`BackendError` inside the command's own error handling.
"""

from __future__ import annotations

import functools
from pathlib import Path

import click

STORE_KINDS = ("memory", "oxigraph")
DEFAULT_STORE = "oxigraph"


def parse_store(value: str | None) -> tuple[str, Path | None]:
    """`memory` | `oxigraph` | `oxigraph:PATH` as (kind, path); ValueError with the accepted forms."""
    value = (value or DEFAULT_STORE).strip()
    kind, _, path = value.partition(":")
    if kind not in STORE_KINDS or (kind == "memory" and path) or (value.endswith(":") and not path):
        raise ValueError(f"{value!r} is not a store; write memory, oxigraph or oxigraph:PATH")
    return kind, Path(path) if path else None


def open_backend(store: str | None = None, endpoint: str | None = None, paths: list[Path] | None = None):
    """The backend for these option values (the in-memory Oxigraph store when both are None)."""
    from ..backends import EndpointBackend, OxigraphBackend, OxigraphStoreBackend, RdflibBackend

    if endpoint:
        return EndpointBackend(endpoint)
    kind, path = parse_store(store)
    if kind == "memory":
        return RdflibBackend.load(paths)
    if path is not None:
        return OxigraphStoreBackend.open(path)
    return OxigraphBackend.load(paths)


class LazyBackend:
    """A backend opened on its first query (same `select`/`ask`/`construct` as the real one)."""

    def __init__(self, store: str | None, endpoint: str | None) -> None:
        self.store = store
        self.endpoint = endpoint
        self._backend = None

    @property
    def backend(self):
        """The real backend, opened now if it was not yet."""
        if self._backend is None:
            self._backend = open_backend(self.store, self.endpoint)
        return self._backend

    def select(self, query, bindings=None):
        return self.backend.select(query, bindings)

    def ask(self, query, bindings=None):
        return self.backend.ask(query, bindings)

    def construct(self, query, bindings=None):
        return self.backend.construct(query, bindings)


def _check_store(_ctx, _param, value):
    if value is None:
        return None
    try:
        parse_store(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None
    return value


def _check_endpoint(_ctx, _param, value):
    if value is None:
        return None
    from urllib.parse import urlsplit

    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise click.BadParameter(f"{value!r} is not an http(s) URL, e.g. http://127.0.0.1:7878/query")
    return value


def store_options(command):
    """Add `--store` and `--endpoint` to a click command and pass it `backend=` (a LazyBackend)."""

    @functools.wraps(command)
    def wrapper(*args, store=None, endpoint=None, **kwargs):
        if store and endpoint:
            raise click.UsageError("--store and --endpoint exclude each other; give one")
        return command(*args, backend=LazyBackend(store, endpoint), **kwargs)

    wrapper = click.option(
        "--endpoint", metavar="URL", envvar="LLMRL_KG_ENDPOINT", callback=_check_endpoint,
        help="Query this SPARQL 1.1 endpoint instead of a local store "
             "(add ?default-graph-uri=IRI to query one graph).")(wrapper)
    wrapper = click.option(
        "--store", metavar="memory|oxigraph[:PATH]", envvar="LLMRL_KG_STORE", callback=_check_store,
        help="Where queries run: oxigraph (in memory, the default and fastest), oxigraph:PATH "
             "(a store built by `llmrl-kg load --into oxigraph:PATH`), memory (rdflib).")(wrapper)
    return wrapper
